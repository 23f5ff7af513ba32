"""Plain data types shared by every layer: exchanges, evidence, outcomes and check results.

This module imports nothing from the package. Everything here is immutable, so a result built in
replay mode and one built live compare equal when they judged the same bytes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    """The one verdict every check result carries."""

    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    SKIPPED = "skipped"
    ERROR = "error"


class Severity(enum.StrEnum):
    """How much a failed check matters to a client integration."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class TaskStatus(enum.StrEnum):
    """Canonical Kling task status (note: Kling says ``succeed``, not ``succeeded``)."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        """Whether no further transition is legal."""
        return self in (TaskStatus.SUCCEED, TaskStatus.FAILED)

    @property
    def rank(self) -> int:
        """Position in the forward-only lifecycle (unknown ranks lowest and never counts as progress)."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    TaskStatus.UNKNOWN: -1,
    TaskStatus.SUBMITTED: 0,
    TaskStatus.PROCESSING: 1,
    TaskStatus.SUCCEED: 2,
    TaskStatus.FAILED: 2,
}


class EvidenceKind(enum.StrEnum):
    """Where a piece of evidence came from. Reports never blur these."""

    DOC_DERIVED = "doc-derived"
    EMULATOR = "emulator"
    LIVE = "live"
    FUZZ = "fuzz"
    USER_SUPPLIED = "user-supplied"
    #: A real gateway engine (new-api, one-hub, …) built from its public source and run locally, in front
    #: of the emulated Kling upstream: real engine code, but not a real deployment and not real Kling.
    ENGINE = "engine"


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """The provenance of a cassette, an exchange or a result.

    ``source`` is the document file and line range for doc-derived evidence, the base-URL host for
    live evidence, the emulator profile for emulator evidence and ``<repo>@<commit>`` for engine
    evidence. ``recorded_at`` is an ISO date.
    """

    kind: EvidenceKind
    source: str = ""
    recorded_at: str = ""
    tool_version: str = ""

    def label(self) -> str:
        """Short human label, e.g. ``live (api.example.com, 2026-11-22)``; engine evidence reads
        ``engine <repo>@<commit>, run locally on <date>, upstream emulated by kling-conformance <version>``."""
        if self.kind is EvidenceKind.ENGINE:
            when = f", run locally on {self.recorded_at}" if self.recorded_at else ", run locally"
            version = f" {self.tool_version}" if self.tool_version else ""
            return f"engine {self.source or 'unknown'}{when}, upstream emulated by kling-conformance{version}"
        parts = [p for p in (self.source, self.recorded_at) if p]
        return f"{self.kind.value} ({', '.join(parts)})" if parts else self.kind.value

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "kind": self.kind.value,
            "source": self.source,
            "recorded_at": self.recorded_at,
            "tool_version": self.tool_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Inverse of :meth:`to_dict`."""
        return cls(
            kind=EvidenceKind(data["kind"]),
            source=str(data.get("source", "")),
            recorded_at=str(data.get("recorded_at", "")),
            tool_version=str(data.get("tool_version", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """A request as it was sent (already redacted when it comes from disk)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """First header value with that name, case-insensitively."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedResponse:
    """A response as it was received; ``truncated`` is set when the body cap cut it."""

    status_code: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        """First header value with that name, case-insensitively."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One request and its response (or the transport error that replaced it).

    ``operation_id`` is the canonical spec's operationId (``image2video.create``); ``scenario`` names
    the catalog scenario that made the call; ``ref`` is a stable reference used by reports
    (``<gateway>/<scenario>#<index>``).
    """

    ref: str
    gateway: str
    operation_id: str
    scenario: str
    request: RecordedRequest
    response: RecordedResponse | None
    evidence: Evidence
    error: str | None = None
    elapsed_ms: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The verdict of one check on one gateway (and one operation, where the check is per operation)."""

    gateway: str
    check: str
    outcome: Outcome
    severity: Severity
    evidence: Evidence
    operation: str = ""
    area: str = ""
    message: str = ""
    expected: Any = None
    actual: Any = None
    json_path: str = ""
    exchange_ref: str = ""
    reason: str = ""
    subject: str = ""  # finer label below the operation: the scenario judged (e.g. image2video.create.param.sound)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``results[]`` item of report.json)."""
        return {
            "gateway": self.gateway,
            "check": self.check,
            "operation": self.operation,
            "area": self.area,
            "outcome": self.outcome.value,
            "severity": self.severity.value,
            "evidence": self.evidence.to_dict(),
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "json_path": self.json_path,
            "exchange_ref": self.exchange_ref,
            "reason": self.reason,
            "subject": self.subject,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """Inverse of :meth:`to_dict`."""
        return cls(
            gateway=data["gateway"],
            check=data["check"],
            operation=data.get("operation", ""),
            area=data.get("area", ""),
            outcome=Outcome(data["outcome"]),
            severity=Severity(data["severity"]),
            evidence=Evidence.from_dict(data["evidence"]),
            message=data.get("message", ""),
            expected=data.get("expected"),
            actual=data.get("actual"),
            json_path=data.get("json_path", ""),
            exchange_ref=data.get("exchange_ref", ""),
            reason=data.get("reason", ""),
            subject=str(data.get("subject", "") or ""),
        )


# --------------------------------------------------------------------------- shards and waivers
# Shared by the harness's judge (which writes these results) and ``merge`` (which joins shards).

#: Skip reason of a scenario (and its results) that another shard of a ``--shard i/n`` run owns.
OTHER_SHARD = "other shard"
#: Reason of a stale-waiver result: a profile departure whose check passed everywhere in its scope.
STALE_WAIVER = "stale waiver"
#: Reason of a shard's stale-waiver candidate whose scope reaches into other shards (``merge`` decides).
STALE_WAIVER_PENDING = "stale waiver pending merge"
#: Subject prefix of stale-waiver results: ``waiver:<departure id>``.
WAIVER_SUBJECT = "waiver:"


def in_waiver_scope(result: CheckResult, check: str, operation: str, json_path: str) -> bool:
    """Whether ``result`` is a judgement that a departure of ``check``/``operation``/``json_path`` covers.

    Gateway-level "found nothing" skips (no operation, no subject) and stale-waiver results themselves
    lie outside every scope.
    """
    if result.check != check or result.subject.startswith(WAIVER_SUBJECT):
        return False
    if result.outcome is Outcome.SKIPPED and not result.operation and not result.subject:
        return False
    if operation and result.operation and result.operation != operation:
        return False
    return not json_path or result.json_path == json_path


def example_pass_key(result: CheckResult) -> tuple[bool, str, tuple[str, str, str]]:
    """Order among passes for the one a stale waiver points at (by content, so shards agree)."""
    ev = result.evidence
    return (not result.exchange_ref, result.exchange_ref, (ev.kind.value, ev.source, ev.recorded_at))
