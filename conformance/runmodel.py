"""The result of one conformance run, as the harness produces it and the reporters consume it.

``report.json`` is :meth:`RunReport.to_dict`; its JSON Schema is ``specs/report.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.models import CheckResult, Evidence, Outcome

REPORT_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One fact seen about a gateway, used by the shape view, ``compare`` and ``diff``.

    Keys in use: ``response_shape``, ``status_words``, ``id_format``, ``timestamp_unit``,
    ``error_shape``, ``error_status:<situation>`` (situation: auth, invalid_param, unknown_task,
    type_mismatch), ``accepted_param:<name>`` (value: accepted | rejected | dropped),
    ``operation_supported`` (bool), ``callback`` (official | upstream-id | none), ``field_paths``
    (sorted list of JSON paths present in the success body).
    """

    gateway: str
    operation: str
    key: str
    value: Any
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "gateway": self.gateway,
            "operation": self.operation,
            "key": self.key,
            "value": self.value,
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Observation:
        """Inverse of :meth:`to_dict`."""
        return cls(
            gateway=data["gateway"],
            operation=data.get("operation", ""),
            key=data["key"],
            value=data.get("value"),
            evidence=Evidence.from_dict(data["evidence"]),
        )


@dataclass(slots=True, kw_only=True)
class RunMeta:
    """Run metadata: who ran what, when, how."""

    run_id: str
    tool_version: str
    spec_hash: str
    mode: str  # replay | record | live | fuzz
    started_at: str
    finished_at: str = ""
    incomplete: bool = False
    gateways: list[str] = field(default_factory=list)
    shard: str = ""  # "i/n" when sharded
    budget: dict[str, Any] = field(default_factory=dict)  # {"max_paid_tasks": N|None, "paid_tasks_used": M}
    partial: str = ""  # set by `merge --allow-partial` when shards are missing: which were merged, which not

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id,
            "tool_version": self.tool_version,
            "spec_hash": self.spec_hash,
            "mode": self.mode,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "incomplete": self.incomplete,
            "gateways": list(self.gateways),
            "shard": self.shard,
            "budget": dict(self.budget),
        } | ({"partial": self.partial} if self.partial else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunMeta:
        """Inverse of :meth:`to_dict`."""
        return cls(
            run_id=data["run_id"],
            tool_version=data["tool_version"],
            spec_hash=data["spec_hash"],
            mode=data["mode"],
            started_at=data["started_at"],
            finished_at=data.get("finished_at", ""),
            incomplete=bool(data.get("incomplete", False)),
            gateways=list(data.get("gateways", [])),
            shard=data.get("shard", ""),
            budget=dict(data.get("budget", {})),
            partial=str(data.get("partial", "")),
        )


@dataclass(slots=True, kw_only=True)
class RunReport:
    """Everything one run produced. ``exchanges`` maps an exchange ref to its redacted summary
    (``{"request": {...}, "response": {...}, "error": ...}``)."""

    meta: RunMeta
    results: list[CheckResult] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    exchanges: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def has_findings(self) -> bool:
        """Whether any result failed or errored (exit code 1)."""
        return any(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """The report.json document."""
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "meta": self.meta.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "observations": [o.to_dict() for o in self.observations],
            "exchanges": self.exchanges,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        """Inverse of :meth:`to_dict`."""
        return cls(
            meta=RunMeta.from_dict(data["meta"]),
            results=[CheckResult.from_dict(r) for r in data.get("results", [])],
            observations=[Observation.from_dict(o) for o in data.get("observations", [])],
            exchanges=dict(data.get("exchanges", {})),
        )
