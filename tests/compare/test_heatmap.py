"""``compare --all``: the gateway × gateway heatmap of breaking differences (text, md, json, html)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from compare_samples import pair_report

from conformance.cli.app import main
from conformance.compare.heatmap import build_heatmap, render_html, render_markdown, render_text
from conformance.compare.switching import compare_gateways
from conformance.profiles import load_builtin_profiles
from conformance.reports import write_reports

GATEWAYS = ["kling-official", "yibuapi", "newapi"]


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(args)
    return int(caught.value.code or 0)


def test_every_ordered_pair_counts_what_compare_from_to_calls_breaking() -> None:
    profiles = load_builtin_profiles()
    heatmap = build_heatmap(GATEWAYS, profiles=profiles)
    assert set(heatmap.pairs) == {(a, b) for a in GATEWAYS for b in GATEWAYS if a != b}  # ordered: 6, not 3
    for (a, b), pair in heatmap.pairs.items():
        single = compare_gateways(a, b, profiles=profiles)
        assert pair.breaking == len(single.breaking) and pair.differences == len(single.differences)
        assert sum(pair.kinds.values()) == pair.breaking
    # Switching is not symmetric: the documented newapi departures break a Kling client, and differently back.
    assert heatmap.cell("kling-official", "newapi").breaking > 0  # type: ignore[union-attr]
    assert heatmap.cell("kling-official", "kling-official") is None


def test_markdown_text_and_html_show_the_same_matrix() -> None:
    heatmap = build_heatmap(GATEWAYS, profiles=load_builtin_profiles())
    expected = [[heatmap.cell(a, b).breaking if a != b else None for b in GATEWAYS] for a in GATEWAYS]  # type: ignore[union-attr]
    assert heatmap.to_dict()["breaking"] == expected

    md = render_markdown(heatmap)
    rows = [line for line in md.splitlines() if line.startswith("| `")]
    assert len(rows) == len(GATEWAYS)
    for gateway, line, counts in zip(GATEWAYS, rows, expected, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == f"`{gateway}`"
        shown = [None if c == "—" else int(re.sub(r"\D", "", c)) for c in cells[1:]]
        assert shown == counts

    text = render_text(heatmap)
    assert text.splitlines()[-1].startswith(f"{heatmap.breaking_pairs} of 6 ordered pairs")

    page = render_html(heatmap)
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert "<script" not in page and "script-src 'none'" in csp and csp.startswith("default-src 'none';")
    cells = re.findall(r'<td class="(h\d)" data-from="([^"]+)" data-to="([^"]+)" title="[^"]*">(\d+)</td>', page)
    assert len(cells) == 6
    assert {(a, b): int(n) for _, a, b, n in cells} == {k: p.breaking for k, p in heatmap.pairs.items()}
    assert all((cls == "h0") == (n == "0") for cls, _, _, n in cells)


def test_compare_all_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write_reports(pair_report(), tmp_path / "reports", formats=["json"]) / "report.json"
    out = tmp_path / "heatmap.json"
    code = _run(["compare", "--all", "--report", str(report), "--no-profiles", "-f", "json", "-o", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["gateways"] == ["alpha", "beta"]
    from conformance.reports import load_report

    loaded = [("r", load_report(report))]
    forward = len(compare_gateways("alpha", "beta", reports=loaded).breaking)
    backward = len(compare_gateways("beta", "alpha", reports=loaded).breaking)
    assert data["breaking"] == [[None, forward], [backward, None]] and forward > 0
    assert code == 1  # some pair breaks: the gate fails
    assert str(tmp_path) not in out.read_text(encoding="utf-8")  # no absolute local path in the output
    capsys.readouterr()

    html = tmp_path / "heatmap.html"
    assert _run(["compare", "--all", "--report", str(report), "--no-profiles", "-f", "html", "-o", str(html)]) == 1
    assert html.read_text(encoding="utf-8").count("data-from=") == 2


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["compare", "--all", "--from", "alpha"], "--all"),
        (["compare", "--from", "alpha"], "--to"),
        (["compare", "--all", "-g", "nosuch", "--no-profiles"], "--gateway"),
        (["compare", "-g", "alpha", "--from", "alpha", "--to", "beta"], "--gateway"),
        (["compare", "--from", "alpha", "--to", "beta", "-f", "html"], "--format"),
    ],
)
def test_compare_all_usage_errors_name_the_flag(
    args: list[str], flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write_reports(pair_report(), tmp_path / "reports", formats=["json"]) / "report.json"
    assert _run([*args, "--report", str(report)]) == 2
    assert flag in capsys.readouterr().err
