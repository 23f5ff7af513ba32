"""Summaries fit where they are pasted: summary.md failures first and under 1 MiB, compare/diff markdown under a
PR comment's 65,536 characters with a link to the rest, and no absolute local path in any output."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.cli.app import main
from conformance.models import Outcome
from conformance.reports import REPORTERS, write_reports
from conformance.reports.fit import PR_COMMENT_LIMIT, STEP_SUMMARY_LIMIT, display_path, fit
from conformance.runmodel import RunReport

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "compare"))  # compare_samples: the report pair of the compare tests
from compare_samples import pair_report  # noqa: E402


def _flood(report: RunReport, n: int, message_size: int) -> RunReport:
    failing = replace(report.results[0], outcome=Outcome.FAIL)
    extra = [
        replace(failing, subject=f"image2video.create.param.p{i:05d}", message="x" * message_size) for i in range(n)
    ]
    return replace(report, results=[*report.results, *extra])


def test_summary_md_puts_failures_before_the_matrix(report: RunReport) -> None:
    text = REPORTERS.get("markdown").render(report)
    assert text.index("| Gateway |") < text.index("## Failures") < text.index("## Matrix")
    first_fail = text.index("- ❌")
    assert "✅ E" not in text[:first_fail]  # no screen of passes before the first failure
    matrix = text[text.index("## Matrix") :]
    folded = matrix.index("<details><summary>")
    assert "❌" in matrix[:folded]  # rows holding a failure come first, the all-pass rows are folded


@pytest.mark.parametrize(("n", "size"), [(200, 100_000), (20_000, 300)], ids=["huge-messages", "many-findings"])
def test_summary_md_stays_under_the_step_summary_limit(report: RunReport, n: int, size: int) -> None:
    text = REPORTERS.get("markdown").render(_flood(report, n, size))
    assert len(text.encode("utf-8")) <= STEP_SUMMARY_LIMIT
    assert "## Failures" in text and "more (see index.html or report.json)" in text


def test_fit_cuts_at_a_line_and_closes_what_it_opened() -> None:
    text = "# t\n<details><summary>s</summary>\n\n```json\n" + "\n".join(f"{i:08d}" for i in range(20_000)) + "\n```\n"
    cut = fit(text, 5_000, where="the rest is in the artifact")
    assert len(cut) <= 5_000 and cut.endswith("the rest is in the artifact.\n")
    assert cut.count("```") % 2 == 0 and cut.count("<details>") == cut.count("</details>")
    assert fit("short\n", 5_000, where="x") == "short\n"


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(args)
    return int(caught.value.code or 0)


def test_compare_and_diff_markdown_fit_a_pr_comment_and_name_no_local_path(
    report: RunReport, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    elsewhere = tmp_path / "far" / "away"  # outside the working directory
    big = _flood(report, 3_000, 200)
    big = replace(big, meta=replace(big.meta, run_id="20261122T110000Z-bbbbbb"))
    one = write_reports(report, elsewhere / "a", formats=["json"]) / "report.json"
    two = write_reports(big, elsewhere / "b", formats=["json"]) / "report.json"
    pair = write_reports(pair_report(), elsewhere / "c", formats=["json"]) / "report.json"
    url = "https://github.com/o/r/actions/runs/1"
    code = _run(["diff", str(one), str(two), "-f", "md", "--artifact-url", url])
    diff_md = capsys.readouterr().out
    assert code in (0, 1)
    assert len(diff_md) <= PR_COMMENT_LIMIT and f"]({url})" in diff_md
    code = _run(["compare", "--from", "alpha", "--to", "beta", "--report", str(pair.parent), "-f", "md"])
    compare_md = capsys.readouterr().out
    assert code in (0, 1) and len(compare_md) <= PR_COMMENT_LIMIT
    for text in (diff_md, compare_md):
        assert str(tmp_path) not in text and "/far/away" not in text
    assert f"`{pair_report().meta.run_id}/report.json`" in compare_md


def test_display_path_never_shows_an_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "reports" / "x" / "report.json") == "reports/x/report.json"
    assert display_path("/somewhere/else/run1/report.json") == "run1/report.json"
    assert display_path("/somewhere/else/report.json", fallback="r1/report.json") == "r1/report.json"


def test_written_reports_hold_no_absolute_local_path(tmp_path: Path) -> None:
    run_dir = write_reports(pair_report(), tmp_path / "reports")
    for path in run_dir.iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(REPO) not in text, path.name
    json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
