"""The reader's view of a run that every human-facing reporter shares.

A *cell* is one (gateway, check) pair of the matrix. A check that runs per operation has several
results in a cell; the cell shows the worst outcome (fail > error > waived > pass > skipped) and the
evidence kinds behind it. Symbols read without colour, and each has an ASCII fallback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from conformance.models import CheckResult, EvidenceKind, Outcome
from conformance.runmodel import RunReport

#: Matrix symbol and ASCII fallback per outcome.
SYMBOLS: dict[Outcome, tuple[str, str]] = {
    Outcome.PASS: ("✅", "PASS"),
    Outcome.FAIL: ("❌", "FAIL"),
    Outcome.ERROR: ("⚠️", "ERROR"),
    Outcome.SKIPPED: ("➖", "SKIP"),
    Outcome.WAIVED: ("🟡", "WAIVED"),
}

#: One-letter evidence markers shown in every cell.
EVIDENCE_MARKERS: dict[EvidenceKind, str] = {
    EvidenceKind.DOC_DERIVED: "D",
    EvidenceKind.EMULATOR: "E",
    EvidenceKind.LIVE: "L",
    EvidenceKind.FUZZ: "F",
    EvidenceKind.USER_SUPPLIED: "U",
    EvidenceKind.ENGINE: "G",
}

#: How bad an outcome is when a cell aggregates several (higher is worse).
_SEVERITY_OF_OUTCOME = {
    Outcome.SKIPPED: 0,
    Outcome.PASS: 1,
    Outcome.WAIVED: 2,
    Outcome.ERROR: 3,
    Outcome.FAIL: 4,
}

#: Area display order (the check catalog's groups); unknown areas follow in order of appearance.
AREA_ORDER: tuple[str, ...] = (
    "request-acceptance",
    "invalid-requests",
    "response-shape",
    "lifecycle",
    "queries",
    "errors-auth",
    "callbacks",
)

AREA_TITLES: dict[str, str] = {
    "request-acceptance": "Request acceptance",
    "invalid-requests": "Invalid requests",
    "response-shape": "Response shape",
    "lifecycle": "Lifecycle",
    "queries": "Queries",
    "errors-auth": "Errors & auth",
    "callbacks": "Callbacks",
    "other": "Other",
}


def worst_outcome(outcomes: Iterable[Outcome]) -> Outcome:
    """The outcome a cell shows for several results."""
    return max(outcomes, key=_SEVERITY_OF_OUTCOME.__getitem__, default=Outcome.SKIPPED)


def evidence_marker(results: Iterable[CheckResult]) -> str:
    """Evidence letters of ``results`` in a fixed order, e.g. ``E`` or ``D+E``."""
    kinds = {r.evidence.kind for r in results}
    return "+".join(EVIDENCE_MARKERS[k] for k in EVIDENCE_MARKERS if k in kinds)


@dataclass(slots=True)
class Cell:
    """The results of one check on one gateway."""

    gateway: str
    check: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        """Worst outcome among the results."""
        return worst_outcome(r.outcome for r in self.results)

    @property
    def marker(self) -> str:
        """Evidence letters."""
        return evidence_marker(self.results)

    @property
    def counts(self) -> Counter[Outcome]:
        """Outcome counts (for cells covering several operations)."""
        return Counter(r.outcome for r in self.results)

    @property
    def mixed(self) -> bool:
        """Whether the results disagree (some operations pass, some do not)."""
        return len(self.counts) > 1


@dataclass(slots=True)
class CheckRow:
    """One matrix row."""

    check: str
    area: str
    description: str
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass(slots=True)
class Matrix:
    """Gateways × checks, checks grouped by area."""

    gateways: list[str]
    areas: list[tuple[str, list[CheckRow]]]

    def rows(self) -> list[CheckRow]:
        """Every row in display order."""
        return [row for _, rows in self.areas for row in rows]


def _catalog() -> dict[str, tuple[str, str]]:
    """(area, description) per registered check, when the catalog is importable."""
    try:
        from conformance.checks.base import CHECKS
    except ImportError:  # pragma: no cover - the checks layer always ships with the package
        return {}
    return {name: (spec.area.value, spec.description) for name, spec in CHECKS.items()}


def gateway_order(report: RunReport) -> list[str]:
    """Gateways in the run's order, then any that only appear in results."""
    order = dict.fromkeys(report.meta.gateways)
    for gateway in [r.gateway for r in report.results] + [o.gateway for o in report.observations]:
        order.setdefault(gateway)
    return list(order)


def build_matrix(report: RunReport) -> Matrix:
    """Group the results of ``report`` into the gateway × check matrix."""
    catalog = _catalog()
    rows: dict[str, CheckRow] = {}
    for result in report.results:
        row = rows.get(result.check)
        if row is None:
            area, description = catalog.get(result.check, ("", ""))
            row = rows[result.check] = CheckRow(
                check=result.check, area=result.area or area or "other", description=description
            )
        cell = row.cells.setdefault(result.gateway, Cell(gateway=result.gateway, check=result.check))
        cell.results.append(result)
    areas_seen = list(dict.fromkeys(row.area for row in rows.values()))
    ordered_areas = [a for a in AREA_ORDER if a in areas_seen] + [a for a in areas_seen if a not in AREA_ORDER]
    return Matrix(
        gateways=gateway_order(report),
        areas=[(area, [row for row in rows.values() if row.area == area]) for area in ordered_areas],
    )


def outcome_totals(results: Iterable[CheckResult]) -> dict[Outcome, int]:
    """Count of results per outcome, every outcome present (zero when absent)."""
    counts = Counter(r.outcome for r in results)
    return {outcome: counts.get(outcome, 0) for outcome in SYMBOLS}


def result_label(result: CheckResult) -> str:
    """Where a result applies, finer than its check: ``image2video.create.param.sound``, ``image2video.create``,
    ``generations.get auth.missing-key``, ``image2video.create waiver:<id>``, or ``""`` (gateway-wide).

    A subject that starts with the operation (scenario ids do) stands alone; otherwise both are shown.
    """
    operation, subject = result.operation, result.subject
    if subject and operation and subject.startswith(operation + "."):
        return subject
    return " ".join(part for part in (operation, subject) if part)


def area_title(area: str) -> str:
    """Human title of an area id."""
    return AREA_TITLES.get(area, area.replace("-", " ").capitalize())
