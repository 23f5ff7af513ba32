"""Parse a profile file and validate it against ``profile.schema.json`` with messages a user can act on.

Every failure is a :class:`~conformance.errors.ProfileError` naming the file (and line when it can be
found), the key or JSON path, and the fix, with "did you mean" for misspelt keys and ids.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError, best_match

from conformance.errors import ProfileError, did_you_mean
from conformance.profiles.keyscan import refuse_literal_keys
from conformance.profiles.model import FAMILIES

SCHEMA_PATH = Path(__file__).resolve().parent / "profile.schema.json"

#: Every canonical operation id, in canonical order.
OPERATION_IDS: tuple[str, ...] = tuple(f"{family}.{kind}" for family in FAMILIES for kind in ("create", "get", "list"))

_TOML_LINE = re.compile(r"at line (\d+)")
_SECRET_PATHS = ("auth",)


@functools.cache
def profile_schema() -> dict[str, Any]:
    """The published profile JSON Schema (Draft 2020-12)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    """The detailed validator (JSON path, best match); used only once the fast check has failed."""
    return jsonschema.Draft202012Validator(profile_schema())


@functools.cache
def _fast_validator() -> Any:
    """Yes/no validation with jsonschema-rs (the common case: a valid profile)."""
    return jsonschema_rs.Draft202012Validator(profile_schema())


def schema_enum(*path: str) -> list[str]:
    """The ``enum`` of a schema node reached through ``properties``/``$defs`` names (for listings)."""
    node: Any = profile_schema()
    for part in path:
        node = node.get("properties", {}).get(part) or node.get("$defs", {}).get(part) or node.get(part)
    return [str(v) for v in node["enum"]]


def parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse ``path``; syntax errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError("profile file not found", where=str(path), fix="check the path given to --profile") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read the profile ({exc.__class__.__name__})", where=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise ProfileError(
            f"not valid TOML: {exc}",
            where=where,
            fix='check quoting and brackets on that line (strings need "quotes", tables [name])',
        ) from None
    return data, text


def line_of(text: str, parts: Sequence[str | int]) -> int | None:
    """Best-effort line number of the key at JSON path ``parts`` in TOML ``text``."""
    keys = [str(p) for p in parts if isinstance(p, str)]
    if not keys:
        return None
    lines = text.splitlines()
    start = 0
    for previous in keys[:-1]:
        for index in range(start, len(lines)):
            if previous in lines[index]:
                start = index
                break
    last = keys[-1]
    key_line = re.compile(rf'^\s*"?{re.escape(last)}"?\s*=|^\s*\[+[^\]]*\b{re.escape(last)}\b')
    for index in range(start, len(lines)):
        if key_line.search(lines[index]):
            return index + 1
    return None


def _dotted(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in part or "*" in part:
            out += f'."{part}"' if out else f'"{part}"'
        else:
            out += f".{part}" if out else part
    return out


def _describe(error: ValidationError) -> tuple[str, str, list[str | int]]:
    """(problem, fix, path) for one schema error; never echoes values below ``auth``."""
    path: list[str | int] = list(error.absolute_path)
    secret = bool(path) and path[0] in _SECRET_PATHS
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = str(schema.get("description", ""))
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        unknown = [key for key in instance if key not in allowed]
        key = unknown[0] if unknown else "?"
        return (
            f"unknown key {key!r}.{did_you_mean(key, allowed)}",
            f"use one of: {', '.join(allowed)}",
            [*path, key],
        )
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        key = missing[0] if missing else "?"
        return f"missing required key {key!r}", f"add {key} = ...", [*path, key]
    if error.validator == "propertyNames":
        return (
            f"{instance!r} is not an operation id or pattern.{did_you_mean(str(instance), OPERATION_IDS)}",
            'use <family>.<create|get|list> or a pattern such as "*", "*.list", "image2video.*"',
            [*path, str(instance)],
        )
    if error.validator == "enum":
        valid = [str(v) for v in error.validator_value]
        shown = "this value" if secret else repr(instance)
        return (
            f"{shown} is not a valid value.{did_you_mean(str(instance), valid)}",
            f"use one of: {', '.join(repr(v) for v in valid)}",
            path,
        )
    if error.validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        got = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean"}.get(
            type(instance).__name__, type(instance).__name__
        )
        return (
            f"expected {expected_text}, got {got}",
            hint or f"write the value as {expected_text} (no quotes for numbers)",
            path,
        )
    if error.validator == "pattern":
        shown = "this value" if secret else repr(instance)
        return f"{shown} does not have the expected form", hint or f"match {error.validator_value}", path
    message = "this value is not allowed" if secret else error.message
    return message, hint, path


def validate_profile_data(data: dict[str, Any], *, source: Path, text: str = "") -> None:
    """Validate one profile file's own keys; raise :class:`ProfileError` on the most relevant problem."""
    refuse_literal_keys(data, where=str(source))
    error = None if _fast_validator().is_valid(data) else best_match(_validator().iter_errors(data))
    if error is not None:
        problem, fix, path = _describe(error)
        line = line_of(text, path) if text else None
        where = f"{source}:{line}" if line else str(source)
        raise ProfileError(problem, where=where, field=_dotted(path) or "(top level)", fix=fix)
    for key in data.get("operations", {}):
        if not expand_operation_key(key):
            line = line_of(text, ["operations", key]) if text else None
            raise ProfileError(
                f"{key!r} matches no operation.{did_you_mean(key, OPERATION_IDS)}",
                where=f"{source}:{line}" if line else str(source),
                field=f'operations."{key}"',
                fix=f"families are: {', '.join(FAMILIES)}",
            )


def expand_operation_key(key: str) -> list[str]:
    """Operation ids an ``[operations]`` key stands for (an exact id, or an fnmatch pattern)."""
    if key in OPERATION_IDS:
        return [key]
    if "*" not in key:
        return []
    return [op for op in OPERATION_IDS if fnmatch.fnmatchcase(op, key)]
