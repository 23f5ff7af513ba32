"""Emulator configuration: accepted keys, time scale, seed, faults, limits and callback policy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from conformance.emulator.faults import FaultPlan

#: Environment variable ``kling-conformance serve`` reads accepted keys from (comma-separated).
DEFAULT_KEYS_ENV = "KLING_CONFORMANCE_EMULATOR_KEYS"

Schedule = tuple[tuple[str, float], ...]


#: Seconds a callback POST may take before the delivery counts as failed (and is retried).
DEFAULT_CALLBACK_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    """How the emulator behaves; every field has a safe default.

    ``keys``: accepted ``Authorization: Bearer`` keys. Empty means *open mode*: any non-empty, well-formed
    Bearer token is accepted (a missing or malformed header is still refused). A key written
    ``ACCESS_KEY|SECRET_KEY`` accepts official HS256 JWTs signed with that pair (1003/1004 on nbf/exp).
    ``time_scale``: multiplies every schedule offset (``0.001`` runs a 60 s task in 60 ms).
    ``seed``: seeds ids, task outcomes and probabilistic faults; the same seed and the same request
    sequence give the same answers.
    ``fail_share``: share of tasks (0..1) that end the Kling way: HTTP 200, code 0, status failed.
    ``task_seconds``: when set, rescales every profile schedule so the terminal status is reached after
    this many (unscaled) seconds. ``schedules``: per-gateway explicit schedules (raw word, seconds),
    which win over both.
    ``rate_limit``: requests per second per gateway (token bucket of ``rate_burst``); beyond it the
    gateway answers 429 (Kling 1302) with ``Retry-After``. ``max_running_tasks``: concurrent
    non-terminal tasks per gateway; beyond it create answers 429 (Kling 1303).
    ``callback_retries``: extra attempts after a failed callback delivery, with exponential backoff
    starting at ``callback_backoff`` seconds. ``callback_allow_remote``: deliver callbacks to
    non-loopback hosts too (off by default so that tests never leave the machine).
    ``max_tasks``: tasks kept in memory; the oldest are evicted beyond it.
    ``auth_accepts``: per-gateway credential kinds accepted (``api-key``, ``kling-jwt``), overriding the
    profile's ``[auth] accepts`` (``serve --auth GATEWAY=KINDS``).
    ``root``: a gateway id served at ``/`` instead of ``/{gateway-id}`` (for clients that take only a host).
    ``clock``: the wall clock (Unix seconds) every timestamp and schedule reads; ``None`` is
    ``time.time``. A recorder passes a virtual clock to get byte-stable bodies.
    """

    keys: tuple[str, ...] = ()
    time_scale: float = 1.0
    seed: int = 0
    faults: FaultPlan = field(default_factory=FaultPlan)
    fail_share: float = 0.0
    task_seconds: float | None = None
    schedules: Mapping[str, Schedule] = field(default_factory=dict)
    rate_limit: float | None = None
    rate_burst: int = 10
    max_running_tasks: int | None = None
    callback_retries: int = 3
    callback_backoff: float = 0.2
    callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT
    callback_allow_remote: bool = False
    max_tasks: int = 10_000
    clock: Callable[[], float] | None = None
    auth_accepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    root: str = ""

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        if not 0.0 <= self.fail_share <= 1.0:
            raise ValueError("fail_share must be within [0, 1]")
        if self.max_tasks < 1:
            raise ValueError("max_tasks must be >= 1")
        if self.callback_retries < 0:
            raise ValueError("callback_retries must be >= 0")
        for gateway, kinds in self.auth_accepts.items():
            unknown = [k for k in kinds if k not in ("api-key", "kling-jwt")]
            if unknown or not kinds:
                raise ValueError(f"auth_accepts[{gateway!r}]: use api-key and/or kling-jwt, not {list(kinds)}")
