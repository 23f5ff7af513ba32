"""Conditions of a reading description (``when = [...]``), compiled once into predicates.

One condition tests one thing: the value at a JSONPath (``in``, ``not_in``, ``exists``, ``type``,
``matches``, optionally after ``as = "number" | "folded"``) or the HTTP status (``http``). A list of
conditions holds when every one holds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from conformance.jsonpath import json_type_name
from conformance.normalize.codes import is_integer_text
from conformance.normalize.reading.paths import MISSING, compile_query

#: A compiled condition: (the node fields are read from, the draft so far) -> holds. The draft gives the
#: HTTP status (``draft.status_code``) and what was read already (``read = "status"``).
Predicate = Callable[[Any, Any], bool]

CONDITION_KEYS = (
    "path",
    "read",
    "in",
    "not_in",
    "exists",
    "empty",
    "type",
    "matches",
    "only",
    "as",
    "http",
    "any",
    "all",
)
#: Draft values a ``read`` condition may test.
READ_NAMES = (
    "status",
    "raw_status",
    "task_id",
    "upstream_task_id",
    "external_task_id",
    "video_urls",
    "image_urls",
    "error_code",
    "error_message",
    "is_error",
)
JSON_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_INT64 = 2**63


class DescriptionError(ValueError):
    """A reading description is invalid; ``field`` is the dotted key, ``fix`` what to write instead."""

    def __init__(self, problem: str, *, field: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.field = field
        self.fix = fix


def as_number(value: Any) -> Any:
    """The integer a code-like value stands for (int, integral float, numeric string), else ``MISSING``."""
    if type(value) is int:  # the everyday case first
        return value if -_INT64 < value < _INT64 else MISSING
    if isinstance(value, bool):
        return MISSING
    if isinstance(value, int):
        return value if abs(value) < _INT64 else MISSING
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else MISSING
    if isinstance(value, str):
        stripped = value.strip()
        if is_integer_text(stripped):
            return int(stripped)
    return MISSING


def _folded(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


_CONVERTERS: dict[str, Callable[[Any], Any]] = {"number": as_number, "folded": _folded}


def json_type_of(value: Any) -> str:
    """JSON type name, with ``integer`` for whole numbers (``number`` covers both); ``other`` for non-JSON."""
    return json_type_name(value) or "other"


def _key(value: Any) -> Any:
    """Membership key: numbers by value (200 == 200.0), booleans and null kept apart from numbers."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    return value


