"""Write a body from a reading description: the inverse of reading, so a profile and its emulation agree.

A shape (a profile's ``[[reading.shapes]]`` or a bundled one) says where each canonical field lives and
what makes a body that shape (``when``). :func:`write_shape` puts canonical values at the first plain place
of each field (``$.data.outputs[*]`` becomes a list, ``$.video.url`` a string), then makes the ``when``
conditions hold (``in`` -> the first value, ``type`` -> a value of that type, ``exists = false`` -> removed)
and encodes ``decode`` paths back into JSON strings. No gateway is named here: everything comes from data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import orjson

from conformance.jsonpath import json_type_name, parse_path

#: Canonical fields a writer places, and whether each is a list field.
LIST_FIELDS = frozenset({"video_urls", "image_urls", "video_durations"})
_TYPE_DEFAULTS: dict[str, Any] = {"object": {}, "array": [], "string": "", "integer": 0, "number": 0,
                                  "boolean": False, "null": None}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ShapeSource:
    """One shape's raw table and the readers its ``read`` may name."""

    table: dict[str, Any]
    readers: dict[str, Any]


@cache
def _bundled_raw() -> tuple[tuple[dict[str, Any], ...], dict[str, Any]]:
    folder = resources.files("conformance.normalize") / "descriptions"
    shapes: list[dict[str, Any]] = []
    readers: dict[str, Any] = {}
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".toml"):
            continue
        data = tomllib.loads(item.read_text(encoding="utf-8"))
        shapes.extend(data.get("shapes", []))
        readers.update(data.get("readers", {}))
    return tuple(shapes), readers


def _plain_fields(table: dict[str, Any], readers: dict[str, Any]) -> dict[str, Any]:
    """The field places a shape (or the reader it names) writes directly."""
    fields = {k: v for k, v in table.items() if k in _FIELD_KEYS}
    name = table.get("read")
    if isinstance(name, str) and isinstance(readers.get(name), dict):
        fields = {**_plain_fields(readers[name], readers), **fields}
    return fields


_FIELD_KEYS = frozenset({"task_id", "upstream_task_id", "external_task_id", "status", "video_urls", "image_urls",
                         "video_durations", "failure_reason", "error_code", "error_message", "created_at",
                         "updated_at"})  # fmt: skip


def find_shape(shape_id: str, reading_data: dict[str, Any], *, needs: tuple[str, ...] = ()) -> ShapeSource | None:
    """The shape ``shape_id`` of the profile's own reading, else of the bundled descriptions.

    Of several shapes with that id, the first that places every field in ``needs`` (else the one placing most).
    """
    own_readers = dict(reading_data.get("readers") or {})
    bundled_shapes, bundled_readers = _bundled_raw()
    readers = {**bundled_readers, **own_readers}
    candidates = [s for s in reading_data.get("shapes") or [] if s.get("id") == shape_id]
    candidates += [s for s in bundled_shapes if s.get("id") == shape_id]
    if not candidates:
        return None
    scored = [(sum(1 for n in needs if n in _plain_fields(s, readers)), len(_plain_fields(s, readers)), -i, s)
              for i, s in enumerate(candidates)]  # fmt: skip
    best = max(scored, key=lambda item: item[:3])[3]
    return ShapeSource(best, readers)


def _first_place(spec: Any) -> tuple[str, dict[str, Any]] | None:
    """The first plain place of a field spec: ``(path, its table)``; filters and ``..`` are skipped."""
    items: list[Any]
    if isinstance(spec, dict) and "paths" in spec:
        items = list(spec["paths"])
        extra = {k: v for k, v in spec.items() if k != "paths"}
    elif isinstance(spec, list):
        items, extra = spec, {}
    else:
        items, extra = [spec], {}
    for item in items:
        path, table = (item, extra) if isinstance(item, str) else (item.get("path"), {**extra, **item})
        if isinstance(path, str) and "?" not in path and ".." not in path:
            return path, table
    return None


def _put(body: Any, path: str, value: Any) -> Any:
    """Set ``value`` at ``path`` (``[*]`` of a list value spreads it over items); returns the new root."""
    if path == "$":
        return value
    if "[*]" in path:
        head, _, tail = path.partition("[*]")
        items = value if isinstance(value, list) else [value]
        if tail:  # items of a list already written ({href} then {seconds}) are filled, not replaced
            found, existing = _get(body, head)
            have = existing if found and isinstance(existing, list) else []
            spread = [
                _put(have[i] if i < len(have) and isinstance(have[i], dict) else {}, "$" + tail, item)
                for i, item in enumerate(items)
            ]
        else:
            spread = list(items)
        return _put(body, head, spread)
    parts = list(parse_path(path))
    root = body if isinstance(body, dict) else {}
    node: Any = root
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(part, int):
            return root  # concrete indexes are not written (a list is written with [*])
        if last:
            node[part] = value
        else:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
    return root


def _get(body: Any, path: str) -> tuple[bool, Any]:
    node = body
    for part in parse_path(path):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False, None
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def _delete(body: Any, path: str) -> None:
    parts = parse_path(path)
    found, parent = _get(body, _render(parts[:-1])) if len(parts) > 1 else (True, body)
    if found and isinstance(parent, dict):
        parent.pop(parts[-1], None)


