"""Optional per-gateway rate limit (token bucket) for the emulator."""

from __future__ import annotations

import math


class RateLimiter:
    """``rate`` requests per second with bursts of ``burst``, one bucket per gateway."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, gateway: str, now: float) -> int | None:
        """Take a token; ``None`` when allowed, else the whole seconds to wait (for ``Retry-After``)."""
        tokens, last = self._buckets.get(gateway, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[gateway] = (tokens - 1.0, now)
            return None
        self._buckets[gateway] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))
