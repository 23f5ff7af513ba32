"""JSONPath expressions of writing/driving keys, compiled once per distinct text.

Profiles name places in a gateway's bodies with RFC 9535 JSONPath (the same language as the reading
keys, through the maintained ``jsonpath-rfc9535`` library): ``$.status_url``, ``$.data.task_id``,
``$['a.b']`` for keys holding ``.`` or ``[``. :func:`compile_expression` raises ``ValueError`` with
the library's message for a bad expression (the profile builder turns it into a ``ProfileError``).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonpath_rfc9535
from jsonpath_rfc9535.exceptions import JSONPathError


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Any:
    """The compiled query of ``text`` (cached); ``ValueError`` when it is not an RFC 9535 JSONPath query."""
    if not text.startswith("$"):
        raise ValueError("a JSONPath query starts with $ (e.g. $.status_url)")
    try:
        return jsonpath_rfc9535.compile(text)
    except JSONPathError as exc:
        raise ValueError(str(exc).replace("\n", " ")) from None


def search(text: str, data: Any) -> Any:
    """The first value ``text`` selects in ``data`` (``None`` when nothing matches or the query is bad)."""
    try:
        node = compile_expression(text).find_one(data)
    except (ValueError, JSONPathError, TypeError):
        return None
    return None if node is None else node.value
