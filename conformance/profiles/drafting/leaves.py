"""Every value of a sample body with its JSONPath, JSON inside strings decoded, request echoes set apart.

The names a gateway gives its fields are compared *folded* (lower case, ``_``/``-`` removed), so
``task_id``, ``taskId`` and ``TaskID`` are one name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from conformance.jsonpath import child_segment

#: Containers whose content echoes the request or links elsewhere: never a place for a result.
ECHO_KEYS: frozenset[str] = frozenset(
    {
        "input",
        "inputs",
        "param",
        "params",
        "parameters",
        "request",
        "requestbody",
        "generateparam",
        "arguments",
        "args",
        "config",
        "settings",
        "metadata",
        "urls",
        "links",
        "meta",
        "options",
    }
)
_MAX_DEPTH = 12
_MAX_LEAVES = 5000


def fold(name: str) -> str:
    """``task_id``, ``taskId``, ``Task-ID`` -> ``taskid``."""
    return name.lower().replace("_", "").replace("-", "")


@dataclass(frozen=True, slots=True)
class Leaf:
    """One value in a body: its path parts (``str`` keys, ``int`` indexes), the value, and where JSON was decoded."""

    parts: tuple[str | int, ...]
    value: Any
    decoded_from: str | None = None  # the path of the string holding the JSON this leaf is inside

    @property
    def key(self) -> str:
        """The folded name of the nearest object key (``videos[0]`` -> ``videos``)."""
        for part in reversed(self.parts):
            if isinstance(part, str):
                return fold(part)
        return ""

    @property
    def in_array(self) -> bool:
        return any(isinstance(part, int) for part in self.parts)

    @property
    def echoed(self) -> bool:
        return any(isinstance(part, str) and fold(part) in ECHO_KEYS for part in self.parts[:-1])

    @property
    def depth(self) -> int:
        return len(self.parts)

    def path(self, *, wildcard: bool = False) -> str:
        """The RFC 9535 path; ``wildcard`` turns every index into ``[*]`` (every item)."""
        return render(self.parts, wildcard=wildcard)


def render(parts: tuple[str | int, ...], *, wildcard: bool = False) -> str:
    """``("data", "videos", 0, "url")`` -> ``$.data.videos[0].url`` (or ``[*]``)."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += "[*]" if wildcard else f"[{part}]"
        else:
            out += child_segment(part)
    return out


def _json_in_string(value: str) -> Any:
    text = value.strip()
    if len(text) < 2 or text[0] not in "{[":
        return None
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict | list) and parsed else None


def leaves(body: Any) -> Iterator[Leaf]:
    """Every scalar (and ``null``) in ``body``, depth-first; a string holding JSON is walked as JSON too."""
    count = 0

    def walk(node: Any, parts: tuple[str | int, ...], decoded: str | None) -> Iterator[Leaf]:
        nonlocal count
        if count >= _MAX_LEAVES or len(parts) > _MAX_DEPTH:
            return
        if isinstance(node, dict):
            for key, child in node.items():
                yield from walk(child, (*parts, str(key)), decoded)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                yield from walk(child, (*parts, index), decoded)
        else:
            count += 1
            leaf = Leaf(parts, node, decoded)
            yield leaf
            if isinstance(node, str) and decoded is None and not leaf.echoed and not leaf.in_array and parts:
                inner = _json_in_string(node)
                if inner is not None and fold(str(parts[-1])) not in ECHO_KEYS:
                    yield from walk(inner, parts, render(parts))

    yield from walk(body, (), None)
