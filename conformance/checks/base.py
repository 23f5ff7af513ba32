"""The check contract: what a check sees, what it returns, and how it is registered.

Checks are pure functions over already-captured exchanges (no I/O), so a replay and a live run judge
identically. The harness runs *scenarios* (calls to make, see ``conformance.harness.scenarios``),
groups the captured exchanges into :class:`ScenarioTrace` objects, builds one :class:`CheckContext`
per gateway and calls every registered check. The harness then turns each :class:`Verdict` into a
:class:`~conformance.models.CheckResult`, applying the profile's waivers (a ``fail`` whose check and
operation match a profile departure becomes ``waived``; a departure that never matched a ``fail`` is
reported as a stale waiver).

Scenario ids are ``<operationId>.<case>``, for example ``image2video.create.minimal``,
``image2video.create.invalid.bad-duration``, ``text2video.get.unknown``, plus the gateway-wide
``auth.missing-key`` and ``auth.invalid-key``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.models import Evidence, Exchange, Outcome, Severity
from conformance.registry import Registry

if TYPE_CHECKING:
    from conformance.normalize.result import NormalizedResponse
    from conformance.profiles.model import GatewayProfile


class Area(enum.StrEnum):
    """Groups of checks, as the reports show them."""

    REQUEST_ACCEPTANCE = "request-acceptance"
    INVALID_REQUESTS = "invalid-requests"
    RESPONSE_SHAPE = "response-shape"
    LIFECYCLE = "lifecycle"
    QUERIES = "queries"
    ERRORS_AUTH = "errors-auth"
    CALLBACKS = "callbacks"


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackDelivery:
    """One callback POST received by the local receiver during a scenario."""

    received_at_ms: float
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioTrace:
    """Everything one scenario captured, in order.

    ``exchanges[0]`` is the scenario's main request (the create, the query, ...); for lifecycle
    scenarios the following exchanges are the polls of the created task. ``skipped_reason`` is set
    when the scenario was not run (``budget``, ``not supported``, ``not documented``,
    ``no evidence``); ``error`` when the harness could not complete it (transport failure, deadline).
    """

    scenario: str
    operation_id: str
    gateway: str
    evidence: Evidence
    exchanges: tuple[Exchange, ...] = ()
    paid: bool = False
    skipped_reason: str = ""
    error: str = ""
    deadline_exceeded: bool = False
    callbacks: tuple[CallbackDelivery, ...] = ()
    request_body: Any = None  # the JSON body the scenario meant to send (before redaction)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def main(self) -> Exchange | None:
        """The scenario's first exchange, if any."""
        return self.exchanges[0] if self.exchanges else None

    @property
    def polls(self) -> tuple[Exchange, ...]:
        """Exchanges after the first (the polls of a lifecycle scenario)."""
        return self.exchanges[1:]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """What a check says about one (operation, scenario). ``outcome`` is never ``waived``: the harness decides that."""

    outcome: Outcome
    operation: str = ""
    message: str = ""
    expected: Any = None
    actual: Any = None
    json_path: str = ""
    exchange_ref: str = ""
    evidence: Evidence | None = None  # defaults to the evidence of exchange_ref's scenario
    reason: str = ""  # for ``skipped``: not documented | not supported | budget | no evidence
    subject: str = ""  # the scenario judged (``_support``'s builders set it from ``trace``); empty: the whole operation


class CheckContext:
    """What a check may look at for one gateway. Built by the harness; read-only for checks."""

    def __init__(
        self,
        *,
        profile: GatewayProfile,
        traces: dict[str, ScenarioTrace],
        normalizer: Callable[[Exchange], NormalizedResponse],
        mode: str = "replay",
    ) -> None:
        self.profile = profile
        self.gateway = profile.id
        self.traces = traces
        self.mode = mode
        self._normalizer = normalizer
        self._cache: dict[str, NormalizedResponse] = {}

    def trace(self, scenario: str) -> ScenarioTrace | None:
        """The trace of ``scenario``, or ``None`` when it was not planned for this gateway."""
        return self.traces.get(scenario)

    def traces_matching(self, predicate: Callable[[ScenarioTrace], bool]) -> list[ScenarioTrace]:
        """Traces for which ``predicate`` holds, in scenario order."""
        return [t for t in self.traces.values() if predicate(t)]

    def normalized(self, exchange: Exchange) -> NormalizedResponse:
        """The normalizer's reading of ``exchange``'s response (cached per exchange ref)."""
        cached = self._cache.get(exchange.ref)
        if cached is None:
            cached = self._normalizer(exchange)
            self._cache[exchange.ref] = cached
        return cached


CheckFunction = Callable[[CheckContext], Iterable[Verdict]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSpec:
    """A registered check: the function plus its metadata. ``description`` is the docstring's first line."""

    id: str
    function: CheckFunction
    description: str
    severity: Severity
    area: Area
    operations: tuple[str, ...]  # operation kinds or ids it applies to; () = gateway-wide
    paid: bool  # whether its evidence needs a paid (task-creating) call
    scenarios: tuple[str, ...] = ()  # scenario id patterns it reads (fnmatch); informs `plan`
    basis: str = "canonical"  # what a pass means: canonical (Kling contract) | profile | document


CHECKS: Registry[CheckSpec] = Registry("check")


def check(
    *,
    severity: Severity,
    area: Area,
    operations: tuple[str, ...] = (),
    paid: bool = False,
    scenarios: tuple[str, ...] = (),
    basis: str = "canonical",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under its ``__name__`` (snake_case); its docstring is its description.

    ``basis`` says what the check judges against: ``canonical`` (the official Kling contract; the
    profile's departures only turn expected fails into waivers), ``profile`` (the gateway profile's
    expectations) or ``document`` (the gateway's own published document).
    """

    def decorator(function: CheckFunction) -> CheckFunction:
        doc = (function.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"check {function.__name__!r} needs a docstring: its first line is its description")
        CHECKS.add(
            function.__name__,
            CheckSpec(
                id=function.__name__,
                function=function,
                description=doc.splitlines()[0],
                severity=severity,
                area=area,
                operations=operations,
                paid=paid,
                scenarios=scenarios,
                basis=basis,
            ),
        )
        return function

    return decorator
