"""``index.html``: one self-contained, offline page (inline CSS and JS, no external resource).

Failures first: an overview (per-gateway totals and an inline-SVG outcome bar per gateway) and the list
of failures, each a deep link ``#gateway/check/subject`` that opens its cell. Then the matrix (gateways
as columns, checks grouped by area as rows, each cell coloured by outcome and marked with its evidence
letter) in a scroll box whose header row and check column stay in view; clicking a cell opens a panel
with the results behind it, failures first and passes collapsed: expected vs actual, JSON path, message
and the redacted request and response. Search and filters (gateway, check, outcome, evidence) narrow
the failure list and the matrix. A shape view per operation, with a table of contents and an "only
where gateways differ" switch, lays the gateways side by side and marks every value that differs.

Gateway bodies are hostile. Static parts are escaped with :func:`html.escape`; the details are
embedded as JSON (with ``<``, ``>``, ``&`` escaped) and rendered with ``textContent`` only. A
Content-Security-Policy allows nothing but the page's own hashed script and style, so even an
escaping bug could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote

from conformance.models import CheckResult, Outcome
from conformance.reports._jsonable import dumps
from conformance.reports.base import reporter
from conformance.reports.console import findings, one_line
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
    worst_outcome,
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


def offline_page(title: str, body: str, *, css: str, js: str = "", data: str = "") -> str:
    """One self-contained HTML page under a strict CSP: only its own inline style (and script) may run.

    Nothing is fetched (no images, fonts, connections, forms or base URL). ``data`` is JSON embedded as
    ``<script type="application/json" id="kc-data">`` for ``js`` to read; ``body`` is trusted markup.
    """
    return "".join(offline_page_pieces(title, body, css=css, js=js, data=(data,) if data else ()))


def offline_page_pieces(title: str, body: str, *, css: str, js: str = "", data: Iterable[str] = ()) -> Iterator[str]:
    """:func:`offline_page` in pieces, the embedded JSON ``data`` given (and passed on) in pieces."""
    script_src = _csp_hash(js) if js else "'none'"
    csp = (
        f"default-src 'none'; script-src {script_src}; style-src {_csp_hash(css)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    yield (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{css}</style></head><body>{body}"
    )
    first = True
    for piece in data:
        if first:
            yield '<script type="application/json" id="kc-data">'
            first = False
        yield piece
    if not first:
        yield "</script>"
    if js:
        yield f"<script>{js}</script>"
    yield "</body></html>\n"


def embed_json(value: Any) -> str:
    """JSON that cannot close the ``<script>`` element it sits in."""
    return embed_text(dumps(value).decode("utf-8"))


def embed_text(text: str) -> str:
    """JSON text made safe inside ``<script>`` (each character replaced on its own, so pieces can be done apart)."""
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


#: Order of results inside a cell: what needs acting on first, passes and skips last (collapsed).
_RESULT_ORDER = {Outcome.FAIL: 0, Outcome.ERROR: 1, Outcome.WAIVED: 2, Outcome.PASS: 3, Outcome.SKIPPED: 4}
#: Outcome order of the overview (bars, totals columns).
_OVERVIEW_ORDER: tuple[Outcome, ...] = (Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED, Outcome.PASS, Outcome.SKIPPED)


def result_subject(result: CheckResult) -> str:
    """The third part of a deep link: the result's subject, else its operation, else ``""``."""
    return result.subject or result.operation


def deep_link(gateway: str, check: str, subject: str = "") -> str:
    """``#gateway/check/subject`` with each part percent-encoded (``/`` included), for a result or a cell."""
    return "#" + "/".join(quote(part, safe="") for part in (gateway, check, subject) if part)


def _cell_data(cell: Cell, description: str) -> dict[str, Any]:
    ordered = sorted(cell.results, key=lambda r: _RESULT_ORDER[r.outcome])
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
            for r in ordered
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
        "symbols": _symbols(),
    }


def _symbols() -> dict[str, str]:
    return {o.value: sym for o, sym in HTML_SYMBOLS.items()}


def _page_data_pieces(report: RunReport, matrix: Matrix) -> Iterator[str]:
    """``dumps(_page_data(report, matrix))`` in pieces, one cell (and one exchange) at a time."""
    refs: set[str] = set()
    separator = '{"cells":{'
    for row in matrix.rows():
        for cell in row.cells.values():
            key = dumps(cell_key(cell.gateway, cell.check)).decode("utf-8")
            yield separator + key + ":" + dumps(_cell_data(cell, row.description)).decode("utf-8")
            separator = ","
            refs.update(r.exchange_ref for r in cell.results if r.exchange_ref)
    if separator != ",":
        yield '{"cells":{'
    separator = '},"exchanges":{'
    for ref in sorted(refs):
        if ref in report.exchanges:
            yield separator + dumps(ref).decode("utf-8") + ":" + dumps(report.exchanges[ref]).decode("utf-8")
            separator = ","
    if separator != ",":
        yield '},"exchanges":{'
    yield '},"symbols":' + dumps(_symbols()).decode("utf-8") + "}"


