"""Text, Markdown and JSON renderings of a :class:`~conformance.compare.switching.Comparison`."""

from __future__ import annotations

import json
from typing import Any

from conformance.compare.model import Comparison, Difference


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _where(diff: Difference) -> str:
    return diff.operation or "gateway-wide"


def render_text(result: Comparison) -> str:
    """Terminal output: verdict, differences (breaking first), adapter, evidence gaps."""
    a, b = result.from_gateway, result.to_gateway
    lines = [f"Switching from {a} to {b}", f"usage: {result.uses.source or 'declared'}"]
    lines += [f"source: {s}" for s in result.sources] or ["source: built-in profiles only"]
    lines += [f"note: {n}" for n in result.notes]
    breaking = result.breaking
    verdict = f"BREAKING: {len(breaking)} of {len(result.differences)} differences break this client"
    lines += ["", verdict if breaking else f"OK: {len(result.differences)} differences, none breaks this client", ""]
    for diff in result.differences:
        mark = "BREAKING" if diff.breaking else "info    "
        lines.append(f"  {mark} {diff.kind.value:<19} {_where(diff):<24} {diff.subject}")
        lines.append(f"           {a}: {_value(diff.from_value)}  ->  {b}: {_value(diff.to_value)}")
        lines.append(f"           impact: {diff.impact}")
        lines.append(f"           evidence: {a} from {diff.evidence_from}; {b} from {diff.evidence_to}")
    if breaking:
        lines += ["", f"Adapter (what a client of {a} must change to use {b}):"]
        lines += [f"  - [{_where(d)}] {d.adapter}" for d in breaking if d.adapter]
    if result.gaps:
        lines += ["", "Not compared (no evidence):"] + [f"  - {g}" for g in result.gaps]
    return "\n".join(lines) + "\n"


def _md(text: Any) -> str:
    return _value(text).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def render_markdown(result: Comparison) -> str:
    """Markdown for a pull request or ``$GITHUB_STEP_SUMMARY``."""
    a, b = result.from_gateway, result.to_gateway
    breaking = result.breaking
    lines = [f"# Switching from `{a}` to `{b}`", ""]
    verdict = "❌ BREAKING" if breaking else "✅ OK"
    lines.append(f"**{verdict}**: {len(breaking)} breaking of {len(result.differences)} differences.")
    lines += [
        "",
        f"Usage: {_md(result.uses.source or 'declared')}. Sources: "
        + (", ".join(f"`{s}`" for s in result.sources) or "built-in profiles only")
        + ".",
        "",
    ]
    lines += [f"> {_md(n)}" for n in result.notes]
    if result.differences:
        lines += [
            "",
            "| | Kind | Operation | Subject | " + f"`{a}` | `{b}` | Impact | Evidence |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for d in result.differences:
            lines.append(
                f"| {'❌' if d.breaking else 'ℹ️'} | {d.kind.value} | {_md(_where(d))} | `{_md(d.subject)}` | "
                f"{_md(d.from_value)} | {_md(d.to_value)} | {_md(d.impact)} | "
                f"{_md(a)}: {_md(d.evidence_from)}; {_md(b)}: {_md(d.evidence_to)} |"
            )
    if breaking:
        lines += ["", "## Adapter", ""] + [f"- **{_md(_where(d))}**: {_md(d.adapter)}" for d in breaking if d.adapter]
        lines += ["", "```json", json.dumps(result.to_dict()["adapter"], indent=2, ensure_ascii=False), "```"]
    if result.gaps:
        lines += ["", "<details><summary>Not compared (no evidence)</summary>", ""]
        lines += [f"- {_md(g)}" for g in result.gaps] + ["", "</details>"]
    return "\n".join(lines) + "\n"


def render_json(result: Comparison) -> str:
    """The comparison as JSON."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
