"""Fuzzing the emulator finds a planted departure (a variant that wrongly accepts ``duration: "7"``)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.fuzz.engine import FuzzStats, run_fuzz
from conformance.fuzz.options import FuzzOptions
from conformance.models import EvidenceKind, Outcome


def _options(**kwargs: object) -> FuzzOptions:
    base: dict[str, object] = {
        "gateway": "kling-official",
        "emulator": True,
        "max_examples": 3,
        "operations": ["image2video"],
        "seed": 1,
        "write_report": False,
    }
    base.update(kwargs)
    return FuzzOptions(**base)  # type: ignore[arg-type]


def test_fuzzing_reports_the_planted_duration_departure_and_names_the_field(relaxed_profile: Path) -> None:
    stats = FuzzStats()
    report = run_fuzz(_options(gateway="kling-relaxed", profile_paths=[str(relaxed_profile)]), stats=stats)
    failures = [r for r in report.results if r.outcome is Outcome.FAIL and r.check == "negative_data_rejection"]
    assert [r.json_path for r in failures] == ["$.duration"]
    finding = failures[0]
    assert finding.operation == "image2video.create"
    assert "`duration`" in finding.message and "'7'" in finding.message
    assert finding.evidence.kind is EvidenceKind.FUZZ
    assert finding.exchange_ref in report.exchanges
    assert '"duration":"7"' in report.exchanges[finding.exchange_ref]["request"]["body"].replace(" ", "")
    assert report.meta.mode == "fuzz" and report.has_findings
    assert stats.negative_sent > 0 and stats.positive_sent > 0 and stats.gets > 0


def test_the_faithful_profile_rejects_every_invalid_duration() -> None:
    report = run_fuzz(_options())
    assert not [r for r in report.results if r.outcome is Outcome.FAIL], [r.message for r in report.results]
    held = {r.check for r in report.results if r.outcome is Outcome.PASS}
    assert {"negative_data_rejection", "positive_data_acceptance", "stateful_create_get", "kling_task_fields"} <= held


def test_cli_fuzz_exits_1_names_the_field_and_writes_fuzz_reports(relaxed_profile: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "fuzz",
            "--gateway",
            "kling-relaxed",
            "--profile",
            str(relaxed_profile),
            "--emulator",
            "--max-examples",
            "2",
            "--operation",
            "image2video",
            "--mode",
            "negative",
            "--seed",
            "3",
            "--reports-dir",
            str(tmp_path / "reports"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "negative_data_rejection" in result.output and "$.duration" in result.output
    report_json = next((tmp_path / "reports").glob("*/report.json"))
    text = report_json.read_text(encoding="utf-8")
    assert "kc-fuzz-" not in text  # the emulator key never reaches the report
    data = json.loads(text)
    duration = [r for r in data["results"] if r["json_path"] == "$.duration" and r["outcome"] == "fail"]
    assert duration and all(r["evidence"]["kind"] == "fuzz" for r in data["results"])
    assert data["meta"]["mode"] == "fuzz"
