"""Catalog entries for the extended families a gateway documents, and the flow the executor carries."""

from __future__ import annotations

import asyncio

from conformance import spec
from conformance.harness.options import RunOptions
from conformance.harness.runner import execute_run
from conformance.harness.scenarios import build_catalog
from conformance.profiles import load_builtin_profiles


def test_only_a_gateway_documenting_them_gets_extended_scenarios() -> None:
    profiles = load_builtin_profiles()
    official = {s.id: s for s in build_catalog(profiles["kling-official"])}
    for name in spec.modelled_extended_families():
        info = spec.family(name)
        if info.kind == "sync" and info.operations:
            assert f"{info.operations[0]}.example" in official, name
        elif info.kind == "task" and not info.needs:
            assert {f"{name}.create.example", f"{name}.get.example"} <= set(official), name
        elif info.kind == "task":
            assert not any(i.startswith(f"{name}.") for i in official), name  # cross-family flow: not yet
    flow = official["multi-elements.flow"]
    assert [r.path.rsplit("/", 1)[-1] for r in flow.requests] == ["init-selection", "add-selection", "multi-elements"]
    assert [r.purpose for r in flow.requests] == ["call", "call", "create"]
    assert flow.requests[1].body["session_id"] == "{session_id}" and flow.paid
    assert all(official[s].paid for s in ("tts.call.example", "omni-video.create.example"))
    assert official["tts.call.example"].requests[0].purpose == "create"  # counted by the money guard
    for gateway in ("yibuapi", "newapi", "fal", "kling-official-v3"):
        ids = {s.id for s in build_catalog(profiles[gateway])}
        assert not any(i.endswith((".example", ".flow")) and i.split(".")[0] in spec.extended_families() for i in ids)


def test_replayed_checks_judge_sync_task_and_flow() -> None:
    options = RunOptions(gateways=["kling-official"], write_report=False, quiet=True)
    report = asyncio.run(execute_run(options))
    by_check: dict[str, list[str]] = {}
    for result in report.results:
        if result.check in (
            "sync_call_answers_at_once",
            "task_family_answers_a_task",
            "flow_session_carries_to_the_task",
        ):
            by_check.setdefault(result.check, []).append(result.outcome.value)
    assert by_check["sync_call_answers_at_once"] == ["pass"] * 3
    assert by_check["task_family_answers_a_task"] == ["pass"] * 11
    assert by_check["flow_session_carries_to_the_task"] == ["pass"]
    yibuapi = asyncio.run(execute_run(RunOptions(gateways=["yibuapi"], write_report=False, quiet=True)))
    skipped = [r for r in yibuapi.results if r.check == "flow_session_carries_to_the_task"]
    assert [r.outcome.value for r in skipped] == ["skipped"] and "documents no flow" in skipped[0].message
