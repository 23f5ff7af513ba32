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

from conformance.errors import ProfileError, UsageError, did_you_mean
from conformance.inputs import MAX_PROFILE_BYTES, parse_bounded, read_text_input
from conformance.profiles.keyscan import refuse_literal_keys
from conformance.profiles.model import FAMILIES
from conformance.scrub import register_secrets, url_secrets

SCHEMA_PATH = Path(__file__).resolve().parent / "profile.schema.json"

#: Every canonical operation id, in canonical order.
OPERATION_IDS: tuple[str, ...] = tuple(f"{family}.{kind}" for family in FAMILIES for kind in ("create", "get", "list"))

_TOML_LINE = re.compile(r"at line (\d+)")
_SECRET_PATHS = ("auth",)

#: Keys new users naturally try, by the table they wrote them in, and the key that says it (issue 13).
#: String distance would not find these ("status_map" is far from "statuses").
NATURAL_KEYS: dict[tuple[str, str], str] = {
    ("", "response"): "reading",
    ("", "responses"): "reading",
    ("", "read"): "reading",
    ("", "parse"): "reading",
    ("", "mapping"): "reading",
    ("", "task_id_path"): "reading.shapes[].task_id",
    ("", "status_path"): "reading.shapes[].status",
    ("", "status_map"): "reading.statuses",
    ("", "status_mapping"): "reading.statuses",
    ("", "statuses"): "reading.statuses",
    ("", "video_url_path"): "reading.shapes[].video_urls",
    ("", "success_code"): "reading.shapes[].when",
    ("errors", "success_code"): 'reading.shapes[].when (e.g. when = [{ path = "$.code", in = [200] }])',
    ("errors", "success_codes"): 'reading.shapes[].when (e.g. when = [{ path = "$.code", in = [0, 200] }])',
    ("errors", "code_path"): "reading.shapes[].error_code",
    ("errors", "message_path"): "reading.shapes[].error_message",
    ("emulator", "task_id_path"): "reading.shapes[].task_id",
    ("emulator", "status_map"): "reading.statuses",
    ("emulator", "response"): "reading",
    ("emulator", "success_code"): "reading.shapes[].when",
}


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


_PATH_FIX = "check the path given to --profile"
_DEPTH_FIX = "a profile needs a few levels of tables at most: flatten the nesting"


def parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Read and parse ``path``; syntax errors name the file and line."""
    fix = f"{_PATH_FIX} (a profile is a small TOML text file)"
    try:
        text = read_text_input(path, what="profile file", fix=fix, max_bytes=MAX_PROFILE_BYTES)
    except UsageError as exc:
        if exc.problem.endswith("no such file"):
            raise ProfileError(
                "profile file not found", where=str(path), fix="check the path given to --profile"
            ) from None
        raise ProfileError(exc.problem, where=exc.where, fix=exc.fix) from None
    try:
        data = parse_bounded(lambda: tomllib.loads(text), what="profile", where=str(path), fix=_DEPTH_FIX)
    except UsageError as exc:
        raise ProfileError(exc.problem, where=exc.where, fix=exc.fix) from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise ProfileError(
            f"not valid TOML: {exc}",
            where=where,
            fix='check quoting and brackets on that line (strings need "quotes", tables [name])',
        ) from None
    if isinstance(data.get("base_url"), str):  # a key in it is scrubbed from every message and file
        register_secrets(*url_secrets(data["base_url"]))
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
        table = str(path[0]) if len(path) == 1 else ""
        natural = NATURAL_KEYS.get((table if path else "", key))
        suggestion = f" Did you mean {natural!r}?" if natural else did_you_mean(key, allowed)
        return (
            f"unknown key {key!r}.{suggestion}",
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
    if isinstance(data.get("reading"), dict):
        _check_reading(data["reading"], str(data.get("id", "")), source=source, text=text)
    for key in data.get("operations", {}):
        if not expand_operation_key(key):
            line = line_of(text, ["operations", key]) if text else None
            raise ProfileError(
                f"{key!r} matches no operation.{did_you_mean(key, OPERATION_IDS)}",
                where=f"{source}:{line}" if line else str(source),
                field=f'operations."{key}"',
                fix=f"families are: {', '.join(FAMILIES)}",
            )


def check_shape_ids(own: dict[str, Any], merged: dict[str, Any], *, source: Path, text: str = "") -> None:
    """Every shape id this file names is built in or defined by a ``[reading]`` shape (its own or inherited)."""
    reading = merged.get("reading") or {}
    defined = [str(shape.get("id")) for shape in reading.get("shapes", []) if isinstance(shape, dict)]
    valid = [*schema_enum("shape"), *defined]
    places: list[tuple[list[str | int], Any]] = []
    for op_key, fields in (own.get("operations") or {}).items():
        for key in ("response_shape", "documented_shape"):
            if isinstance(fields, dict) and key in fields:
                places.append((["operations", op_key, key], fields[key]))
    for key, value in (own.get("errors") or {}).items():
        if key.endswith("shape"):
            places.append((["errors", key], value))
    for parts, value in places:
        if str(value) in valid:
            continue
        line = line_of(text, parts) if text else None
        raise ProfileError(
            f"{str(value)!r} is not a valid value.{did_you_mean(str(value), valid)}",
            where=f"{source}:{line}" if line else str(source),
            field=_dotted(parts),
            fix=f"use one of: {', '.join(repr(v) for v in valid)} (or define the shape under [[reading.shapes]])",
        )


def _check_reading(raw: dict[str, Any], profile_id: str, *, source: Path, text: str) -> None:
    """Compile this file's own ``[reading]`` so a mistake names its line (the merged one compiles again)."""
    from conformance.normalize.reading import DescriptionError, compile_reading_table

    try:
        compile_reading_table(raw, profile_id=profile_id or "profile")
    except DescriptionError as exc:
        parts = [part for part in re.split(r"\.|\[\d+\]", exc.field) if part]
        line = line_of(text, parts) if text else None
        raise ProfileError(
            exc.problem, where=f"{source}:{line}" if line else str(source), field=exc.field, fix=exc.fix
        ) from None


def expand_operation_key(key: str) -> list[str]:
    """Operation ids an ``[operations]`` key stands for (an exact id, or an fnmatch pattern)."""
    if key in OPERATION_IDS:
        return [key]
    if "*" not in key:
        return []
    return [op for op in OPERATION_IDS if fnmatch.fnmatchcase(op, key)]
