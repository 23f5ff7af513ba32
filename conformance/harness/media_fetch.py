"""Result-fetch plumbing between the executor and :mod:`.media_probe`: reads, stored shape, facts per task.

A result fetch is sent like every other request (``GatewayClient.send``, purpose ``result-fetch``), so
the address guard, the timeouts and a per-request body cap apply. What a cassette keeps of it is the
status and headers with an empty body: the file's bytes never reach disk, the probe's facts (and the
SHA-256 of the bytes read) do, in ``kling_conformance.meta.media``, so a replay judges the same facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from conformance.harness.client import Attempted
from conformance.harness.media_probe import Fetch, ProbeLimits, Read, probe_media
from conformance.models import Exchange

__all__ = ["MAX_PROBED", "MAX_READS", "Fetch", "Read", "probe_all", "read_of", "without_bodies"]

#: Result files probed per task (a generation of n = 9 images needs no more to show count and aspect).
MAX_PROBED = 4
#: Reads per file a replay re-sends at most (a probe makes 1 + jumps + 1).
MAX_READS = 8


def read_of(exchange: Exchange) -> Read:
    """What the probe needs of one result-fetch exchange."""
    response = exchange.response
    if response is None:
        return Read(status=None, headers={}, body=b"", error=exchange.error or "no response")
    headers = {k.lower(): v for k, v in response.headers}
    return Read(status=response.status_code, headers=headers, body=response.body, error=exchange.error or "")


def _bodiless(response: Any) -> Any:
    return dataclasses.replace(response, body=b"") if response is not None else None


def without_bodies(attempted: Attempted) -> Attempted:
    """``attempted`` with every response body emptied (status and headers kept)."""
    exchange = dataclasses.replace(attempted.exchange, response=_bodiless(attempted.exchange.response))
    interactions = [dataclasses.replace(i, response=_bodiless(i.response)) for i in attempted.interactions]
    return Attempted(exchange=exchange, interactions=interactions)


async def probe_all(
    urls: tuple[str, ...], fetcher: Callable[[str], Fetch], limits: ProbeLimits | None = None
) -> dict[str, Any]:
    """``{"urls": <how many results>, "files": [facts of each probed file, with its index]}``."""
    files = [{"index": index, **await probe_media(fetcher(url), limits)} for index, url in enumerate(urls)]
    return {"urls": len(urls), "files": files}
