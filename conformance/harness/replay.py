"""The replay transport: serves recorded cassettes to httpx from a :class:`ReplayIndex`, never touching the network.

The index itself (O(1) lookup, repeated polls in recorded order) is :mod:`conformance.harness.replay_index`,
which needs no HTTP library; a request with no recorded match raises :class:`ReplayMiss` (an
``httpx.TransportError``, and a ``LookupError``), whose message names the nearest recorded request.
"""

from __future__ import annotations

import httpx

from conformance.harness.replay_index import SCENARIO_EXTENSION, IndexKey, ReplayIndex, ReplaySource, relative_url

__all__ = [
    "SCENARIO_EXTENSION",
    "IndexKey",
    "RecordedTransportError",
    "ReplayIndex",
    "ReplayMiss",
    "ReplaySource",
    "ReplayTransport",
    "relative_url",
]


class ReplayMiss(httpx.TransportError, LookupError):
    """A request that no cassette recorded."""


class RecordedTransportError(httpx.TransportError):
    """The recording itself saw a transport error for this request; replay reproduces it."""


class ReplayTransport(httpx.AsyncBaseTransport):
    """An httpx transport answering from a :class:`ReplayIndex`; no socket is ever opened."""

    def __init__(self, index: ReplayIndex, base_url: str) -> None:
        self.index = index
        self.base_url = base_url

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve the next recorded response for ``request``."""
        scenario = str(request.extensions.get(SCENARIO_EXTENSION, ""))
        body = request.content if request.stream is not None else b""
        item = self.index.take(scenario, request.method, str(request.url), self.base_url, body)
        if item.response is None:
            raise RecordedTransportError(f"recorded transport error: {item.error}", request=request)
        return httpx.Response(
            item.response.status_code,
            headers=list(item.response.headers),
            stream=httpx.ByteStream(item.response.body),  # raw bytes, no added headers (as recorded)
            request=request,
            extensions={"kling_recorded_ms": item.elapsed_ms, "kling_body_note": item.note, "kling_seq": item.seq},
        )
