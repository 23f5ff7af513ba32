"""``compare --all``: the switching heatmap, breaking differences for every ordered pair of gateways.

Row A, column B holds how many differences break a client written against A when it is pointed at B
(the same judgement as ``compare --from A --to B``, with the same reports, profiles and usage). Rendered
as text, Markdown (a PR comment or step summary), JSON, and one offline HTML page under the same strict
Content-Security-Policy as ``index.html`` (no script at all: the colours are CSS classes).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from conformance.compare.switching import compare_gateways
from conformance.reports.html import offline_page

if TYPE_CHECKING:
    from conformance.compare.uses import Uses
    from conformance.profiles.model import GatewayProfile
    from conformance.runmodel import RunReport

#: Breaking subjects kept per pair (for the cell's tooltip and the JSON), the rest are counted.
TOP_SUBJECTS = 5


@dataclass(frozen=True, slots=True)
class PairResult:
    """What ``compare --from source --to target`` found, reduced to counts."""

    source: str
    target: str
    breaking: int
    differences: int
    kinds: dict[str, int] = field(default_factory=dict)  # breaking differences per kind
    top: tuple[str, ...] = ()  # the first breaking differences, "operation: subject"


@dataclass(slots=True)
class Heatmap:
    """Every ordered pair of ``gateways``."""

    gateways: list[str]
    pairs: dict[tuple[str, str], PairResult]
    sources: list[str]
    usage: str

    def cell(self, source: str, target: str) -> PairResult | None:
        """The pair ``source`` → ``target`` (``None`` on the diagonal)."""
        return self.pairs.get((source, target))

    @property
    def breaking_pairs(self) -> int:
        """How many ordered pairs have at least one breaking difference."""
        return sum(1 for p in self.pairs.values() if p.breaking)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the gateway list, the count matrix (``null`` on the diagonal) and every pair."""
        return {
            "gateways": self.gateways,
            "sources": self.sources,
            "usage": self.usage,
            "breaking": [
                [p.breaking if (p := self.cell(a, b)) else None for b in self.gateways] for a in self.gateways
            ],
            "pairs": [
                {
                    "from": p.source,
                    "to": p.target,
                    "breaking": p.breaking,
                    "differences": p.differences,
                    "breaking_kinds": p.kinds,
                    "first_breaking": list(p.top),
                }
                for p in self.pairs.values()
            ],
        }


def build_heatmap(
    gateways: Iterable[str],
    *,
    reports: Iterable[tuple[str, RunReport]] = (),
    profiles: Mapping[str, GatewayProfile] | None = None,
    uses: Uses | None = None,
) -> Heatmap:
    """Run the switching comparison for every ordered pair of ``gateways`` (in the given order)."""
    order = list(dict.fromkeys(gateways))
    labelled = list(reports)
    pairs: dict[tuple[str, str], PairResult] = {}
    usage = ""
    for source in order:
        for target in order:
            if source == target:
                continue
            result = compare_gateways(source, target, reports=labelled, profiles=profiles, uses=uses)
            usage = result.uses.source or "declared"
            breaking = result.breaking
            pairs[(source, target)] = PairResult(
                source=source,
                target=target,
                breaking=len(breaking),
                differences=len(result.differences),
                kinds=dict(Counter(d.kind.value for d in breaking)),
                top=tuple(f"{d.operation or 'gateway-wide'}: {d.subject}" for d in breaking[:TOP_SUBJECTS]),
            )
    return Heatmap(gateways=order, pairs=pairs, sources=[label for label, _ in labelled], usage=usage)


def _bucket(count: int) -> str:
    """Colour class of a count: 0, 1-2, 3-9, 10-29, 30+."""
    for limit, name in ((0, "h0"), (2, "h1"), (9, "h2"), (29, "h3")):
        if count <= limit:
            return name
    return "h4"


