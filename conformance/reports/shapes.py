"""The side-by-side shape view: per operation, what each gateway was observed to do.

Rows are aspects (shape family, status words, id format, timestamp unit, error shape, error
statuses, callbacks, parameters, field paths); columns are gateways. A cell *differs* when its value is
not the reference value of the row: the official API's when it was observed, else the most common one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.runmodel import Observation, RunReport

REFERENCE_GATEWAY = "kling-official"

#: Aspects shown first, in this order; other keys follow sorted.
ASPECT_ORDER: tuple[str, ...] = (
    "operation_supported",
    "response_shape",
    "status_words",
    "id_format",
    "timestamp_unit",
    "error_shape",
    "callback",
)

ASPECT_TITLES: dict[str, str] = {
    "operation_supported": "supported",
    "response_shape": "shape family",
    "status_words": "status words",
    "id_format": "id format",
    "timestamp_unit": "timestamp unit",
    "error_shape": "error shape",
    "callback": "callback",
    "field_paths": "field paths",
}


def aspect_title(key: str) -> str:
    """Readable name of an observation key (``error_status:auth`` → ``HTTP status: auth``)."""
    if key.startswith("error_status:"):
        return f"HTTP status: {key.split(':', 1)[1].replace('_', ' ')}"
    if key.startswith("accepted_param:"):
        return f"param {key.split(':', 1)[1]}"
    return ASPECT_TITLES.get(key, key.replace("_", " "))


def value_text(value: Any) -> str:
    """Compact display text of an observation value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) if value else "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    return str(value)


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), str(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(sorted(str(v) for v in value))
    return value


@dataclass(slots=True)
class AspectRow:
    """One aspect of one operation across gateways."""

    key: str
    values: dict[str, Observation] = field(default_factory=dict)
    reference: Any = None

    def differs(self, gateway: str) -> bool:
        """Whether ``gateway``'s value departs from the row's reference value."""
        obs = self.values.get(gateway)
        return obs is not None and _comparable(obs.value) != self.reference


@dataclass(slots=True)
class OperationShapes:
    """The aspect rows of one operation (``""`` = gateway-wide facts)."""

    operation: str
    rows: list[AspectRow]


def _key_rank(key: str) -> tuple[int, str]:
    if key in ASPECT_ORDER:
        return (ASPECT_ORDER.index(key), key)
    if key.startswith("error_status:"):
        return (len(ASPECT_ORDER), key)
    if key == "field_paths":
        return (len(ASPECT_ORDER) + 2, key)
    return (len(ASPECT_ORDER) + 1, key)


def _operation_rank(operation: str) -> tuple[int, str, int]:
    if not operation:
        return (0, "", 0)
    family, _, kind = operation.rpartition(".")
    return (1, family, {"create": 0, "get": 1, "list": 2}.get(kind, 3))


def build_shapes(report: RunReport) -> list[OperationShapes]:
    """Group observations by operation and aspect, marking the reference value of every row."""
    table: dict[str, dict[str, AspectRow]] = {}
    for obs in report.observations:
        row = table.setdefault(obs.operation, {}).setdefault(obs.key, AspectRow(key=obs.key))
        row.values[obs.gateway] = obs  # later observations win
    result = []
    for operation in sorted(table, key=_operation_rank):
        rows = [table[operation][k] for k in sorted(table[operation], key=_key_rank)]
        for row in rows:
            if REFERENCE_GATEWAY in row.values:
                row.reference = _comparable(row.values[REFERENCE_GATEWAY].value)
            else:
                common = Counter(_comparable(o.value) for o in row.values.values()).most_common(1)
                row.reference = common[0][0] if common else None
        result.append(OperationShapes(operation=operation, rows=rows))
    return result
