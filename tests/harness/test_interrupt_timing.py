"""Ctrl-C timing: before the report is complete → 130 and a partial report; after → the run's own code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import conformance.harness.runner as runner
from conformance.cli.app import app
from conformance.models import CheckResult, Evidence, EvidenceKind, Outcome, Severity
from conformance.runmodel import RunMeta, RunReport


def _report(*, incomplete: bool) -> RunReport:
    meta = RunMeta(run_id="r1", tool_version="0", spec_hash="x", mode="replay", started_at="t", incomplete=incomplete)
    passed = CheckResult(
        gateway="g",
        check="c",
        outcome=Outcome.PASS,
        severity=Severity.HIGH,
        evidence=Evidence(kind=EvidenceKind.EMULATOR),
    )
    return RunReport(meta=meta, results=[passed])  # something was tested: exit 0, not 5 ("nothing tested")


@pytest.mark.parametrize(("incomplete", "expected_code"), [(False, 0), (True, 130)], ids=["after", "during"])
def test_interrupt_exit_code_follows_the_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, incomplete: bool, expected_code: int
) -> None:
    async def fake_run_and_write(options: Any, *, state: runner.RunState, progress: Any = None) -> RunReport:
        state.report = _report(incomplete=incomplete)
        state.report_dir = tmp_path / "r1"
        raise KeyboardInterrupt  # as asyncio.run does when SIGINT lands while the loop shuts down

    monkeypatch.setattr(runner, "run_and_write", fake_run_and_write)
    result = CliRunner().invoke(app, ["run", "--reports-dir", str(tmp_path)])
    assert result.exit_code == expected_code, result.output
    if incomplete:
        assert "marked incomplete" in result.output
    else:
        assert "the report is complete" in result.output
