"""Compiled JSON Schema validators: a jsonschema-rs yes/no fast path and detailed jsonschema issues.

``compiled(schema)`` builds both validators once per distinct schema (keyed by its canonical JSON) and
caches them for the life of the process. ``is_valid`` costs about a microsecond for a task body;
``issues`` runs only when a body fails, and returns :class:`SchemaIssue` objects with the most relevant
error (``jsonschema.exceptions.best_match``) first.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema_rs
import orjson
from jsonschema.exceptions import ValidationError, best_match

#: Longest message kept; instance reprs (base64 images!) are cut to keep reports and logs small.
MAX_MESSAGE = 240
_DATA_PREFIX_PATTERN = "^(?!data:)"


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One reason an instance does not match a schema.

    ``json_path`` locates the offending value (``$.camera_control.config``); ``keyword`` is the JSON
    Schema keyword that failed (``type``, ``enum``, ``required``, ``not``…); ``schema_path`` is the
    slash-separated path of that keyword inside the (resolved) schema.
    """

    json_path: str
    message: str
    keyword: str
    schema_path: str

    def render(self) -> str:
        """``$.duration: 5 is not of type 'string'``."""
        return f"{self.json_path}: {self.message}"


def _shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _required_alternatives(branches: list[Any]) -> tuple[list[str], str]:
    """Field names when every branch is ``{required: [one field]}``, and what the branch asks of it.

    The second value is ``""`` for plain presence, or ``"non-zero"`` when each branch also says
    ``{field: {not: {const: 0}}}`` (the camera-config "exactly one axis is non-zero" rule).
    ``([], "")`` when the branches have another form.
    """
    names: list[str] = []
    qualifiers: set[str] = set()
    for branch in branches:
        required = branch.get("required") if isinstance(branch, dict) else None
        if not (isinstance(required, list) and len(required) == 1):
            return [], ""
        name = str(required[0])
        names.append(name)
        extra = {key: value for key, value in branch.items() if key != "required"}
        field_schema = (extra.pop("properties", None) or {}).get(name)
        if extra:
            return [], ""
        if field_schema is None:
            qualifiers.add("")
        elif field_schema == {"not": {"const": 0}}:
            qualifiers.add("non-zero")
        elif isinstance(field_schema, dict) and set(field_schema) <= {"minLength", "minItems"}:
            qualifiers.add("")  # "non-empty" presence
        else:
            return [], ""
    return names, qualifiers.pop() if len(qualifiers) == 1 else ""


def _message(error: ValidationError) -> str:
    """jsonschema's message, reworded for the keywords whose default text is unreadable."""
    value = error.validator_value
    if error.validator == "not" and isinstance(value, dict) and isinstance(value.get("required"), list):
        fields = [str(name) for name in value["required"]]
        if len(fields) > 1:
            return f"{' and '.join(fields)} are mutually exclusive (only one may be set)"
        if fields:
            reason = value.get("description")
            return f"{fields[0]} is not allowed here" + (f" ({str(reason).rstrip('.')})" if reason else "")
        return "must not match the forbidden schema"
    if error.validator == "pattern" and value == _DATA_PREFIX_PATTERN:
        return "must be a URL or raw base64 without a 'data:' prefix"
    if error.validator in ("anyOf", "oneOf") and isinstance(value, list):
        names, qualifier = _required_alternatives(value)
        if names:
            listed = ", ".join(names)
            if qualifier == "non-zero":
                if not error.context:
                    return f"exactly one of {listed} may be non-zero; several are"
                return f"exactly one of {listed} must be non-zero"
            if not error.context:  # oneOf matched more than once
                return f"only one of {listed} may be given"
            quantifier = "exactly one" if error.validator == "oneOf" else "at least one"
            return f"{quantifier} of {listed} is required"
        if not error.context:
            return "matches more than one of the alternatives (oneOf)"
    if error.validator == "not" and isinstance(value, dict) and set(value) == {"const"}:
        return f"must not be {value['const']!r}"
    if error.validator is None or error.message.startswith("False schema"):
        name = error.path[-1] if error.path else "this value"
        return f"{name} is not allowed here"
    if error.validator == "const" and isinstance(error.instance, bool | int | float | str | None):
        return _shorten(f"{error.instance!r} is not {value!r}")
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return f"is {len(error.instance)} characters long; at most {value} allowed"
    return _shorten(error.message)