def _matrix_html(matrix: Matrix) -> str:
    head = "".join(f'<th scope="col" data-gateway="{escape(g)}">{escape(g)}</th>' for g in matrix.gateways)
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
            parts.append(
                f'<tr class="{row_class}" data-check="{escape(row.check)}">'
                f'<th scope="row" class="check"{title}><code>{escape(row.check)}</code></th>'
            )
            for gateway in matrix.gateways:
                cell = row.cells.get(gateway)
                if cell is None:
                    parts.append(f'<td class="none" data-gateway="{escape(gateway)}" title="not run">·</td>')
                    continue
                counts = cell.counts  # each of these properties walks the results: read them once
                outcome, marker = worst_outcome(counts), cell.marker
                outcomes = " ".join(sorted(o.value for o in counts))
                kinds = " ".join(sorted({r.evidence.kind.value for r in cell.results}))
                symbol, ascii_ = HTML_SYMBOLS[outcome], SYMBOLS[outcome][1]
                share = f" {counts.get(Outcome.PASS, 0)}/{len(cell.results)}" if len(counts) > 1 else ""
                label = f"{row.check} on {gateway}: {outcome.value}{share}, evidence {marker}"
                parts.append(
                    f'<td class="cell" data-gateway="{escape(gateway)}" data-outcomes="{outcomes}" '
                    f'data-evidence="{escape(kinds)}"><button type="button" class="cell o-{outcome.value}" '
                    f'data-key="{escape(cell_key(gateway, row.check))}" data-outcome="{outcome.value}" '
                    f'aria-label="{escape(label)}" title="{escape(ascii_)}">{symbol}{escape(share)}'
                    f'<span class="ev">{escape(marker)}</span></button></td>'
                )
            parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _bars_svg(gateways: list[str], counts: dict[str, Counter[Outcome]]) -> str:
    """One horizontal stacked bar per gateway (share of each outcome), as inline SVG: no script, no fetch."""
    row, label_w, bar_w = 22, 150, 400
    height = row * (len(gateways) + 1) + 4
    parts = [
        f'<svg id="outcome-bars" role="img" viewBox="0 0 {label_w + bar_w + 70} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="bars-title">'
        '<title id="bars-title">Outcomes per gateway</title>'
    ]
    for i, gateway in enumerate(gateways):
        mine = counts.get(gateway, Counter())
        total = sum(mine.values())
        y = i * row + 2
        parts.append(f'<g class="bar" data-gateway="{escape(gateway)}">')
        parts.append(f'<text x="0" y="{y + 15}">{escape(gateway)}</text>')
        x = float(label_w)
        for outcome in _OVERVIEW_ORDER:
            n = mine.get(outcome, 0)
            if not n or not total:
                continue
            width = bar_w * n / total
            parts.append(
                f'<rect class="s-{outcome.value}" x="{x:.2f}" y="{y}" width="{width:.2f}" height="{row - 6}">'
                f"<title>{escape(gateway)}: {n} {outcome.value}</title></rect>"
            )
            x += width
        fails = mine.get(Outcome.FAIL, 0) + mine.get(Outcome.ERROR, 0)
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{fails}/{total}'
            f"<title>{fails} of {total} results failed or errored</title></text></g>"
        )
    y = len(gateways) * row + 2  # the legend
    x = float(label_w)
    for outcome in _OVERVIEW_ORDER:
        parts.append(
            f'<g class="key"><rect class="s-{outcome.value}" x="{x:.0f}" y="{y + 4}" width="10" height="10"></rect>'
            f'<text x="{x + 14:.0f}" y="{y + 14}">{escape(outcome.value)}</text></g>'
        )
        x += 80
    parts.append("</svg>")
    return "".join(parts)