def render_text(heatmap: Heatmap) -> str:
    """A fixed-width matrix for the terminal: rows are the gateway a client was written for."""
    names = heatmap.gateways
    width = max([len(n) for n in names] + [9])
    column = max([len(n) for n in names] + [4]) + 1
    lines = [
        f"Breaking differences when switching (row: client written for; column: switched to), {len(names)} gateways",
        f"usage: {heatmap.usage or 'declared'}",
    ]
    lines += [f"source: {s}" for s in heatmap.sources] or ["source: built-in profiles only"]
    lines.append("")
    lines.append("from \\ to".ljust(width) + "".join(n.rjust(column) for n in names))
    for a in names:
        cells = "".join(((str(p.breaking) if (p := heatmap.cell(a, b)) else "-").rjust(column)) for b in names)
        lines.append(a.ljust(width) + cells)
    lines += ["", f"{heatmap.breaking_pairs} of {len(heatmap.pairs)} ordered pairs break a client."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def render_markdown(heatmap: Heatmap) -> str:
    """A Markdown table: one row per gateway a client was written for, one column per gateway switched to."""
    names = heatmap.gateways
    lines = [
        "# Switching heatmap",
        "",
        f"Breaking differences for a client written for the **row** gateway when pointed at the **column** gateway "
        f"({heatmap.breaking_pairs} of {len(heatmap.pairs)} ordered pairs break). "
        f"Usage: {_md(heatmap.usage or 'declared')}. Sources: "
        + (", ".join(f"`{_md(s)}`" for s in heatmap.sources) or "built-in profiles only")
        + ".",
        "",
        "| from \\ to | " + " | ".join(f"`{_md(n)}`" for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for a in names:
        cells = []
        for b in names:
            p = heatmap.cell(a, b)
            cells.append("—" if p is None else ("✅ 0" if p.breaking == 0 else f"**{p.breaking}**"))
        lines.append(f"| `{_md(a)}` | " + " | ".join(cells) + " |")
    lines += ["", "Details of one pair: `kling-conformance compare --from A --to B`."]
    return "\n".join(lines) + "\n"


def render_json(heatmap: Heatmap) -> str:
    """The heatmap as JSON."""
    return json.dumps(heatmap.to_dict(), indent=2, ensure_ascii=False) + "\n"


_CSS = (
    "body{font:14px/1.45 system-ui,sans-serif;color:#1b1f23;margin:0;padding:1rem}"
    "h1{font-size:1.3rem;margin:0 0 .5rem}.meta{color:#5f6b76;overflow-wrap:anywhere}"
    ".scroll{overflow:auto;max-width:100%;max-height:calc(100vh - 2rem)}"
    "table{border-collapse:separate;border-spacing:0}th,td{border:1px solid #d0d7de;padding:4px 8px}"
    "thead th{position:sticky;top:0;background:#f6f8fa;z-index:2;font-size:12px}"
    "tbody th{position:sticky;left:0;background:#fff;z-index:1;text-align:left;font-size:12px}"
    "td{text-align:right;font-variant-numeric:tabular-nums;min-width:3rem}td.self{color:#afb8c1;text-align:center}"
    ".h0{background:#d7f5dd}.h1{background:#fff1c2}.h2{background:#ffd8a8}.h3{background:#ffab91}"
    ".h4{background:#e5534b;color:#fff;font-weight:700}"
)


def render_html(heatmap: Heatmap) -> str:
    """One offline page: the matrix with cells coloured by count; hover a cell for its first breaking items."""
    names = heatmap.gateways
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in names)
    rows = []
    for a in names:
        cells = []
        for b in names:
            p = heatmap.cell(a, b)
            if p is None:
                cells.append('<td class="self">—</td>')
                continue
            more = p.breaking - len(p.top)
            title = f"{a} → {b}: {p.breaking} breaking of {p.differences} differences"
            title += "".join(f"\n• {t}" for t in p.top) + (f"\n… and {more} more" if more > 0 else "")
            cells.append(
                f'<td class="{_bucket(p.breaking)}" data-from="{escape(a)}" data-to="{escape(b)}" '
                f'title="{escape(title)}">{p.breaking}</td>'
            )
        rows.append(f'<tr><th scope="row">{escape(a)}</th>{"".join(cells)}</tr>')
    sources = ", ".join(heatmap.sources) or "built-in profiles only"
    body = (
        "<h1>Switching heatmap</h1>"
        f'<p class="meta">Breaking differences for a client written for the row gateway when pointed at the column '
        f"gateway; {heatmap.breaking_pairs} of {len(heatmap.pairs)} ordered pairs break. Usage: "
        f"{escape(heatmap.usage or 'declared')}. Sources: {escape(sources)}. Details of one pair: "
        "<code>kling-conformance compare --from A --to B</code>.</p>"
        f'<div class="scroll"><table id="heatmap"><thead><tr><th scope="col">from \\ to</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return offline_page("Switching heatmap", body, css=_CSS)


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json, "html": render_html}