def _issue(error: ValidationError) -> SchemaIssue:
    return SchemaIssue(
        json_path=error.json_path,
        message=_message(error),
        keyword=str(error.validator),
        schema_path="/".join(str(part) for part in error.absolute_schema_path),
    )


def _top_level(error: ValidationError) -> ValidationError:
    while error.parent is not None:
        error = error.parent
    return error


#: Schema issues built per validated instance; a body with more gets one closing issue saying so (a
#: 100,000-item list with a bad field in every item must cost milliseconds, not minutes and gigabytes).
MAX_ISSUES = 50
CAP_KEYWORD = "kling-issue-cap"


class CompiledSchema:
    """A schema compiled for repeated validation. Build it with :func:`compiled`."""

    __slots__ = ("_detailed", "_fast", "_lock", "schema")

    def __init__(self, schema: dict[str, Any] | bool) -> None:
        self.schema = schema
        jsonschema.Draft202012Validator.check_schema(schema)
        self._fast = jsonschema_rs.Draft202012Validator(schema)
        self._detailed: jsonschema.Draft202012Validator | None = None
        self._lock = threading.Lock()

    def is_valid(self, instance: Any) -> bool:
        """Whether ``instance`` matches (jsonschema-rs; formats are annotations, as in 2020-12)."""
        return bool(self._fast.is_valid(instance))

    def _detailed_validator(self) -> jsonschema.Draft202012Validator:
        if self._detailed is None:
            with self._lock:
                if self._detailed is None:
                    self._detailed = jsonschema.Draft202012Validator(self.schema)
        return self._detailed

    def issues(self, instance: Any) -> list[SchemaIssue]:
        """Every reason ``instance`` does not match, best match first; ``[]`` when it matches."""
        if self.is_valid(instance):
            return []
        errors = list(itertools.islice(self._detailed_validator().iter_errors(instance), MAX_ISSUES + 1))
        capped = len(errors) > MAX_ISSUES
        if capped:
            errors = errors[:MAX_ISSUES]
        if not errors:  # the two engines disagree (should not happen): report it rather than hide it
            return [SchemaIssue("$", "rejected by jsonschema-rs but accepted by jsonschema", "", "")]
        best = best_match(errors)
        if best is None:  # pragma: no cover - best_match returns None only for an empty list
            return [_issue(error) for error in errors]
        best_root = _top_level(best)
        if (
            best_root is not best
            and best_root.validator in ("anyOf", "oneOf")
            and _required_alternatives(best_root.validator_value)[0]
        ):
            best = best_root  # "at least one of image, image_tail is required" says more than one branch
        rest = sorted(
            (error for error in errors if error is not best_root),
            key=lambda error: (error.json_path, str(error.validator)),
        )
        found = [_issue(best), *(_issue(error) for error in rest)]
        if capped:
            found.append(
                SchemaIssue(
                    "$",
                    f"more than {MAX_ISSUES} schema issues: the first {MAX_ISSUES} found are listed "
                    "(the rest were not built)",
                    CAP_KEYWORD,
                    "",
                )
            )
        return found


_CACHE: dict[bytes, CompiledSchema] = {}
#: id(schema) → (schema, compiled): the same long-lived dict skips the JSON key (~15 µs for a big schema).
_BY_ID: dict[int, tuple[Any, CompiledSchema]] = {}
_CACHE_LOCK = threading.Lock()


def compiled(schema: dict[str, Any] | bool) -> CompiledSchema:
    """The cached :class:`CompiledSchema` for ``schema`` (a self-contained Draft 2020-12 schema).

    Equal schemas share one compiled validator; passing the same dict object again is a dict lookup.
    Do not mutate a schema after compiling it. Raises ``jsonschema.SchemaError`` for an invalid schema.
    """
    by_id = _BY_ID.get(id(schema))
    if by_id is not None and by_id[0] is schema:
        return by_id[1]
    key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = CompiledSchema(schema)
        if isinstance(schema, dict):  # keeps a reference, so the id cannot be reused while cached
            _BY_ID[id(schema)] = (schema, found)
    return found
