"""``summary.md``: GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

The gateway × check matrix uses symbols that read without colour, each cell also carries its
evidence letter (D doc-derived, E emulator, L live, F fuzz, U user-supplied, G engine); then come the failures
grouped by gateway. Gateway text is hostile: every cell is escaped so it cannot break the table or
inject HTML.
"""

from __future__ import annotations

import json
import re
from typing import Any

from conformance.models import CheckResult, EvidenceKind, Outcome
from conformance.reports._jsonable import jsonable
from conformance.reports.base import reporter
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
    parts = [md_escape(result.message or result.reason or result.outcome.value)]
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
    if meta.incomplete:
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


@reporter("markdown", "summary.md")
def render_markdown(report: RunReport) -> str:
    """GitHub-flavoured Markdown summary: the gateway × check matrix, then failures by gateway."""
    matrix = build_matrix(report)
    lines = _header(report)
    lines += ["## Matrix", ""]
    if not matrix.gateways or not report.results:
        lines += ["No results.", ""]
    else:
        lines.append("| Area | Check | " + " | ".join(md_code(g) for g in matrix.gateways) + " |")
        lines.append("|---|---|" + "---|" * len(matrix.gateways))
        for area, rows in matrix.areas:
            for row in rows:
                cells = " | ".join(cell_text(row.cells.get(g)) for g in matrix.gateways)
                lines.append(f"| {md_escape(area_title(area))} | {md_code(row.check)} | {cells} |")
        lines.append("")
    lines += _legend()
    lines += ["## Failures by gateway", ""]
    any_finding = False
    for gateway in matrix.gateways:
        findings = [r for r in report.results if r.gateway == gateway and r.outcome in (Outcome.FAIL, Outcome.ERROR)]
        if not findings:
            continue
        any_finding = True
        fails = sum(r.outcome is Outcome.FAIL for r in findings)
        errors = len(findings) - fails
        lines += [f"### {md_code(gateway)}: {fails} failed, {errors} errored", ""]
        lines += [_result_line(r) for r in findings[:MAX_FINDINGS_PER_GATEWAY]]
        if len(findings) > MAX_FINDINGS_PER_GATEWAY:
            rest = len(findings) - MAX_FINDINGS_PER_GATEWAY
            lines.append(f"- … and {rest} more (see index.html or report.json)")
        lines.append("")
    if not any_finding:
        lines += ["No failures.", ""]
    waived = [r for r in report.results if r.outcome is Outcome.WAIVED]
    if waived:
        lines += [f"<details><summary>{len(waived)} waived (known departures)</summary>", ""]
        lines += [
            f"- {md_code(r.gateway)} {md_code(r.check)}{' on ' + md_code(result_label(r)) if result_label(r) else ''}: "
            f"{md_escape(r.reason or r.message)}"
            for r in waived
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
