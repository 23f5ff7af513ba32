"""``summary.md``: GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Failures first: the totals per gateway, then the failures grouped by gateway, then the gateway × check
matrix with the rows that hold a failure on top (the rest folded). The matrix uses symbols that read
without colour, each cell also carries its evidence letter (D doc-derived, E emulator, L live, F fuzz,
U user-supplied, G engine). Gateway text is hostile: every cell is escaped so it cannot break the table or
inject HTML.
"""

from __future__ import annotations

import json
import re
from typing import Any

from conformance.models import CheckResult, EvidenceKind, Outcome
from conformance.reports._jsonable import jsonable
from conformance.reports.base import reporter
from conformance.reports.console import results_by_gateway
from conformance.reports.fit import STEP_SUMMARY_LIMIT, fit
from conformance.reports.view import (
    EVIDENCE_MARKERS,
    SYMBOLS,
    Cell,
    area_title,
    build_matrix,
    outcome_totals,
    result_label,
)
from conformance.runmodel import RunReport

_MAX_VALUE = 160
#: Characters of one finding's message (hostile gateways send megabytes).
_MAX_MESSAGE = 600
#: Findings listed per gateway; GitHub caps a step summary at 1 MiB, the rest is in index.html.
MAX_FINDINGS_PER_GATEWAY = 50


def md_escape(text: str) -> str:
    """``text`` safe inside a GFM table cell or list item (no HTML, no pipes, no line breaks)."""
    text = (
        re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text.replace("\\", "\\\\")).replace("<", "&lt;").replace(">", "&gt;")
    )
    text = text.replace("|", "\\|").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")
    text = text.replace("[", "\\[").replace("]", "\\]")
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def md_code(text: str) -> str:
    """``text`` as inline code that survives backticks and pipes inside it."""
    text = re.sub(r"[\r\n]+", " ", text).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _short_json(value: Any) -> str:
    text = json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def cell_text(cell: Cell | None) -> str:
    """Symbol plus evidence letters; mixed cells add the passing share, e.g. ``❌ E 3/5``."""
    if cell is None:
        return "·"
    symbol = SYMBOLS[cell.outcome][0]
    text = f"{symbol} {cell.marker}"
    if cell.mixed:
        text += f" {cell.counts.get(Outcome.PASS, 0)}/{len(cell.results)}"
    return text


def _result_line(result: CheckResult) -> str:
    symbol = SYMBOLS[result.outcome][0]
    label = result_label(result)
    where = f" on {md_code(label)}" if label else ""
    head = (
        f"- {symbol} **{md_code(result.check)}**{where} ({result.severity.value}, {md_escape(result.evidence.label())})"
    )
    parts = [_cut(md_escape(result.message or result.reason or result.outcome.value), _MAX_MESSAGE)]
    if result.expected is not None or result.actual is not None:
        parts.append(f"expected {md_code(_short_json(result.expected))}, actual {md_code(_short_json(result.actual))}")
    if result.json_path:
        parts.append(f"at {md_code(result.json_path)}")
    if result.exchange_ref:
        parts.append(f"exchange {md_code(result.exchange_ref)}")
    return f"{head}: " + "; ".join(parts)


def _header(report: RunReport) -> list[str]:
    meta = report.meta
    lines = ["# Kling conformance report", ""]
    if meta.partial:
        lines += [
            "> [!WARNING]",
            f"> This is a **partial** merge ({md_escape(meta.partial)}): the missing shards' results are absent.",
            "",
        ]
    elif meta.incomplete:
        lines += [
            "> [!WARNING]",
            "> This run is **incomplete** (interrupted, or shards missing): absent results were not judged.",
            "",
        ]
    facts = [
        f"run {md_code(meta.run_id)}",
        f"mode {md_code(meta.mode)}",
        f"tool {md_code(meta.tool_version)}",
        f"spec {md_code(meta.spec_hash[:12] or '-')}",
        f"started {md_escape(meta.started_at)}",
        f"finished {md_escape(meta.finished_at or '-')}",
    ]
    if meta.shard:
        facts.append(f"shard {md_code(meta.shard)}")
    if meta.budget:
        used = meta.budget.get("paid_tasks_used", 0)
        cap = meta.budget.get("max_paid_tasks")
        facts.append(f"paid tasks {used}/{'∞' if cap is None else cap}")
    lines += [" · ".join(facts), ""]
    totals = outcome_totals(report.results)
    total_text = ", ".join(f"{SYMBOLS[o][0]} {n} {o.value}" for o, n in totals.items())
    gateways = len({r.gateway for r in report.results})
    lines += [f"**{len(report.results)} results** on {gateways} gateways: {total_text}.", ""]
    engines = sorted({r.evidence.label() for r in report.results if r.evidence.kind is EvidenceKind.ENGINE})
    if engines:  # a locally run engine is not a live gateway: say which one, once
        lines += [f"Evidence **G**: {md_escape(label)}." for label in engines] + [""]
    return lines


def _legend() -> list[str]:
    outcomes = " · ".join(f"{sym} {o.value} (`{ascii_}`)" for o, (sym, ascii_) in SYMBOLS.items())
    evidence = " · ".join(f"**{letter}** {kind.value}" for kind, letter in EVIDENCE_MARKERS.items())
    return [
        f"Legend: {outcomes} · `·` not run. Evidence: {evidence}. `n/m`: n of m operations passed.",
        "",
    ]


