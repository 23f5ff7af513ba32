"""``index.html``: one self-contained, offline page (inline CSS and JS, no external resource).

It shows the matrix (gateways as columns, checks grouped by area as rows, each cell coloured by outcome
and marked with its evidence letter); clicking a cell shows the results behind it: expected vs actual,
JSON path, message and the redacted request and response. A shape view per operation lays the
gateways side by side and marks every value that differs from the reference.

Gateway bodies are hostile. Static parts are escaped with :func:`html.escape`; the details are
embedded as JSON (with ``<``, ``>``, ``&`` escaped) and rendered with ``textContent`` only. A
Content-Security-Policy allows nothing but the page's own hashed script and style, so even an
escaping bug could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from importlib import resources
from typing import Any

from conformance.models import Outcome
from conformance.reports._jsonable import dumps
from conformance.reports.base import reporter
from conformance.reports.shapes import OperationShapes, aspect_title, build_shapes, value_text
from conformance.reports.view import (
    EVIDENCE_MARKERS,
    SYMBOLS,
    Cell,
    Matrix,
    area_title,
    build_matrix,
    outcome_totals,
    result_label,
)
from conformance.runmodel import RunReport

#: Text-presentation symbols present in common fonts (emoji fonts are often missing offline).
HTML_SYMBOLS: dict[Outcome, str] = {
    Outcome.PASS: "✓",
    Outcome.FAIL: "✗",
    Outcome.ERROR: "⚠",
    Outcome.SKIPPED: "–",
    Outcome.WAIVED: "⊘",
}


def _asset(name: str) -> str:
    return resources.files("conformance.reports").joinpath("assets", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def embed_json(value: Any) -> str:
    """JSON that cannot close the ``<script>`` element it sits in."""
    text = dumps(value).decode("utf-8")
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def cell_key(gateway: str, check: str) -> str:
    """Key of a matrix cell in the embedded data."""
    return f"{gateway}\u241f{check}"


def _cell_data(cell: Cell, description: str) -> dict[str, Any]:
    return {
        "gateway": cell.gateway,
        "check": cell.check,
        "description": description,
        "results": [
            {
                "operation": r.operation,
                "subject": r.subject,
                "label": result_label(r),
                "outcome": r.outcome.value,
                "severity": r.severity.value,
                "evidence_label": r.evidence.label(),
                "message": r.message,
                "reason": r.reason,
                "expected": r.expected,
                "actual": r.actual,
                "json_path": r.json_path,
                "exchange_ref": r.exchange_ref,
            }
            for r in cell.results
        ],
    }


def _page_data(report: RunReport, matrix: Matrix) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    refs: set[str] = set()
    for row in matrix.rows():
        for cell in row.cells.values():
            cells[cell_key(cell.gateway, cell.check)] = _cell_data(cell, row.description)
            refs.update(r.exchange_ref for r in cell.results if r.exchange_ref)
    return {
        "cells": cells,
        "exchanges": {ref: report.exchanges[ref] for ref in sorted(refs) if ref in report.exchanges},
        "symbols": {o.value: sym for o, sym in HTML_SYMBOLS.items()},
    }


def _matrix_html(matrix: Matrix) -> str:
    head = "".join(f'<th scope="col">{escape(g)}</th>' for g in matrix.gateways)
    parts = [
        '<table id="matrix" class="matrix"><thead><tr><th scope="col">Check</th>',
        head,
        "</tr></thead><tbody>",
    ]
    for area, rows in matrix.areas:
        parts.append(f'<tr class="area"><th colspan="{len(matrix.gateways) + 1}">{escape(area_title(area))}</th></tr>')
        for row in rows:
            findings = any(c.outcome in (Outcome.FAIL, Outcome.ERROR) for c in row.cells.values())
            title = f' title="{escape(row.description)}"' if row.description else ""
            row_class = "findings" if findings else "clean"
            parts.append(f'<tr class="{row_class}"><td class="check"{title}><code>{escape(row.check)}</code></td>')
            for gateway in matrix.gateways:
                cell = row.cells.get(gateway)
                if cell is None:
                    parts.append('<td class="none" title="not run">·</td>')
                    continue
                symbol, ascii_ = HTML_SYMBOLS[cell.outcome], SYMBOLS[cell.outcome][1]
                share = f" {cell.counts.get(Outcome.PASS, 0)}/{len(cell.results)}" if cell.mixed else ""
                label = f"{row.check} on {gateway}: {cell.outcome.value}{share}, evidence {cell.marker}"
                parts.append(
                    f'<td class="cell"><button type="button" class="cell o-{cell.outcome.value}" '
                    f'data-key="{escape(cell_key(gateway, row.check))}" data-outcome="{cell.outcome.value}" '
                    f'aria-label="{escape(label)}" title="{escape(ascii_)}">{symbol}{escape(share)}'
                    f'<span class="ev">{escape(cell.marker)}</span></button></td>'
                )
            parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _shape_value_html(key: str, value: Any) -> str:
    if key == "field_paths" and isinstance(value, list):
        items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in value)
        return f"<details><summary>{len(value)} paths</summary><ul>{items}</ul></details>"
    return escape(value_text(value))


def _shapes_html(shapes: list[OperationShapes], gateways: list[str]) -> str:
    if not shapes:
        return '<p class="none">No observations in this report.</p>'
    parts = []
    for op in shapes:
        columns = [g for g in gateways if any(g in row.values for row in op.rows)]
        title = op.operation or "gateway-wide"
        parts.append(
            f'<h3>{escape(title)}</h3><div class="scroll"><table class="shape" data-operation="{escape(op.operation)}">'
        )
        parts.append(
            '<thead><tr><th scope="col">Aspect</th>'
            + "".join(f'<th scope="col">{escape(g)}</th>' for g in columns)
            + "</tr></thead><tbody>"
        )
        for row in op.rows:
            parts.append(f'<tr><th scope="row">{escape(aspect_title(row.key))}</th>')
            for gateway in columns:
                obs = row.values.get(gateway)
                if obs is None:
                    parts.append('<td class="missing">—</td>')
                    continue
                cls = "differs" if row.differs(gateway) else "same"
                marker = EVIDENCE_MARKERS.get(obs.evidence.kind, "?")
                parts.append(
                    f'<td class="{cls}" title="{escape(obs.evidence.label())}">{_shape_value_html(row.key, obs.value)}'
                    f'<span class="ev">{escape(marker)}</span></td>'
                )
            parts.append("</tr>")
        parts.append("</tbody></table></div>")
    return "".join(parts)


def _header_html(report: RunReport) -> str:
    meta = report.meta
    banner = (
        '<p class="banner" role="alert">Incomplete run (interrupted, or shards missing): '
        "absent results were not judged.</p>"
        if meta.incomplete
        else ""
    )
    facts = [
        ("run", meta.run_id),
        ("mode", meta.mode),
        ("tool", meta.tool_version),
        ("spec", meta.spec_hash[:12] or "-"),
        ("started", meta.started_at),
        ("finished", meta.finished_at or "-"),
    ]
    if meta.shard:
        facts.append(("shard", meta.shard))
    if meta.budget:
        cap = meta.budget.get("max_paid_tasks")
        facts.append(("paid tasks", f"{meta.budget.get('paid_tasks_used', 0)}/{'∞' if cap is None else cap}"))
    meta_html = " · ".join(f"{escape(k)} <code>{escape(str(v))}</code>" for k, v in facts)
    totals = "".join(
        f'<span class="o-{o.value}">{HTML_SYMBOLS[o]} {n} {escape(o.value)}</span>'
        for o, n in outcome_totals(report.results).items()
    )
    return f'<h1>Kling conformance report</h1>{banner}<p class="meta">{meta_html}</p><p class="totals">{totals}</p>'


def _legend_html() -> str:
    outcomes = " · ".join(f"{HTML_SYMBOLS[o]} {escape(o.value)} ({escape(a)})" for o, (_, a) in SYMBOLS.items())
    evidence = " · ".join(f"<b>{letter}</b> {escape(kind.value)}" for kind, letter in EVIDENCE_MARKERS.items())
    return (
        f'<p class="legend">Outcome: {outcomes} · · not run. Evidence: {evidence}. n/m: n of m operations passed. '
        "≠ differs from the reference (official API, else the most common value).</p>"
    )


@reporter("html", "index.html")
def render_html(report: RunReport) -> str:
    """Self-contained offline HTML page: clickable matrix with details, plus the per-operation shape view."""
    matrix = build_matrix(report)
    css = _asset("report.css")
    js = _asset("report.js")
    csp = (
        f"default-src 'none'; script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    body = (
        _header_html(report)
        + _legend_html()
        + '<h2>Matrix</h2><label class="filter"><input type="checkbox" id="only-findings"> '
        + "only rows with failures</label>"
        + '<div class="layout"><div class="scroll">'
        + (_matrix_html(matrix) if report.results else '<p class="none">No results.</p>')
        + '</div><aside id="details" aria-live="polite">'
        + '<p class="none">Click a cell to see the results behind it.</p></aside></div>'
        + "<h2>Shapes per operation</h2>"
        + '<p class="meta">What each gateway was observed to return; ≠ marks a difference.</p>'
        + _shapes_html(build_shapes(report), matrix.gateways)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Kling conformance · {escape(report.meta.run_id)}</title>"
        f"<style>{css}</style></head><body>{body}"
        f'<script type="application/json" id="kc-data">{embed_json(_page_data(report, matrix))}</script>'
        f"<script>{js}</script></body></html>\n"
    )
