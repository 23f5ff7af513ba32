"""Budget, plan output and shards."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.errors import UsageError
from conformance.harness.options import RunOptions
from conformance.harness.plan import Shard, make_plan
from conformance.harness.runner import load_profiles, plan_run
from conformance.harness.scenarios import build_catalog
from conformance.profiles import load_builtin_profiles


def _plan(max_paid: int | None, gateways: tuple[str, ...] = ("kling-official", "newapi")):  # type: ignore[no-untyped-def]
    profiles = load_builtin_profiles()
    catalogs = {g: build_catalog(profiles[g]) for g in gateways}
    return make_plan(catalogs, max_paid_tasks=max_paid)


def test_zero_budget_skips_every_call_that_could_create_a_task_and_runs_every_other_one() -> None:
    from conformance.harness.plan import is_probe

    plan = _plan(0)
    items = [p for items in plan.gateways.values() for p in items]
    paid = [p for p in items if p.scenario.paid and not p.scenario.skipped_reason]
    free = [
        p
        for p in items
        if not p.scenario.paid
        and not p.scenario.skipped_reason
        and not p.scenario.depends_on
        and not p.scenario.shares_task_with
    ]
    assert paid and all(p.skipped_reason == "budget" for p in paid)
    probes = [p for p in free if is_probe(p.scenario)]  # invalid creates: a lax gateway would bill them
    assert probes and all(p.skipped_reason == "budget" for p in probes)
    rest = [p for p in free if not is_probe(p.scenario)]
    assert rest and all(p.runs for p in rest)
    assert {p.scenario.id for p in rest} >= {"auth.missing-key", "auth.invalid-key", "image2video.get.unknown"}
    assert "image2video.create.invalid.bad-enum" in {p.scenario.id for p in probes}
    # queries of a task that was never created inherit the reason
    known = next(p for p in plan.gateways["kling-official"] if p.scenario.id == "image2video.get.known")
    assert known.skipped_reason == "budget"
    assert plan.paid_planned == 0 and plan.worst_case_tasks == 0


def test_budget_spreads_minimal_creates_across_gateways_first() -> None:
    plan = _plan(2)
    spent = [(g, p.scenario.id) for g, items in plan.gateways.items() for p in items if p.spends]
    assert sorted(spent) == [("kling-official", "image2video.create.minimal"), ("newapi", "image2video.create.minimal")]


def test_default_budget_is_zero_on_real_hosts_and_unlimited_on_loopback() -> None:
    from conformance.harness.runner import default_budget

    profiles = load_profiles(RunOptions(gateways=["kling-official"]))
    assert default_budget(RunOptions(mode="live"), profiles) == 0
    assert default_budget(RunOptions(mode="live", emulator=True), profiles) is None
    assert default_budget(RunOptions(mode="replay"), profiles) is None
    assert default_budget(RunOptions(mode="live", max_paid_tasks=5), profiles) == 5


def test_plan_command_marks_paid_calls_and_budget_skips() -> None:
    result = CliRunner().invoke(app, ["plan", "--mode", "live", "--gateway", "kling-official", "--max-paid-tasks", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    paid = [line for line in lines if line.strip().startswith("[PAID]")]
    assert len(paid) == 1 and "POST" in paid[0] and "create.minimal" in paid[0]
    assert any(line.strip().startswith("[budget]") and "image2video.create.minimal" in line for line in lines)
    assert any(line.strip().startswith("[free]") and "auth.missing-key" in line for line in lines)
    assert "paid tasks: 1 planned of 1" in result.output


def test_shards_partition_the_run_deterministically() -> None:
    options = RunOptions(gateways=["kling-official", "yibuapi", "newapi"])
    profiles = load_profiles(options)
    full, _ = plan_run(options, profiles)
    runnable = {(g, p.scenario.id) for g, items in full.gateways.items() for p in items if p.runs}
    seen: list[tuple[str, str]] = []
    for index in (1, 2, 3):
        options.shard = Shard(index, 3)
        plan, _ = plan_run(options, profiles)
        again, _ = plan_run(options, profiles)
        mine = [(g, p.scenario.id) for g, items in plan.gateways.items() for p in items if p.runs]
        assert mine == [(g, p.scenario.id) for g, items in again.gateways.items() for p in items if p.runs]
        # a family's create and its queries stay in one shard
        ids = {s for g, s in mine if g == "kling-official"}
        if "image2video.create.minimal" in ids:
            assert "image2video.get.known" in ids
        seen.extend(mine)
    assert sorted(seen) == sorted(runnable) and len(seen) == len(runnable)


@pytest.mark.parametrize("text", ["3/2", "0/2", "a/b", "2", "1/0"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        Shard.parse(text)


def test_negative_budget_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="max-paid-tasks"):
        RunOptions(max_paid_tasks=-1).validate()


def test_base_url_without_scheme_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--base-url"):
        RunOptions(mode="live", base_url="api.example.com").validate()
