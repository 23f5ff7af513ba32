"""JSON paths over parsed JSON values: RFC 9535 JSONPath queries, compiled once, and the helpers built on them.

Plain data (layer 1): imports nothing from the package. Every path the tool reads or writes is an RFC 9535
query (``$.data.task_id``, ``$['x-api']``, ``$.data.videos[*].url``, ``$.results[?@.type == 'video'].url``),
parsed by the ``jsonpath-rfc9535`` library whenever it is more than names, indexes and wildcards; the
common subset (child segments with one name, index or ``*`` selector each) is tokenised here without
importing the library, and ``tests/normalize/test_reading_paths.py`` checks that both parsers agree. A
compiled :class:`Query` evaluates names, indexes and wildcards with plain ``dict``/``list`` operations;
anything else (filters, ``..``, slices, unions) is evaluated by the library. Semantics are RFC 9535's: a
name selects only from an object, an index only from an array (negative counts from the end), ``*``
every member or element.

On top: :func:`parse_path`/:func:`format_path` (paths as name/index lists; a name that is not
member-name shorthand is rendered in brackets, so keys holding ``.`` or ``[`` round-trip), :func:`lookup`,
:func:`get_path`, :func:`iter_paths`, :func:`find_keys`, :func:`first_key_path` and JSON type names,
which the checks, the document extractor, the emulator and the normalizer share. Nothing here raises on
odd input except :func:`compile_query` on a query that is not RFC 9535.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

#: Marker for "no value at this path" (distinct from a JSON ``null``).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()


class Wildcard:
    """The ``*`` selector in a compiled step list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "*"


WILDCARD = Wildcard()

Step = str | int | Wildcard

_NAME_FIRST = r"A-Za-z_\u0080-\ud7ff\ue000-\U0010ffff"
_TOKEN = re.compile(
    rf"\.(?P<name>[{_NAME_FIRST}][{_NAME_FIRST}0-9]*)"
    r"|\[(?P<index>-?(?:0|[1-9][0-9]*))\]"
    r"|(?P<star>\.\*|\[\*\])"
    r"|\['(?P<sq>[^'\\]*)'\]"
    r'|\["(?P<dq>[^"\\]*)"\]'
)
_SHORTHAND = re.compile(rf"^[{_NAME_FIRST}][{_NAME_FIRST}0-9]*$")
_MAX_INDEX = 2**53 - 1


class PathSyntaxError(ValueError):
    """The text is not an RFC 9535 JSONPath query."""


def fast_steps(text: str) -> tuple[Step, ...] | None:
    """The steps of ``text`` when it uses only names, indexes and wildcards; ``None`` otherwise."""
    if not text.startswith("$"):
        return None
    steps: list[Step] = []
    position = 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        if match["name"] is not None:
            steps.append(match["name"])
        elif match["index"] is not None:
            index = int(match["index"])
            if abs(index) > _MAX_INDEX or match["index"] == "-0":
                return None
            steps.append(index)
        elif match["star"] is not None:
            steps.append(WILDCARD)
        else:
            steps.append(match["sq"] if match["sq"] is not None else match["dq"])
        position = match.end()
    return tuple(steps)


def library_steps(text: str) -> tuple[tuple[Step, ...] | None, Any]:
    """Parse ``text`` with ``jsonpath-rfc9535``: (steps when it is in the simple subset, the library query)."""
    import jsonpath_rfc9535 as library  # imported only for queries beyond the simple subset
    from jsonpath_rfc9535.segments import JSONPathChildSegment
    from jsonpath_rfc9535.selectors import IndexSelector, NameSelector, WildcardSelector

    try:
        query = library.compile(text)
    except library.JSONPathError as exc:
        raise PathSyntaxError(f"{text!r} is not an RFC 9535 JSONPath query: {exc}") from None
    steps: list[Step] = []
    for segment in query.segments:
        if type(segment) is not JSONPathChildSegment or len(segment.selectors) != 1:
            return None, query
        selector = segment.selectors[0]
        if isinstance(selector, NameSelector):
            steps.append(selector.name)
        elif isinstance(selector, IndexSelector):
            steps.append(selector.index)
        elif isinstance(selector, WildcardSelector):
            steps.append(WILDCARD)
        else:
            return None, query
    return tuple(steps), query


@dataclass(frozen=True, slots=True)
class Query:
    """One compiled query. ``steps`` is set for the simple subset; ``singular`` when it has no wildcard.

    ``get(node)`` is the value a singular query selects, or :data:`MISSING` (for other queries: the first
    match); ``all(node)`` every value it selects, in document order. Both are specialised closures.
    """

    text: str
    steps: tuple[Step, ...] | None
    singular: bool
    get: Callable[[Any], Any] = field(compare=False, repr=False)
    all: Callable[[Any], list[Any]] = field(compare=False, repr=False)


