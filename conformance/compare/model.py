"""The result types of ``compare``: difference kinds, one difference, the whole comparison."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from conformance.compare import adapters
from conformance.compare.uses import Uses


class Kind(enum.StrEnum):
    """Difference kinds, in the order they are listed."""

    BASE_PATH = "base-path"
    AUTH_SCHEME = "auth-scheme"
    TLS = "tls"
    OPERATION_MISSING = "operation-missing"
    CREATE_REFUSED = "create-refused"
    ENDPOINT_MISSING = "endpoint-missing"
    PARAM_REJECTED = "param-rejected"
    PARAM_DROPPED = "param-dropped"
    RESPONSE_SHAPE = "response-shape"
    FIELD_MOVED = "field-moved"
    FIELD_TYPE_CHANGED = "field-type-changed"
    FIELD_MISSING = "field-missing"
    STATUS_VOCABULARY = "status-vocabulary"
    ID_FORMAT = "id-format"
    TIMESTAMP_UNIT = "timestamp-unit"
    ERROR_SHAPE = "error-shape"
    ERROR_STATUS = "error-status"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """One way B departs from A, with its impact on a client and the evidence of both sides."""

    kind: Kind
    operation: str  # "" for gateway-wide aspects
    subject: str  # parameter, JSON path, error situation or aspect name
    from_value: Any
    to_value: Any
    impact: str
    touches_usage: bool
    evidence_from: str
    evidence_to: str
    adapter: str = ""
    mapping: dict[str, Any] = field(default_factory=dict)

    @property
    def breaking(self) -> bool:
        """A difference breaks the client when it touches what the client uses."""
        return self.touches_usage

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind.value,
            "operation": self.operation,
            "subject": self.subject,
            "from": self.from_value,
            "to": self.to_value,
            "impact": self.impact,
            "breaking": self.breaking,
            "evidence": {"from": self.evidence_from, "to": self.evidence_to},
            "adapter": self.adapter,
            "mapping": self.mapping,
        }


@dataclass(slots=True, kw_only=True)
class Comparison:
    """The result of ``compare --from A --to B``."""

    from_gateway: str
    to_gateway: str
    sources: list[str]
    uses: Uses
    differences: list[Difference] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # aspects that could not be compared (no evidence)
    notes: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> list[Difference]:
        """Differences that break the declared usage."""
        return [d for d in self.differences if d.breaking]

    def to_dict(self) -> dict[str, Any]:
        """The JSON output of ``compare --format json``."""
        return {
            "from": self.from_gateway,
            "to": self.to_gateway,
            "sources": self.sources,
            "uses": self.uses.to_dict(),
            "breaking": bool(self.breaking),
            "summary": {"differences": len(self.differences), "breaking": len(self.breaking)},
            "differences": [d.to_dict() for d in self.differences],
            "adapter": adapters.adapter_spec(self.breaking),
            "gaps": self.gaps,
            "notes": self.notes,
        }