def _http_matcher(values: Sequence[Any], field: str) -> Callable[[int | None], bool]:
    exact: set[int] = set()
    classes: set[int] = set()
    for item in values:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            exact.add(item)
        elif isinstance(item, str) and re.fullmatch(r"[1-5]xx", item):
            classes.add(int(item[0]))
        else:
            raise DescriptionError(
                f"http value {item!r} is not an HTTP status", field=field, fix='use numbers (200) or classes ("2xx")'
            )
    return lambda status: status is not None and (status in exact or status // 100 in classes)


def compile_condition(raw: Any, field: str) -> Predicate:
    """One condition table -> predicate; raises :class:`DescriptionError` naming ``field``."""
    if not isinstance(raw, dict):
        raise DescriptionError(
            "a condition is a table", field=field, fix='write { path = "$.code", in = [0] } or { http = ["2xx"] }'
        )
    unknown = [key for key in raw if key not in CONDITION_KEYS]
    if unknown:
        from conformance.errors import did_you_mean

        raise DescriptionError(
            f"unknown key {unknown[0]!r} in a condition.{did_you_mean(unknown[0], CONDITION_KEYS)}",
            field=f"{field}.{unknown[0]}",
            fix=f"use one of: {', '.join(CONDITION_KEYS)}",
        )
    tests = [key for key in ("in", "not_in", "exists", "empty", "type", "matches", "only") if key in raw]
    for group in ("any", "all"):
        if group in raw:
            if len(raw) != 1:
                raise DescriptionError(
                    f"an {group} condition holds only its list", field=field, fix=f"write {{ {group} = [ ... ] }}"
                )
            inner = [compile_condition(item, f"{field}.{group}[{i}]") for i, item in enumerate(raw[group] or [])]
            return _any_of(inner) if group == "any" else _all_of(inner)
    if "http" in raw:
        if "path" in raw or tests:
            raise DescriptionError(
                "an http condition tests only the HTTP status",
                field=field,
                fix="put the path test in its own condition",
            )
        values = raw["http"] if isinstance(raw["http"], list) else [raw["http"]]
        matcher = _http_matcher(values, f"{field}.http")
        return lambda node, draft: matcher(draft.status_code)
    if ("path" in raw) == ("read" in raw):
        raise DescriptionError(
            "a condition needs a path (or read, http, any, all)", field=field, fix='add path = "$.code"'
        )
    if len(tests) != 1:
        raise DescriptionError(
            "a condition has exactly one test",
            field=field,
            fix="use one of in, not_in, exists, empty, type, matches, only",
        )
    convert = _converter(raw.get("as"), f"{field}.as")
    test = tests[0]
    if "path" in raw and convert is None:
        query = _query(raw["path"], f"{field}.path")
        member = member_name(query)
        self_names = _type_names(raw["type"]) if query.steps == () and test == "type" else None
        if member is not None:
            fast = _member_predicate(member, test, raw, field)
            if fast is not None:
                return fast
        elif self_names is not None:  # `$` itself: the node's own type
            return lambda node, draft: node is not MISSING and json_type_of(node) in self_names
    get: Callable[[Any, Any], Any]
    if "read" in raw:
        name = str(raw["read"])
        if name not in READ_NAMES:
            from conformance.errors import did_you_mean

            raise DescriptionError(
                f"read names {name!r}, which is not a canonical field.{did_you_mean(name, READ_NAMES)}",
                field=f"{field}.read",
                fix=f"use one of: {', '.join(READ_NAMES)}",
            )
        if name == "status":  # the common case, without the generic attribute walk
            get = lambda node, draft: MISSING if (status := draft.status) is None else status._value_  # noqa: E731
        else:
            get = lambda node, draft: _read_value(draft, name)  # noqa: E731
    else:
        query = _query(raw["path"], f"{field}.path")
        member = member_name(query)
        if member is not None and convert is not None:  # `$.code` as a number: one closure, lookup inlined
            conversion = _CONVERTERS[raw["as"]]
            get = lambda node, draft: (  # noqa: E731
                MISSING
                if type(node) is not dict or (value := node.get(member, MISSING)) is MISSING
                else conversion(value)
            )
            convert = None
        else:
            path_get = query.get
            get = lambda node, draft: path_get(node)  # noqa: E731
    if convert is not None:
        plain = get
        get = lambda node, draft: convert(plain(node, draft))  # noqa: E731
    if test == "only":
        allowed = frozenset(str(key) for key in (raw["only"] if isinstance(raw["only"], list) else [raw["only"]]))
        return lambda node, draft: (
            isinstance(value := get(node, draft), dict) and bool(value) and value.keys() <= allowed
        )
    if test in ("exists", "empty"):
        if not isinstance(raw[test], bool):
            raise DescriptionError(f"{test} is true or false", field=f"{field}.{test}")
        if test == "empty":
            if raw["empty"]:
                return lambda node, draft: _is_empty(get(node, draft))
            return lambda node, draft: not _is_empty(get(node, draft))
        if raw["exists"]:
            return lambda node, draft: get(node, draft) is not MISSING
        return lambda node, draft: get(node, draft) is MISSING
    if test == "type":
        wanted = raw["type"] if isinstance(raw["type"], list) else [raw["type"]]
        for name in wanted:
            if name not in JSON_TYPES:
                raise DescriptionError(
                    f"unknown JSON type {name!r}", field=f"{field}.type", fix=f"use one of: {', '.join(JSON_TYPES)}"
                )
        names = frozenset(wanted)
        if "number" in names:
            names = names | {"integer"}
        return lambda node, draft: (value := get(node, draft)) is not MISSING and json_type_of(value) in names
    if test == "matches":
        try:
            pattern = re.compile(str(raw["matches"]))
        except re.error as exc:
            raise DescriptionError(f"not a regular expression: {exc}", field=f"{field}.matches") from None
        search = pattern.search
        return lambda node, draft: isinstance(value := get(node, draft), str) and search(value) is not None
    values = raw[test] if isinstance(raw[test], list) else [raw[test]]
    for item in values:
        if isinstance(item, dict | list):
            raise DescriptionError(
                f"{test} lists plain values", field=f"{field}.{test}", fix="use strings, numbers, booleans"
            )
    keys = frozenset(_key(item) for item in values)
    if test == "in":
        return lambda node, draft: (value := get(node, draft)) is not MISSING and _member(value, keys)
    return lambda node, draft: (value := get(node, draft)) is MISSING or not _member(value, keys)


def member_name(query: Any) -> str | None:
    """The one member name of a query such as ``$.code`` (the common case), else ``None``."""
    steps = query.steps
    if query.singular and steps is not None and len(steps) == 1 and type(steps[0]) is str:
        return str(steps[0])
    return None


def _member_predicate(name: str, test: str, raw: dict[str, Any], field: str) -> Predicate | None:
    """A predicate on one member of an object, with the lookup inlined (same results as the general one).

    ``None`` when the test is not one of the inlined kinds (or is written wrongly: the general path then
    raises the usual error).
    """
    if test == "exists" and isinstance(raw["exists"], bool):
        if raw["exists"]:
            return lambda node, draft: type(node) is dict and name in node
        return lambda node, draft: type(node) is not dict or name not in node
    if test == "type":
        names = _type_names(raw["type"])
        if names is None:
            return None
        return lambda node, draft: type(node) is dict and name in node and json_type_of(node[name]) in names
    if test in ("in", "not_in"):
        values = raw[test] if isinstance(raw[test], list) else [raw[test]]
        if any(isinstance(item, dict | list) for item in values):
            return None
        keys = frozenset(_key(item) for item in values)
        if test == "in":
            return lambda node, draft: type(node) is dict and name in node and _member(node[name], keys)
        return lambda node, draft: type(node) is not dict or name not in node or not _member(node[name], keys)
    if test == "matches":
        try:
            search = re.compile(str(raw["matches"])).search
        except re.error:
            return None
        return lambda node, draft: (
            type(node) is dict and isinstance(value := node.get(name, MISSING), str) and search(value) is not None
        )
    return None


def _type_names(raw: Any) -> frozenset[str] | None:
    """The JSON type names a ``type`` test accepts (``number`` includes ``integer``); ``None`` when one is unknown."""
    wanted = raw if isinstance(raw, list) else [raw]
    if any(item not in JSON_TYPES for item in wanted):
        return None
    return frozenset(wanted) | ({"integer"} if "number" in wanted else set())


def _read_value(draft: Any, name: str) -> Any:
    """A value already read into the draft (a status as its word); ``MISSING`` when not read."""
    value = getattr(draft, name)
    if value is None or (isinstance(value, list) and not value):
        return MISSING
    return value.value if hasattr(value, "value") else value


def _is_empty(value: Any) -> bool:
    """Absent, null, ``{}`` or ``[]`` (an empty string is a value)."""
    return value is MISSING or value is None or (isinstance(value, dict | list) and not value)


def _member(value: Any, keys: frozenset[Any]) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is float:
        return value in keys
    if isinstance(value, dict | list):
        return False
    return _key(value) in keys


def _converter(name: Any, field: str) -> Callable[[Any], Any] | None:
    if name is None:
        return None
    if name not in _CONVERTERS:
        raise DescriptionError(f"unknown conversion {name!r}", field=field, fix=f"use one of: {', '.join(_CONVERTERS)}")
    convert = _CONVERTERS[name]
    return lambda value: MISSING if value is MISSING else convert(value)


def _query(text: Any, field: str) -> Any:
    from conformance.normalize.reading.paths import PathSyntaxError

    try:
        return compile_query(text)
    except PathSyntaxError as exc:
        raise DescriptionError(str(exc), field=field, fix="write an RFC 9535 JSONPath such as $.data.task_id") from None


#: Tests that never hold on an absent value: a condition with one of them needs its member present.
_NEEDS_VALUE = ("in", "exists", "type", "matches", "only", "empty")


def required_members(raw: Any) -> frozenset[str]:
    """Top-level member names a node must have for a (valid, compiled) ``when`` list to hold.

    A cheap prefilter: a body lacking one of them is not tried against the conditions at all. Only
    what is certain counts (``exists = false``, ``not_in``, ``empty = true``, ``read``, ``http`` and
    queries the library evaluates add nothing; ``any`` adds what every branch needs).
    """
    if raw is None:
        return frozenset()
    needed: set[str] = set()
    for item in raw if isinstance(raw, list) else [raw]:
        needed |= _required_by(item)
    return frozenset(needed)


def _required_by(item: Any) -> frozenset[str]:
    if not isinstance(item, dict):
        return frozenset()
    if "all" in item:
        return required_members(item["all"] or [])
    if "any" in item:
        branches = [_required_by(branch) for branch in item["any"] or []]
        return frozenset.intersection(*branches) if branches else frozenset()
    if "path" not in item or ("as" in item and item["as"] not in _CONVERTERS):
        return frozenset()
    test = next((key for key in _NEEDS_VALUE if key in item), None)
    if (
        test is None
        or (test == "exists" and item["exists"] is not True)
        or (test == "empty" and item["empty"] is not False)
    ):
        return frozenset()
    steps = compile_query(item["path"]).steps
    if steps and type(steps[0]) is str:
        return frozenset({str(steps[0])})
    return frozenset()


def condition_paths(raw: Any) -> list[tuple[Any, ...] | None]:
    """The steps of every path a (valid) ``when`` list reads (``None`` for a query beyond the simple subset)."""
    if raw is None:
        return []
    found: list[tuple[Any, ...] | None] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if not isinstance(item, dict):
            continue
        for group in ("any", "all"):
            if group in item:
                found.extend(condition_paths(item[group] or []))
        if "path" in item:
            found.append(compile_query(item["path"]).steps)
    return found


def compile_conditions(raw: Any, field: str) -> Predicate | None:
    """A ``when`` list -> one predicate (``None`` when the list is empty: always holds)."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    predicates = [compile_condition(item, f"{field}[{index}]") for index, item in enumerate(items)]
    if not predicates:
        return None
    if len(predicates) == 1:
        return predicates[0]
    return _all_of(predicates)


def _any_of(predicates: list[Predicate]) -> Predicate:
    """Holds when one of ``predicates`` holds (tried in order; none: never)."""

    def holds(node: Any, draft: Any) -> bool:
        for predicate in predicates:  # noqa: SIM110 - a plain loop: no generator per body on the hot path
            if predicate(node, draft):
                return True
        return False

    return holds


def _all_of(predicates: list[Predicate]) -> Predicate:
    """Holds when every one of ``predicates`` holds (tried in order; none: always)."""
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda node, draft: first(node, draft) and second(node, draft)

    def holds(node: Any, draft: Any) -> bool:
        for predicate in predicates:  # noqa: SIM110 - a plain loop: no generator per body on the hot path
            if not predicate(node, draft):
                return False
        return True

    return holds
