"""One response per request: a keep-alive connection whose server sent more than it was asked for is closed.

A hostile or broken gateway can send a second response (or any bytes) after the one a request asked
for. On a reused HTTP/1.1 connection those bytes would answer the *next* request, of another scenario
(a false ``auth_missing_key_rejected`` fail once). httpcore already drops an idle connection whose socket
has become readable; bytes that arrived in the same read as the response sit in h11's buffer instead.
:func:`install` closes such a connection as soon as its response is done, so the extra bytes are
discarded and the next request opens a fresh connection. It wraps httpcore's own "response closed"
step (async and sync pools alike), once per process; with an httpcore that lacks that step it does
nothing (``tests/harness/test_one_response.py`` then fails, which is the signal to revisit it).
"""

from __future__ import annotations

import functools
from typing import Any

_installed = False


def install() -> None:
    """Close every HTTP/1.1 connection that holds unrequested bytes once its response is done."""
    global _installed
    if _installed:
        return
    _installed = True
    try:
        from httpcore._async.http11 import AsyncHTTP11Connection
        from httpcore._sync.http11 import HTTP11Connection
    except ImportError:  # pragma: no cover - another httpcore layout: nothing to guard
        return
    _wrap_async(AsyncHTTP11Connection)
    _wrap_sync(HTTP11Connection)


def _holds_extra_bytes(connection: Any) -> bool:
    state = getattr(connection, "_h11_state", None)
    trailing = getattr(state, "trailing_data", (b"", False))
    return bool(trailing[0]) and getattr(getattr(connection, "_state", None), "name", "") == "IDLE"


def _wrap_async(cls: Any) -> None:
    original = getattr(cls, "_response_closed", None)
    if original is None or getattr(original, "_kling_guarded", False):  # pragma: no cover
        return

    @functools.wraps(original)
    async def response_closed(self: Any) -> None:
        await original(self)
        if _holds_extra_bytes(self):
            await self.aclose()

    response_closed._kling_guarded = True  # type: ignore[attr-defined]
    cls._response_closed = response_closed


def _wrap_sync(cls: Any) -> None:
    original = getattr(cls, "_response_closed", None)
    if original is None or getattr(original, "_kling_guarded", False):  # pragma: no cover
        return

    @functools.wraps(original)
    def response_closed(self: Any) -> None:
        original(self)
        if _holds_extra_bytes(self):
            self.close()

    response_closed._kling_guarded = True  # type: ignore[attr-defined]
    cls._response_closed = response_closed