def _overview_html(report: RunReport, gateways: list[str]) -> str:
    """Per-gateway totals (a table and a bar chart), failing gateways first."""
    counts: dict[str, Counter[Outcome]] = {g: Counter() for g in gateways}
    for r in report.results:
        counts.setdefault(r.gateway, Counter())[r.outcome] += 1
    ordered = sorted(
        counts,
        key=lambda g: (
            -(counts[g][Outcome.FAIL] + counts[g][Outcome.ERROR]),
            gateways.index(g) if g in gateways else 0,
        ),
    )
    head = "".join(
        f'<th scope="col" class="o-{o.value}">{HTML_SYMBOLS[o]} {escape(o.value)}</th>' for o in _OVERVIEW_ORDER
    )
    rows = []
    for gateway in ordered:
        mine = counts[gateway]
        cells = "".join(f'<td class="n">{mine.get(o, 0)}</td>' for o in _OVERVIEW_ORDER)
        rows.append(
            f'<tr data-gateway="{escape(gateway)}"><th scope="row"><button type="button" class="gw-filter" '
            f'data-gateway="{escape(gateway)}" title="show only {escape(gateway)}">{escape(gateway)}</button></th>'
            f"{cells}"
            f'<td class="n">{sum(mine.values())}</td></tr>'
        )
    table = (
        '<div class="scroll"><table id="totals" class="totals-table"><thead><tr><th scope="col">Gateway</th>'
        f'{head}<th scope="col">total</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )
    bars = _bars_svg(ordered, counts)
    return f'<section id="overview"><h2>Overview</h2><div class="overview">{table}{bars}</div></section>'


#: Failures listed in the page (the rest are counted; every one is still in its matrix cell).
FAILURE_LIST_LIMIT = 2000


def _failure_list_html(report: RunReport) -> str:
    found = findings(report.results)
    if not found:
        return '<section id="failures"><h2>Failures</h2><p class="none">No failures or errors.</p></section>'
    items = []
    for r in found[:FAILURE_LIST_LIMIT]:
        subject = result_subject(r)
        word = "FAIL" if r.outcome is Outcome.FAIL else "ERROR"
        reason = one_line(r.message or r.reason or "(no message)", 160)
        text = f"{r.gateway} {r.check} {subject} {reason}".lower()
        kind = escape(r.evidence.kind.value)
        items.append(
            f'<li class="finding o-{r.outcome.value}" data-gateway="{escape(r.gateway)}" '
            f'data-check="{escape(r.check)}" data-outcome="{r.outcome.value}" data-evidence="{kind}" '
            f'data-text="{escape(text)}"><a class="deep" href="{escape(deep_link(r.gateway, r.check, subject))}">'
            f"{HTML_SYMBOLS[r.outcome]} {word} <b>{escape(r.gateway)}</b> · <code>{escape(r.check)}</code>"
            + (f" · {escape(subject)}" if subject else "")
            + f'</a> <span class="reason">{escape(reason)}</span> <span class="evk">[{kind}]</span></li>'
        )
    more = len(found) - FAILURE_LIST_LIMIT
    rest = f'<p class="meta">… and {more} more in the matrix below.</p>' if more > 0 else ""
    counts = Counter(r.outcome for r in found)
    title = ", ".join(f"{counts[o]} {o.value}" for o in (Outcome.FAIL, Outcome.ERROR) if counts.get(o))
    return (
        f'<section id="failures"><h2>Failures <span class="meta">({escape(title)})</span></h2>'
        '<p class="meta" id="failure-count" aria-live="polite"></p>'
        f'<ol id="failure-list">{"".join(items)}</ol>{rest}</section>'
    )


def _options(values: list[str], everything: str) -> str:
    return f'<option value="">{escape(everything)}</option>' + "".join(
        f'<option value="{escape(v)}">{escape(v)}</option>' for v in values
    )


def _toolbar_html(report: RunReport, matrix: Matrix) -> str:
    """Search and the four filters; they narrow the failure list and the matrix."""
    checks = [row.check for row in matrix.rows()]
    kinds = sorted({r.evidence.kind.value for r in report.results})
    outcomes = [o.value for o in _OVERVIEW_ORDER]
    return (
        '<form id="toolbar" class="toolbar" role="search">'
        '<label>Search <input type="search" id="search" placeholder="gateway, check, subject, message"></label>'
        f'<label>Gateway <select id="f-gateway">{_options(matrix.gateways, "all gateways")}</select></label>'
        f'<label>Check <select id="f-check">{_options(checks, "all checks")}</select></label>'
        f'<label>Outcome <select id="f-outcome">{_options(outcomes, "any outcome")}</select></label>'
        f'<label>Evidence <select id="f-evidence">{_options(kinds, "any evidence")}</select></label>'
        '<button type="reset" id="f-reset">clear</button></form>'
    )


def _shape_value_html(key: str, value: Any) -> str:
    if key == "field_paths" and isinstance(value, list):
        items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in value)
        return f"<details><summary>{len(value)} paths</summary><ul>{items}</ul></details>"
    return escape(value_text(value))


