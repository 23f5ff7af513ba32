"""Bounds on what one body may cost to judge: long lists are judged on their first items only.

A hostile gateway can answer a list query with 100,000 items; every check, the normalizer and the
observations walking all of them took minutes and gigabytes. :func:`trim_lists` gives the judges a view
of the document with every list cut to :data:`MAX_LIST_ITEMS` (the stored body is untouched), and says
how long the longest cut list was, so the reader can note it.
"""

from __future__ import annotations

from typing import Any

#: Items of one list that are judged; the rest are counted, not read.
MAX_LIST_ITEMS = 1000


def _has_long_list(value: Any, limit: int) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            if len(node) > limit:
                return True
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False


def _trimmed(value: Any, limit: int, longest: list[int]) -> Any:
    if isinstance(value, list):
        if len(value) > limit:
            longest[0] = max(longest[0], len(value))
        return [_trimmed(v, limit, longest) for v in value[:limit]]
    if isinstance(value, dict):
        return {k: _trimmed(v, limit, longest) for k, v in value.items()}
    return value


def trim_lists(value: Any, limit: int = MAX_LIST_ITEMS) -> tuple[Any, int]:
    """``(value, 0)`` when no list is longer than ``limit``; else a copy with every list cut to ``limit``
    items and the length of the longest list that was cut. ``value`` itself is never changed."""
    if not _has_long_list(value, limit):
        return value, 0
    longest = [0]
    try:
        return _trimmed(value, limit, longest), longest[0]
    except RecursionError:  # long *and* nested past the interpreter's limit: judge nothing of it
        return None, longest[0] or limit + 1


def trim_note(longest: int, limit: int = MAX_LIST_ITEMS) -> str:
    """The note a reader adds when :func:`trim_lists` cut a list."""
    return f"list of {longest} items: only the first {limit} are judged"
