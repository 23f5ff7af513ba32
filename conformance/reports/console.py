"""The terminal summary of a run: counts per gateway, then the findings a person can act on.

In the manner of pytest's "short test summary info": after one line per gateway, each failure and error
on one line — ``FAIL gateway · check · subject · reason [evidence]`` — failures first, capped at
``limit`` lines with a count of the rest (``-v`` shows all). The functions return plain text lines plus a
style per line; the shell decides whether to colour them (a terminal without ``NO_COLOR``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from conformance.models import CheckResult, Outcome
from conformance.runmodel import RunReport

#: Outcome columns of the per-gateway lines, in order.
COUNT_ORDER: tuple[Outcome, ...] = (Outcome.PASS, Outcome.FAIL, Outcome.WAIVED, Outcome.SKIPPED, Outcome.ERROR)
#: Findings listed before "… and N more" unless verbose.
DEFAULT_LIMIT = 10
#: Rich style per outcome word (used only when colour is on).
STYLES: dict[Outcome, str] = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.ERROR: "bold magenta",
    Outcome.WAIVED: "yellow",
    Outcome.SKIPPED: "dim",
}
_FINDING_ORDER = {Outcome.FAIL: 0, Outcome.ERROR: 1}
_REASON_WIDTH = 110


@dataclass(frozen=True, slots=True)
class Line:
    """One console line and the rich style to show it in (``""`` = plain)."""

    text: str
    style: str = ""


def findings(results: Iterable[CheckResult]) -> list[CheckResult]:
    """The fail and error results, failures first, then by gateway, check and subject (a stable order)."""
    chosen = [r for r in results if r.outcome in _FINDING_ORDER]
    return sorted(chosen, key=lambda r: (_FINDING_ORDER[r.outcome], r.gateway, r.check, r.operation, r.subject))


def results_by_gateway(results: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    """The results of each gateway, in the order given (one pass, however many gateways)."""
    grouped: dict[str, list[CheckResult]] = {}
    for result in results:
        grouped.setdefault(result.gateway, []).append(result)
    return grouped


def one_line(text: str, width: int = _REASON_WIDTH) -> str:
    """``text`` folded to one line and cut to ``width`` characters (with ``…``)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def finding_line(result: CheckResult) -> Line:
    """``FAIL gateway · check · subject · reason [evidence]`` for one result."""
    subject = result.subject or result.operation or "-"
    reason = one_line(result.message or result.reason or "(no message)")
    word = "FAIL" if result.outcome is Outcome.FAIL else "ERROR"
    text = f"{word:<5} {result.gateway} · {result.check} · {subject} · {reason} [{result.evidence.kind.value}]"
    return Line(text, STYLES[result.outcome])


def gateway_lines(report: RunReport) -> list[Line]:
    """One line per gateway with its outcome counts and evidence kinds, plus a total line."""
    lines = []
    grouped = results_by_gateway(report.results)
    for gateway in report.meta.gateways:
        mine = grouped.get(gateway, [])
        counts = Counter(r.outcome for r in mine)
        kinds = sorted({r.evidence.kind.value for r in mine if r.outcome != Outcome.SKIPPED})
        parts = ", ".join(f"{counts.get(o, 0)} {o.value}" for o in COUNT_ORDER)
        style = STYLES[Outcome.FAIL] if counts.get(Outcome.FAIL) or counts.get(Outcome.ERROR) else ""
        lines.append(Line(f"  {gateway:<16} {parts}  [evidence: {', '.join(kinds) or 'none'}]", style))
    total = Counter(r.outcome for r in report.results)
    lines.append(Line("  " + "total".ljust(16) + " " + ", ".join(f"{total.get(o, 0)} {o.value}" for o in COUNT_ORDER)))
    return lines


def failure_summary(results: Sequence[CheckResult], limit: int | None = DEFAULT_LIMIT) -> list[Line]:
    """The short summary of findings (empty when there are none); ``limit=None`` lists every one."""
    found = findings(results)
    if not found:
        return []
    counts = Counter(r.outcome for r in found)
    title = ", ".join(f"{counts[o]} {o.value}" for o in (Outcome.FAIL, Outcome.ERROR) if counts.get(o))
    lines = [Line(f"findings ({title}):", "bold")]
    shown = found if limit is None else found[:limit]
    lines.extend(finding_line(r) for r in shown)
    rest = len(found) - len(shown)
    if rest:
        lines.append(Line(f"… and {rest} more (see -v, summary.md or index.html)", "dim"))
    return lines


def all_skipped(report: RunReport) -> bool:
    """True when the run judged nothing: no results, or every result skipped (exit code 5)."""
    return all(r.outcome is Outcome.SKIPPED for r in report.results)