def _shapes_html(shapes: list[OperationShapes], gateways: list[str]) -> str:
    if not shapes:
        return '<p class="none">No observations in this report.</p>'
    differs = {id(row): {g for g in row.values if row.differs(g)} for op in shapes for row in op.rows}
    toc = []
    for op in shapes:
        differing = sum(1 for row in op.rows if differs[id(row)])
        title = op.operation or "gateway-wide"
        toc.append(
            f'<li data-differs="{differing}"><a href="#{escape(_shape_id(op.operation))}">{escape(title)}</a>'
            f' <span class="meta">{differing} differ</span></li>'
        )
    parts = [
        '<label class="filter"><input type="checkbox" id="only-differs"> only where gateways differ</label>'
        f'<nav id="shape-toc" aria-label="Operations"><ol>{"".join(toc)}</ol></nav>'
    ]
    for op in shapes:
        columns = [g for g in gateways if any(g in row.values for row in op.rows)]
        title = op.operation or "gateway-wide"
        differing = any(differs[id(row)] for row in op.rows)
        parts.append(
            f'<div class="shape-op{"" if differing else " nodiff"}"><h3 id="{escape(_shape_id(op.operation))}">'
            f'{escape(title)}</h3><div class="scroll"><table class="shape" data-operation="{escape(op.operation)}">'
        )
        parts.append(
            '<thead><tr><th scope="col">Aspect</th>'
            + "".join(f'<th scope="col">{escape(g)}</th>' for g in columns)
            + "</tr></thead><tbody>"
        )
        for row in op.rows:
            row_class = "diff" if differs[id(row)] else "nodiff"
            parts.append(f'<tr class="{row_class}"><th scope="row">{escape(aspect_title(row.key))}</th>')
            for gateway in columns:
                obs = row.values.get(gateway)
                if obs is None:
                    parts.append('<td class="missing">—</td>')
                    continue
                cls = "differs" if gateway in differs[id(row)] else "same"
                marker = EVIDENCE_MARKERS.get(obs.evidence.kind, "?")
                parts.append(
                    f'<td class="{cls}" title="{escape(obs.evidence.label())}">{_shape_value_html(row.key, obs.value)}'
                    f'<span class="ev">{escape(marker)}</span></td>'
                )
            parts.append("</tr>")
        parts.append("</tbody></table></div></div>")
    return "".join(parts)


def _shape_id(operation: str) -> str:
    """Anchor of an operation's shape table (no ``/``, so it is never read as a deep link)."""
    return "shape-" + (quote(operation, safe=".-_") or "gateway-wide").replace("%", "_")


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


def _page(report: RunReport) -> tuple[Matrix, str]:
    """The matrix and the page body (markup) of ``report``."""
    matrix = build_matrix(report)
    body = (
        _header_html(report)
        + _overview_html(report, matrix.gateways)
        + _toolbar_html(report, matrix)
        + _failure_list_html(report)
        + '<section id="matrix-section"><h2>Matrix</h2>'
        + _legend_html()
        + '<label class="filter"><input type="checkbox" id="only-findings"> only rows with failures</label>'
        + '<div class="scroll matrix-box" id="matrix-box">'
        + (_matrix_html(matrix) if report.results else '<p class="none">No results.</p>')
        + "</div></section>"
        + '<aside id="details" aria-live="polite" aria-label="Results of the selected cell" hidden>'
        + '<button type="button" id="details-close" aria-label="Close">×</button><div id="details-body"></div></aside>'
        + '<section id="shapes"><h2>Shapes per operation</h2>'
        + '<p class="meta">What each gateway was observed to return; ≠ marks a difference.</p>'
        + _shapes_html(build_shapes(report), matrix.gateways)
        + "</section>"
    )
    return matrix, body


def stream_html(report: RunReport) -> Iterator[str]:
    """index.html in pieces, the embedded data one cell at a time: the bytes of :func:`render_html`."""
    matrix, body = _page(report)
    title = f"Kling conformance · {report.meta.run_id}"
    data = (embed_text(piece) for piece in _page_data_pieces(report, matrix))
    yield from offline_page_pieces(title, body, css=_asset("report.css"), js=_asset("report.js"), data=data)


@reporter("html", "index.html", stream=stream_html)
def render_html(report: RunReport) -> str:
    """Self-contained offline HTML page: clickable matrix with details, plus the per-operation shape view."""
    matrix, body = _page(report)
    title = f"Kling conformance · {report.meta.run_id}"
    return offline_page(
        title, body, css=_asset("report.css"), js=_asset("report.js"), data=embed_json(_page_data(report, matrix))
    )
