"""JSON paths over parsed JSON values: ``$.a.b[0]`` parsing and rendering, lookup, walking, JSON type names.

Plain data (layer 1): imports nothing from the package. Pure functions; nothing here raises on odd
input. The checks, the document extractor and the normalizer all read bodies through these helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: A parsed path: object member names and array indexes, outermost first.
PathParts = list[str | int]


def parse_path(path: str) -> PathParts:
    """``$.data.task_result.videos[0].url`` → ``["data", "task_result", "videos", 0, "url"]``.

    The leading ``$`` is optional; ``[-1]`` is a (negative) index and ``['name']`` a quoted member name.
    """
    text = path[1:] if path.startswith("$") else path
    tokens: PathParts = []
    for part in text.split("."):
        if not part:
            continue
        name, *indexes = part.split("[")
        if name:
            tokens.append(name)
        for index in indexes:
            digits = index.rstrip("]")
            tokens.append(int(digits) if digits.lstrip("-").isdigit() else digits.strip("'\""))
    return tokens


def format_path(parts: PathParts) -> str:
    """Inverse of :func:`parse_path`: ``["data", "videos", 0]`` → ``$.data.videos[0]``."""
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def lookup(value: Any, path: str) -> tuple[bool, Any]:
    """``(found, value)`` at ``path`` in ``value``; ``(False, None)`` when any step is missing."""
    current = value
    for token in parse_path(path):
        if isinstance(token, int):
            if isinstance(current, list) and -len(current) <= token < len(current):
                current = current[token]
                continue
            return False, None
        if isinstance(current, dict) and token in current:
            current = current[token]
            continue
        return False, None
    return True, current


def get_path(value: Any, path: str) -> Any:
    """The value at ``path`` (as produced here and by the spec validators); ``None`` when absent."""
    return lookup(value, path)[1]


def iter_paths(value: Any, path: str = "$", *, max_depth: int | None = None) -> Iterator[tuple[str, Any]]:
    """Every (JSON path, value) pair below ``value``, depth-first in document order, containers included.

    ``max_depth`` bounds how many levels below ``value`` are walked (``None``: no bound).
    """
    yield path, value
    if max_depth is not None and max_depth <= 0:
        return
    deeper = None if max_depth is None else max_depth - 1
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, f"{path}.{key}", max_depth=deeper)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_paths(child, f"{path}[{index}]", max_depth=deeper)


def find_keys(value: Any, *keys: str, max_depth: int = 12) -> list[tuple[str, Any]]:
    """(path, value) of every object member named one of ``keys``, depth-first (paths built only on a match)."""
    wanted = frozenset(keys)
    found: list[tuple[str, Any]] = []
    _walk_keys(value, wanted, [], found, max_depth)
    return found


def _walk_keys(value: Any, wanted: frozenset[str], trail: PathParts, found: list[tuple[str, Any]], depth: int) -> None:
    if depth <= 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            trail.append(str(key))
            if key in wanted:
                found.append((format_path(trail), child))
            if isinstance(child, dict | list):
                _walk_keys(child, wanted, trail, found, depth - 1)
            trail.pop()
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, dict | list):
                trail.append(index)
                _walk_keys(child, wanted, trail, found, depth - 1)
                trail.pop()


def first_key_path(value: Any, *keys: str, default: str = "$") -> str:
    """Path of the first member named one of ``keys`` (shallowest first), or ``default``."""
    found = find_keys(value, *keys)
    if not found:
        return default
    return min(found, key=lambda item: item[0].count(".") + item[0].count("["))[0]


def json_type(value: Any) -> str:
    """JSON Schema type name of a parsed value (``integer``, ``number``, ``object``...).

    A value no JSON parser produces gets its Python type name.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_PHRASES = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "a number",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def json_type_phrase(value: Any) -> str:
    """A value's JSON type with its article, for messages: ``a number``, ``an object``, ``null``..."""
    kind = json_type(value)
    return _PHRASES.get(kind, f"a {kind}")
