"""Clocks the harness waits on: a real one for live runs, a virtual one for replay.

Replay must never sleep for real: poll intervals, backoff and Retry-After waits cost zero wall time.
Everything that waits takes a :class:`Clock`, so the same polling code serves both modes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic time plus an awaitable sleep."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (or pretend to)."""
        ...

    def fork(self) -> Clock:
        """A clock for one concurrent task (a real clock returns itself)."""
        ...


class RealClock:
    """Wall-clock time and real ``asyncio.sleep``."""

    def now(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Really wait."""
        await asyncio.sleep(max(0.0, seconds))

    def fork(self) -> Clock:
        """Real time is shared by every task."""
        return self


class VirtualClock:
    """A clock that jumps forward instead of waiting (replay, deterministic recordings).

    Concurrent tasks each :meth:`fork` their own virtual clock, so the polls of fifty replayed tasks
    do not add up into one inflated timeline; each task sees exactly the time it would have waited.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self.slept = 0.0  # total virtual seconds requested, for tests and benchmarks

    def now(self) -> float:
        """Current virtual time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward without yielding."""
        self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        """Advance virtual time by ``seconds`` and yield once to the event loop."""
        self.slept += max(0.0, seconds)
        self._now += max(0.0, seconds)
        await asyncio.sleep(0)

    def fork(self) -> Clock:
        """An independent virtual clock starting at the current virtual time."""
        return VirtualClock(self._now)


class SharedVirtualClock(VirtualClock):
    """One virtual timeline for every task (deterministic recordings: scenarios run one at a time and
    the emulator reads the same clock)."""

    def fork(self) -> Clock:
        """The same clock."""
        return self
