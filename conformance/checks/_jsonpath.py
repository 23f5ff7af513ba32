"""JSON paths for the checks: walking parsed bodies, finding members, resolving ``$.a.b[0]`` paths.

Pure functions over already-parsed JSON values; nothing here raises on odd input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def iter_paths(value: Any, path: str = "$", *, max_depth: int = 12) -> Iterator[tuple[str, Any]]:
    """Every (JSON path, value) pair below ``value``, depth-first, containers included."""
    yield path, value
    if max_depth <= 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, f"{path}.{key}", max_depth=max_depth - 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_paths(child, f"{path}[{index}]", max_depth=max_depth - 1)


def find_keys(value: Any, *keys: str, max_depth: int = 12) -> list[tuple[str, Any]]:
    """(path, value) of every object member named one of ``keys``, depth-first (paths built only on a match)."""
    wanted = frozenset(keys)
    found: list[tuple[str, Any]] = []
    _walk_keys(value, wanted, [], found, max_depth)
    return found


def _walk_keys(
    value: Any, wanted: frozenset[str], trail: list[str | int], found: list[tuple[str, Any]], depth: int
) -> None:
    if depth <= 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            trail.append(str(key))
            if key in wanted:
                found.append((_render(trail), child))
            if isinstance(child, dict | list):
                _walk_keys(child, wanted, trail, found, depth - 1)
            trail.pop()
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, dict | list):
                trail.append(index)
                _walk_keys(child, wanted, trail, found, depth - 1)
                trail.pop()


def _render(trail: list[str | int]) -> str:
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in trail)


def first_key_path(value: Any, *keys: str, default: str = "$") -> str:
    """Path of the first member named one of ``keys`` (shallowest first), or ``default``."""
    found = find_keys(value, *keys)
    if not found:
        return default
    return min(found, key=lambda item: item[0].count(".") + item[0].count("["))[0]


def get_path(value: Any, path: str) -> Any:
    """Resolve a ``$.a.b[0]`` path (as produced here and by the spec validators); ``None`` when absent."""
    current = value
    for token in _tokens(path):
        if isinstance(token, int):
            if isinstance(current, list) and -len(current) <= token < len(current):
                current = current[token]
                continue
            return None
        if isinstance(current, dict) and token in current:
            current = current[token]
            continue
        return None
    return current


def _tokens(path: str) -> list[str | int]:
    text = path[1:] if path.startswith("$") else path
    tokens: list[str | int] = []
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


def json_type(value: Any) -> str:
    """JSON type name of a Python value."""
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
