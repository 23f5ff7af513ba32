"""compare, diff, merge and report on the command line: outputs and exit codes (0 held, 1 findings, 2 usage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compare_samples import alpha_observations, meta, pair_report, result

from conformance.cli.app import main
from conformance.models import Outcome
from conformance.reports import write_reports
from conformance.runmodel import RunReport


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(args)
    return int(caught.value.code or 0)


def _write(report: RunReport, root: Path) -> Path:
    return write_reports(report, root, formats=["json"]) / "report.json"


def test_compare_reads_reports_latest_and_exits_1_on_breaking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(pair_report(), tmp_path / "reports")
    code = _run(
        ["compare", "--from", "alpha", "--to", "beta", "--reports-dir", str(tmp_path / "reports"), "--no-profiles"]
    )
    out = capsys.readouterr().out
    assert code == 1 and "BREAKING" in out and "read data.status instead of data.task_status" in out


def test_compare_json_out_file_and_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write(pair_report(), tmp_path / "reports")
    uses = tmp_path / "uses.yaml"
    uses.write_text("operations: [image2video.create]\nparams: [negative_prompt]\n", encoding="utf-8")
    out = tmp_path / "cmp.json"
    code = _run(
        [
            "compare",
            "--from",
            "alpha",
            "--to",
            "beta",
            "--report",
            str(report),
            "--uses",
            str(uses),
            "--format",
            "json",
            "--out",
            str(out),
            "--no-profiles",
        ]
    )
    assert code == 0
    data = json.loads(out.read_text())
    assert data["breaking"] is False and data["uses"]["operations"] == ["image2video.create"]


def test_compare_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write(pair_report(), tmp_path / "reports")
    assert _run(["compare", "--from", "alpha", "--to", "beta", "--report", str(report), "--format", "xml"]) == 2
    assert "--format" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": 1}', encoding="utf-8")
    assert _run(["compare", "--from", "alpha", "--to", "beta", "--report", str(broken)]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "not a valid kling-conformance report" in err


def test_diff_exit_codes_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = RunReport(
        meta=meta("20261120T000000Z-000001", gateways=["alpha"]),
        results=[result("alpha", "response_shape_family", Outcome.PASS, "image2video.get")],
        observations=alpha_observations(),
    )
    worse = RunReport(
        meta=meta("20261121T000000Z-000002", gateways=["alpha"]),
        results=[result("alpha", "response_shape_family", Outcome.FAIL, "image2video.get")],
        observations=alpha_observations(),
    )
    b, w = _write(base, tmp_path / "a"), _write(worse, tmp_path / "b")
    assert _run(["diff", str(b), str(b)]) == 0
    assert "no regression" in capsys.readouterr().out
    assert _run(["diff", str(b), str(w), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"] == {"newly-failing": 1}
    assert _run(["diff", str(w), str(b)]) == 0  # a fix is not a regression


def test_merge_writes_a_full_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = pair_report()
    one = RunReport(
        meta=meta("20261122T100000Z-aaaaa1-shard1of2", shard="1/2"),
        observations=full.observations[:10],
        results=[result("alpha", "auth_missing_key_rejected", Outcome.PASS)],
    )
    two = RunReport(
        meta=meta("20261122T100001Z-aaaaa2-shard2of2", shard="2/2"),
        observations=full.observations[10:],
        results=[result("beta", "auth_missing_key_rejected", Outcome.FAIL, message="no 401")],
    )
    paths = [_write(one, tmp_path / "s1"), _write(two, tmp_path / "s2")]
    code = _run(["merge", *map(str, paths), "--out", str(tmp_path / "merged")])
    assert code == 1  # merged fine, and the merged run has a finding
    run_dir = tmp_path / "merged" / "20261122T100000Z-aaaaa1-merged"
    assert sorted(p.name for p in run_dir.iterdir()) == ["index.html", "junit.xml", "report.json", "summary.md"]
    merged = json.loads((run_dir / "report.json").read_text())
    assert [r["gateway"] for r in merged["results"]] == ["alpha", "beta"] and merged["meta"]["shard"] == ""


def test_report_rerenders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(pair_report(), tmp_path / "reports")
    assert _run(["report", str(src), "--out", str(tmp_path / "again"), "--format", "markdown"]) == 0
    assert (tmp_path / "again" / "20261122T100000Z-aaaaaa" / "summary.md").is_file()
    assert _run(["report", str(src), "--format", "pdf"]) == 2
