"""The replay index: recorded interactions by request, O(1) per lookup, without any HTTP library.

Interactions are indexed by ``(scenario, method, normalised URL, body hash)`` into FIFO queues, so
repeated identical polls replay in the order they were recorded. The URL is normalised relative to the
base URL it was recorded against (so a cassette recorded on the emulator's random port replays against
any base URL), with secret query parameters redacted and parameters sorted; the body hash is taken
after the same redaction and base64 shrinking the recorder applied. A request with no recorded match
raises :class:`conformance.harness.replay.ReplayMiss`, whose message names the nearest recorded request.

The harness looks requests up here directly; :mod:`conformance.harness.replay` wraps the index in an
httpx transport for third-party code (and is the only part that needs httpx).
"""

from __future__ import annotations

import difflib
import functools
import urllib.parse
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from conformance.harness.cassette import Cassette, Interaction
from conformance.harness.redact import body_key, redact_body, redact_url

#: Request extension carrying the scenario id (so identical requests of two scenarios never collide).
SCENARIO_EXTENSION = "kling_scenario"

IndexKey = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class ReplaySource:
    """What the harness replays one gateway from: the index and the base URL it stands in for."""

    index: ReplayIndex
    base_url: str


@functools.lru_cache(maxsize=8192)  # polls repeat the same few URLs thousands of times per run
def relative_url(url: str, base_url: str) -> str:
    """``url`` below ``base_url``, with sorted query and redacted secrets (``/kling/v1/videos/x?a=1``)."""
    url = redact_url(url)
    parts = urllib.parse.urlsplit(url)
    base_path = urllib.parse.urlsplit(base_url).path.rstrip("/") if base_url else ""
    path = parts.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    return f"{path}?{query}" if query else path


class ReplayIndex:
    """Recorded interactions of one gateway, indexed for O(1) lookup."""

    def __init__(self, cassettes: Iterable[Cassette]) -> None:
        self._queues: dict[IndexKey, deque[Interaction]] = {}
        self._by_scenario: dict[str, list[tuple[IndexKey, Interaction]]] = {}
        self._base_urls: dict[str, str] = {}
        for cassette in cassettes:
            self.add(cassette)

    def add(self, cassette: Cassette) -> None:
        """Index every interaction of ``cassette`` under its scenario."""
        self._base_urls[cassette.scenario] = cassette.base_url
        listing = self._by_scenario.setdefault(cassette.scenario, [])
        for item in cassette.interactions:
            key = (
                cassette.scenario,
                item.request.method.upper(),
                relative_url(item.request.url, cassette.base_url),
                body_key(item.request.body),
            )
            self._queues.setdefault(key, deque()).append(item)
            listing.append((key, item))

    def __contains__(self, scenario: object) -> bool:
        return scenario in self._by_scenario

    def pending(self, scenario: str, method: str, url: str, base_url: str, body: bytes = b"") -> bool:
        """Whether a recorded reply is still waiting for this request (replay stops polling when not)."""
        key = (scenario, method.upper(), relative_url(url, base_url), body_key(redact_body(body)))
        return bool(self._queues.get(key))

    def purposes(self, scenario: str) -> set[str]:
        """The purposes (create, poll, result-fetch, ...) recorded for ``scenario``."""
        return {item.purpose for _, item in self._by_scenario.get(scenario, [])}

    def take(self, scenario: str, method: str, url: str, base_url: str, body: bytes) -> Interaction:
        """Pop the next recorded interaction for this request, or raise :class:`ReplayMiss`."""
        key = (scenario, method.upper(), relative_url(url, base_url), body_key(redact_body(body)))
        queue = self._queues.get(key)
        if queue:
            return queue.popleft()
        from conformance.harness.replay import ReplayMiss  # httpx loads only when a request misses

        raise ReplayMiss(self._miss_message(key, exhausted=queue is not None))

    def _miss_message(self, key: IndexKey, *, exhausted: bool) -> str:
        scenario, method, rel, _ = key
        what = f"{method} {rel}"
        if exhausted:
            return f"replay: {what} was recorded for scenario {scenario!r} but every recorded reply was already used"
        recorded = self._by_scenario.get(scenario)
        if not recorded:
            return f"replay: no cassette for scenario {scenario!r} (request {what})"
        candidates = [f"{k[1]} {k[2]}" for k, _ in recorded]
        nearest = difflib.get_close_matches(what, candidates, n=1, cutoff=0.0)
        hint = nearest[0] if nearest else candidates[0]
        same_target = [k for k, _ in recorded if k[1] == method and k[2] == rel]
        detail = " (same method and URL, different body)" if same_target else ""
        return f"replay: {what} is not in the cassette of {scenario!r}; nearest recorded request: {hint}{detail}"
