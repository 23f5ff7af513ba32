"""Money: the gateway's own count of tasks created never exceeds --max-paid-tasks, and equals the report's.

Against a loopback gateway that creates a task for *every* POST (invalid probes included) and one that
creates and then answers 503, for budgets 0, 1 and 5, through ``run`` (the harness), ``fuzz`` and the
CLI. The count is taken on the server side, never from the harness's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import figure_sink_fixture
from lax_gateway import lax_gateway
from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.harness.options import RunOptions
from conformance.harness.runner import execute_run

budget_figures = figure_sink_fixture("budget")

BUDGETS = (0, 1, 5)
MODES = ("accept", "create-503")


def _run(url: str, budget: int) -> Any:
    options = RunOptions(
        gateways=["kling-official"],
        mode="live",
        base_url=url,
        max_paid_tasks=budget,
        poll_interval=0.01,
        task_deadline=5.0,
        write_report=False,
        fetch_results=False,
        quiet=True,
    )
    return asyncio.run(execute_run(options))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("budget", BUDGETS)
def test_run_never_creates_more_than_the_budget(
    mode: str, budget: int, monkeypatch: pytest.MonkeyPatch, budget_figures: Any
) -> None:
    monkeypatch.setenv("KLING_API_KEY", "kc-budget-test-key-0000")
    budget_figures.require("runs", len(BUDGETS) * len(MODES))
    with lax_gateway(mode) as gw:
        report = _run(gw.url, budget)
    used = report.meta.budget["paid_tasks_used"]
    assert gw.creates <= budget, f"{gw.creates} tasks created on the server with --max-paid-tasks {budget}"
    assert used == gw.creates, f"the report says {used}, the server created {gw.creates}"
    if budget:
        assert gw.creates == budget  # the lax gateway takes the whole budget: the count is not vacuous
        # a probe meant to be rejected that created a task is reported as a finding
        assert any(r.outcome.value == "fail" and "invalid" in r.check for r in report.results) or mode != "accept"
    budget_figures.add("runs")
    budget_figures.add("server_creates", gw.creates)
    budget_figures.add("budget_total", budget)
    budget_figures.add("over_budget", max(0, gw.creates - budget))
    budget_figures.add("report_mismatch", int(used != gw.creates))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("budget", (0, 2))
def test_fuzz_never_creates_more_than_the_budget(mode: str, budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.fuzz.engine import FuzzStats, run_fuzz
    from conformance.fuzz.options import FuzzOptions

    monkeypatch.setenv("KLING_API_KEY", "kc-budget-test-key-0000")
    stats = FuzzStats()
    with lax_gateway(mode) as gw:
        report = run_fuzz(
            FuzzOptions(
                gateway="kling-official",
                base_url=gw.url + "/kling",
                max_paid_tasks=budget,
                max_examples=3,
                operations=["text2video"],
                write_report=False,
                timeout=5.0,
            ),
            stats=stats,
        )
    assert gw.creates <= budget
    assert report.meta.budget["paid_tasks_used"] == gw.creates
    assert stats.skipped_budget > 0


def test_cli_run_against_a_lax_gateway_reports_the_servers_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLING_API_KEY", "kc-budget-test-key-0000")
    monkeypatch.chdir(tmp_path)
    with lax_gateway("accept") as gw:
        args = ["run", "--mode", "live", "-g", "kling-official", "--base-url", gw.url, "--max-paid-tasks", "3"]
        result = CliRunner().invoke(app, [*args, "--reports-dir", str(tmp_path / "r"), "--poll-interval", "0.01"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(next((tmp_path / "r").glob("*/report.json")).read_text())
    assert gw.creates <= 3 and report["meta"]["budget"]["paid_tasks_used"] == gw.creates


@pytest.mark.parametrize("value", ["18446744073709551616", "-1", "1000001"])
def test_absurd_budgets_exit_2_before_anything_is_sent(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conformance.cli.app import main

    monkeypatch.setenv("KLING_API_KEY", "kc-budget-test-key-0000")
    with lax_gateway("accept") as gw:
        for command in ("run", "plan", "fuzz"):
            args = [command, "-g", "kling-official", "--base-url", gw.url, "--max-paid-tasks", value]
            args += ["--mode", "live"] if command != "fuzz" else []
            with pytest.raises(SystemExit) as exited:
                main(args)
            output = capsys.readouterr()
            assert exited.value.code == 2, (command, output)
            assert "--max-paid-tasks" in output.err and "Traceback" not in output.err
    assert gw.creates == 0 and not gw.requests


def test_plan_shows_the_worst_case_and_zero_with_budget_zero() -> None:
    zero = CliRunner().invoke(app, ["plan", "-g", "yibuapi", "--max-paid-tasks", "0"])
    assert zero.exit_code == 0 and "worst case 0" in zero.output
    calls = [line.strip() for line in zero.output.splitlines() if line.startswith("  ")]
    assert not any(line.startswith(("[probe]", "[PAID]")) for line in calls)
    some = CliRunner().invoke(app, ["plan", "-g", "yibuapi", "--max-paid-tasks", "4"])
    assert "worst case 4" in some.output and any(
        line.strip().startswith("[probe]") for line in some.output.splitlines()
    )


def test_a_host_named_like_loopback_is_not_loopback() -> None:
    """``127.evil.example`` gets the real-host default budget (0), not the unlimited loopback one."""
    result = CliRunner().invoke(
        app, ["plan", "--mode", "live", "-g", "yibuapi", "--base-url", "https://127.evil.example"]
    )
    assert result.exit_code == 0, result.output
    assert "paid tasks: 0 planned of 0" in result.output and "worst case 0" in result.output