def _singular_getter(steps: tuple[Step, ...]) -> Callable[[Any], Any]:
    """A getter for names and indexes, unrolled for the common one- and two-name paths."""
    if not steps:
        return lambda node: node
    if all(type(step) is str for step in steps):
        if len(steps) == 1:
            (first,) = steps

            def get1(node: Any) -> Any:
                return node.get(first, MISSING) if type(node) is dict else MISSING

            return get1
        if len(steps) == 2:
            first, second = steps

            def get2(node: Any) -> Any:
                if type(node) is not dict:
                    return MISSING
                node = node.get(first, MISSING)
                return node.get(second, MISSING) if type(node) is dict else MISSING

            return get2

    def get(node: Any) -> Any:
        for step in steps:
            if type(step) is str:
                if type(node) is not dict:
                    return MISSING
                node = node.get(step, MISSING)
                if node is MISSING:
                    return MISSING
            else:
                if type(node) is not list:
                    return MISSING
                try:
                    node = node[step]  # type: ignore[index]
                except IndexError:
                    return MISSING
        return node

    return get


def _apply(nodes: list[Any], step: Step) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        if type(step) is str:
            if type(node) is dict and step in node:
                out.append(node[step])
        elif type(step) is int:
            if type(node) is list and -len(node) <= step < len(node):
                out.append(node[step])
        elif type(node) is dict:
            out.extend(node.values())
        elif type(node) is list:
            out.extend(node)
    return out


@lru_cache(maxsize=4096)
def compile_query(text: str) -> Query:
    """Compile ``text`` (an RFC 9535 query); raises :class:`PathSyntaxError` for anything else."""
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"{text!r} is not a JSONPath query: it must start with '$' (e.g. $.data.task_id)")
    steps = fast_steps(text)
    library = None
    if steps is None:
        steps, library = library_steps(text)
    singular = steps is not None and not any(step is WILDCARD for step in steps)
    if steps is not None and singular:
        get = _singular_getter(steps)
        return Query(text=text, steps=steps, singular=True, get=get, all=lambda node: _as_list(get(node)))
    every: Callable[[Any], list[Any]]
    if steps is not None:
        simple = steps

        def every(node: Any) -> list[Any]:
            nodes = [node]
            for step in simple:
                nodes = _apply(nodes, step)
                if not nodes:
                    break
            return nodes

    else:
        every = _library_finder(library)
    return Query(text=text, steps=steps, singular=False, get=lambda node: _first(every(node)), all=every)


def _as_list(value: Any) -> list[Any]:
    return [] if value is MISSING else [value]


def _first(values: list[Any]) -> Any:
    return values[0] if values else MISSING


def _library_finder(query: Any) -> Callable[[Any], list[Any]]:
    return lambda node: [match.value for match in query.find(node)]


def render_steps(steps: Sequence[Step]) -> str:
    """The query selecting ``steps``: ``$.data.videos[0].url``; names that are not shorthand go in brackets."""
    out = ["$"]
    for step in steps:
        if step is WILDCARD:
            out.append("[*]")
        elif isinstance(step, int):
            out.append(f"[{step}]")
        else:
            out.append(child_segment(str(step)))
    return "".join(out)


def child_segment(name: str) -> str:
    """``.name`` when ``name`` is RFC 9535 member-name-shorthand, else ``['name']`` with escapes."""
    if _SHORTHAND.match(name):
        return f".{name}"
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    escaped = "".join(ch if ord(ch) >= 0x20 else f"\\u{ord(ch):04x}" for ch in escaped)
    return f"['{escaped}']"


#: A parsed path: object member names and array indexes, outermost first.
PathParts = list[str | int]


def parse_path(path: str) -> PathParts:
    """``$.data.task_result.videos[0].url`` -> ``["data", "task_result", "videos", 0, "url"]``.

    RFC 9535 names and indexes (``$['a.b'][0]``); the leading ``$`` is optional. A path an older writer
    produced that is not RFC 9535 (``$.x-api``, a wildcard) is split on ``.`` and ``[`` as before.
    """
    text = path if path.startswith("$") else "$" + ("" if path.startswith("[") else ".") + path if path else "$"
    steps = fast_steps(text)
    if steps is None:
        try:
            steps, _ = library_steps(text)
        except PathSyntaxError:
            steps = None
    if steps is not None and not any(step is WILDCARD for step in steps):
        return [step for step in steps if not isinstance(step, Wildcard)]
    return _legacy_split(path)


def _legacy_split(path: str) -> PathParts:
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
    """Inverse of :func:`parse_path`: ``["data", "videos", 0]`` -> ``$.data.videos[0]`` (``$['a.b']`` when needed)."""
    return render_steps(parts)


def lookup(value: Any, path: str) -> tuple[bool, Any]:
    """``(found, value)`` at ``path`` in ``value``; ``(False, None)`` when any step is missing."""
    found = _singular_getter(tuple(parse_path(path)))(value)
    return (False, None) if found is MISSING else (True, found)


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
            yield from iter_paths(child, path + child_segment(str(key)), max_depth=deeper)
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


#: The JSON type name of each type a JSON parser produces (the fast path of :func:`json_type_name`).
_EXACT_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type_name(value: Any) -> str | None:
    """JSON Schema type name of a parsed value (``integer``, ``number``, ``object``...); ``None`` for a
    value that is not JSON (subclasses of the JSON types count as their base type)."""
    name = _EXACT_TYPE_NAMES.get(type(value))
    if name is not None:
        return name
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
    return None


def json_type(value: Any) -> str:
    """JSON Schema type name of a parsed value (``integer``, ``number``, ``object``...).

    A value no JSON parser produces gets its Python type name.
    """
    return json_type_name(value) or type(value).__name__


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