def _render(parts: Any) -> str:
    from conformance.jsonpath import format_path

    return format_path(list(parts))


def _timestamp(seconds: float, unit: str) -> Any:
    if unit == "iso":
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if unit == "s":
        return int(seconds)
    return int(seconds * 1000)


def _typed(value: Any, table: dict[str, Any]) -> Any:
    types = table.get("type")
    wanted = {types} if isinstance(types, str) else set(types or ())
    if table.get("as") == "number" or (wanted and wanted <= {"integer", "number"}):
        text = str(value)
        return int(text) if text.lstrip("-").isdigit() else value
    if wanted and "string" in wanted and not isinstance(value, str):
        return str(value)
    return value


def _holds(body: Any, cond: dict[str, Any]) -> bool:
    """Whether a simple condition already holds (the shapes' own predicate decides in the end)."""
    if "any" in cond:
        return any(_holds(body, c) for c in cond["any"])
    if "all" in cond:
        return all(_holds(body, c) for c in cond["all"])
    path = cond.get("path")
    if not isinstance(path, str) or "?" in path or ".." in path or "[*]" in path:
        return True
    found, value = _get(body, path)
    if cond.get("as") == "number" and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if "exists" in cond:
        return found == bool(cond["exists"])
    if "in" in cond:
        return found and value in cond["in"] and not isinstance(value, bool)
    if "not_in" in cond:
        return not found or value not in cond["not_in"]
    if "empty" in cond:
        empty = not found or value in (None, {}, [], "")
        return empty == bool(cond["empty"])
    if "type" in cond:
        types = {cond["type"]} if isinstance(cond["type"], str) else set(cond["type"])
        return found and (json_type_name(value) or "object") in types | ({"number"} if "integer" in types else set())
    return True


def _satisfy(body: Any, cond: dict[str, Any]) -> Any:
    """Make one ``when`` condition hold where data can (``in``, ``exists``, ``type``, ``empty``)."""
    if _holds(body, cond):
        return body
    if "any" in cond:
        return _satisfy(body, cond["any"][0]) if cond["any"] else body
    if "all" in cond:
        for sub in cond["all"]:
            body = _satisfy(body, sub)
        return body
    path = cond.get("path")
    if not isinstance(path, str):
        return body
    if cond.get("exists") is False:
        _delete(body, path)
    elif cond.get("in"):
        body = _put(body, path, cond["in"][0])
    elif "type" in cond:
        kind = cond["type"] if isinstance(cond["type"], str) else cond["type"][0]
        body = _put(body, path, _TYPE_DEFAULTS.get(kind, ""))
    elif cond.get("exists") is True:
        body = _put(body, path, "")
    elif cond.get("empty") is False:
        body = _put(body, path, "error")
    return body


def write_shape(source: ShapeSource, values: dict[str, Any]) -> Any:
    """A body of ``source``'s shape holding ``values`` (canonical field -> value; timestamps in seconds)."""
    table = source.table
    fields = _plain_fields(table, source.readers)
    at = table.get("at") or (source.readers.get(table.get("read") or "", {}) or {}).get("at")
    prefix = at if isinstance(at, str) and at != "$" else ""
    body: Any = {}
    for name, value in values.items():
        if value is None or (name in LIST_FIELDS and not value) or name not in fields:
            continue
        place = _first_place(fields[name])
        if place is None:
            continue
        path, place_table = place
        if prefix:
            path = prefix + path[1:]
        if name in ("created_at", "updated_at"):
            value = _timestamp(float(value), str(place_table.get("unit") or fields_unit(fields[name])))
        elif name in LIST_FIELDS and "[*]" not in path:
            value = value[0]
        else:
            value = _typed(value, place_table)
        body = _put(body, path, value)
    for cond in table.get("when") or []:
        if isinstance(cond, dict):
            body = _satisfy(body, cond)
    for item in table.get("decode") or []:
        path = item if isinstance(item, str) else item.get("path")
        if isinstance(path, str):
            found, value = _get(body, path)
            if found and isinstance(value, dict | list):
                body = _put(body, path, orjson.dumps(value).decode())
    return body


def fields_unit(spec: Any) -> str:
    """The ``unit`` a timestamp field names (``ms`` when it says none)."""
    if isinstance(spec, dict):
        return str(spec.get("unit") or "ms")
    return "ms"


def http_of(source: ShapeSource, default: int) -> int:
    """The HTTP status a shape's ``http`` condition asks for (``default`` when it allows it or says none)."""
    for cond in source.table.get("when") or []:
        if isinstance(cond, dict) and "http" in cond:
            allowed = cond["http"] if isinstance(cond["http"], list) else [cond["http"]]
            ok = [a for a in allowed if a == default or (isinstance(a, str) and a[0] == str(default)[0])]
            if not ok:
                first = allowed[0]
                return first if isinstance(first, int) else int(first[0]) * 100
    return default


def place_value(body: Any, path: str, value: Any) -> Any:
    """Set ``value`` at the JSONPath ``path`` of ``body`` (the task protocol's own places)."""
    return _put(body, path, value)