def _gateway_table(report: RunReport, gateways: list[str]) -> list[str]:
    """Per-gateway totals, findings first."""
    order = (Outcome.FAIL, Outcome.ERROR, Outcome.PASS, Outcome.WAIVED, Outcome.SKIPPED)
    lines = [
        "| Gateway | " + " | ".join(f"{SYMBOLS[o][0]} {o.value}" for o in order) + " | Evidence |",
        "|---|" + "---:|" * len(order) + "---|",
    ]
    grouped = results_by_gateway(report.results)
    for gateway in gateways:
        mine = grouped.get(gateway, [])
        counts = outcome_totals(mine)
        kinds = sorted({r.evidence.kind.value for r in mine if r.outcome is not Outcome.SKIPPED})
        cells = " | ".join(
            f"**{counts[o]}**" if o in (Outcome.FAIL, Outcome.ERROR) and counts[o] else str(counts[o]) for o in order
        )
        lines.append(f"| {md_code(gateway)} | {cells} | {md_escape(', '.join(kinds) or '-')} |")
    return [*lines, ""]


def _failures(report: RunReport, gateways: list[str], cap: int) -> list[str]:
    lines = ["## Failures", ""]
    any_finding = False
    grouped = results_by_gateway(r for r in report.results if r.outcome in (Outcome.FAIL, Outcome.ERROR))
    for gateway in gateways:
        findings = list(grouped.get(gateway, []))
        if not findings:
            continue
        any_finding = True
        findings.sort(key=lambda r: r.outcome is not Outcome.FAIL)  # failures, then errors (stable)
        fails = sum(r.outcome is Outcome.FAIL for r in findings)
        errors = len(findings) - fails
        lines += [f"### {md_code(gateway)}: {fails} failed, {errors} errored", ""]
        lines += [_result_line(r) for r in findings[:cap]]
        if len(findings) > cap:
            lines.append(f"- … and {len(findings) - cap} more (see index.html or report.json)")
        lines.append("")
    if not any_finding:
        lines += ["No failures.", ""]
    return lines


def _matrix_table(rows: list[Any], gateways: list[str]) -> list[str]:
    lines = ["| Area | Check | " + " | ".join(md_code(g) for g in gateways) + " |"]
    lines.append("|---|---|" + "---|" * len(gateways))
    for area, row in rows:
        cells = " | ".join(cell_text(row.cells.get(g)) for g in gateways)
        lines.append(f"| {md_escape(area_title(area))} | {md_code(row.check)} | {cells} |")
    return [*lines, ""]


def _matrix(report: RunReport) -> list[str]:
    """The matrix, rows with a finding first; rows where every gateway held fold into ``<details>``."""
    matrix = build_matrix(report)
    lines = ["## Matrix", ""]
    if not matrix.gateways or not report.results:
        return [*lines, "No results.", ""]
    rows = [(area, row) for area, area_rows in matrix.areas for row in area_rows]
    bad = [(a, r) for a, r in rows if any(c.outcome in (Outcome.FAIL, Outcome.ERROR) for c in r.cells.values())]
    good = [(a, r) for a, r in rows if (a, r) not in bad]
    if bad:
        lines += _matrix_table(bad, matrix.gateways)
    if good:
        title = f"{len(good)} checks without a failure" if bad else f"all {len(good)} checks: no failure"
        lines += [f"<details><summary>{title}</summary>", ""]
        lines += _matrix_table(good, matrix.gateways)
        lines += ["</details>", ""]
    return lines + _legend()


def _render(report: RunReport, cap: int, message_cap: int) -> str:
    matrix = build_matrix(report)
    lines = _header(report)
    if matrix.gateways and report.results:
        lines += _gateway_table(report, matrix.gateways)
    lines += _failures(report, matrix.gateways, cap)
    lines += _matrix(report)
    waived = [r for r in report.results if r.outcome is Outcome.WAIVED]
    if waived:
        lines += [f"<details><summary>{len(waived)} waived (known departures)</summary>", ""]
        lines += [
            f"- {md_code(r.gateway)} {md_code(r.check)}{' on ' + md_code(result_label(r)) if result_label(r) else ''}: "
            f"{_cut(md_escape(r.reason or r.message), message_cap)}"
            for r in waived[: cap * 4]
        ]
        if len(waived) > cap * 4:
            lines.append(f"- … and {len(waived) - cap * 4} more (see index.html or report.json)")
        lines += ["", "</details>", ""]
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@reporter("markdown", "summary.md")
def render_markdown(report: RunReport) -> str:
    """GitHub-flavoured Markdown summary: totals per gateway, the failures, then the matrix (failures first).

    It stays under GitHub's 1 MiB step-summary cap: with very many findings the list per gateway shrinks
    (the rest is counted and left to index.html and report.json), and as a last resort the text is cut.
    """
    cap = MAX_FINDINGS_PER_GATEWAY
    budget = STEP_SUMMARY_LIMIT - 4096
    text = _render(report, cap, _MAX_MESSAGE)
    while len(text.encode("utf-8")) > budget and cap > 1:
        cap //= 2
        text = _render(report, cap, _MAX_MESSAGE)
    return fit(text, budget, where="the complete results are in index.html and report.json", measure="bytes")
