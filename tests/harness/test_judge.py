"""The judge: subjects, waivers, stale waivers, and what a shard may and may not conclude."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import pytest

from conformance.checks.base import Area, CheckContext, CheckSpec, ScenarioTrace, Verdict
from conformance.harness.judge import run_checks
from conformance.models import (
    OTHER_SHARD,
    STALE_WAIVER,
    STALE_WAIVER_PENDING,
    CheckResult,
    Evidence,
    EvidenceKind,
    Exchange,
    Outcome,
    RecordedRequest,
    RecordedResponse,
    Severity,
)
from conformance.profiles import load_builtin_profiles
from conformance.profiles.model import Departure, GatewayProfile

EMU = Evidence(kind=EvidenceKind.EMULATOR, source="emulator profile kling-official", recorded_at="2026-11-22")
DOC = Evidence(kind=EvidenceKind.DOC_DERIVED, source="000.txt lines 1-9")
FALLBACK = Evidence(kind=EvidenceKind.USER_SUPPLIED, source="no scenario ran")

SCENARIOS = {
    "image2video.create.param.cfg_scale": "image2video.create",
    "image2video.create.param.sound": "image2video.create",
    "text2video.create.param.cfg_scale": "text2video.create",
    "text2video.create.param.sound": "text2video.create",
}


def _profile(*departures: Departure) -> GatewayProfile:
    return dataclasses.replace(load_builtin_profiles()["kling-official"], departures=tuple(departures))


def _exchange(scenario: str, operation: str, evidence: Evidence) -> Exchange:
    return Exchange(
        ref=f"kling-official/{scenario}#0",
        gateway="kling-official",
        operation_id=operation,
        scenario=scenario,
        request=RecordedRequest(method="POST", url="https://gw.example/kling/v1/videos"),
        response=RecordedResponse(status_code=200, body=b"{}"),
        evidence=evidence,
    )


def _trace(scenario: str, operation: str, *, away: bool = False, evidence: Evidence = EMU) -> ScenarioTrace:
    """A trace that ran (one exchange), or one another shard owns (no exchange, reason "other shard")."""
    return ScenarioTrace(
        scenario=scenario,
        operation_id=operation,
        gateway="kling-official",
        evidence=evidence,
        exchanges=() if away else (_exchange(scenario, operation, evidence),),
        skipped_reason=OTHER_SHARD if away else "",
    )


def _traces(elsewhere: Iterable[str] = ()) -> dict[str, ScenarioTrace]:
    away = set(elsewhere)
    return {sid: _trace(sid, op, away=sid in away) for sid, op in SCENARIOS.items()}


def _spec(function: Callable[[CheckContext], Iterable[Verdict]], name: str = "optional_param_accepted") -> CheckSpec:
    return CheckSpec(
        id=name,
        function=function,
        description="test check",
        severity=Severity.MEDIUM,
        area=Area.REQUEST_ACCEPTANCE,
        operations=("create",),
        paid=True,
    )


def _per_scenario(outcomes: dict[str, Outcome]) -> Callable[[CheckContext], Iterable[Verdict]]:
    """A check judging every scenario; scenarios of another shard are skipped as the checks' gate does."""

    def check(ctx: CheckContext) -> Iterable[Verdict]:
        for trace in ctx.traces.values():
            if trace.skipped_reason:
                yield Verdict(
                    outcome=Outcome.SKIPPED,
                    operation=trace.operation_id,
                    reason=trace.skipped_reason,
                    subject=trace.scenario,
                )
                continue
            yield Verdict(
                outcome=outcomes.get(trace.scenario, Outcome.PASS),
                operation=trace.operation_id,
                message=trace.scenario,
                json_path="$.code",
                exchange_ref=f"kling-official/{trace.scenario}#0",
                subject=trace.scenario,
            )

    return check


def _judge(profile: GatewayProfile, traces: dict[str, ScenarioTrace], *specs: CheckSpec) -> list[CheckResult]:
    ctx = CheckContext(profile=profile, traces=traces, normalizer=lambda exchange: None)
    return run_checks(ctx, specs, FALLBACK)


def _stale(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.reason in (STALE_WAIVER, STALE_WAIVER_PENDING)]


def test_results_carry_the_subject_the_verdict_names() -> None:
    results = _judge(_profile(), _traces(), _spec(_per_scenario({})))
    assert [r.subject for r in results] == list(SCENARIOS)
    assert len({(r.operation, r.subject) for r in results}) == 4  # no two results share a label


def test_aggregate_verdicts_keep_an_empty_subject_whatever_exchange_they_cite() -> None:
    def aggregate(ctx: CheckContext) -> Iterable[Verdict]:
        yield Verdict(outcome=Outcome.FAIL, operation="image2video.create", exchange_ref="kling-official/x#3")

    (result,) = _judge(_profile(), _traces(), _spec(aggregate))
    assert result.subject == "" and result.exchange_ref == "kling-official/x#3"


def test_verdicts_about_another_shards_scenarios_become_other_shard_skips() -> None:
    def stubborn(ctx: CheckContext) -> Iterable[Verdict]:  # judges without looking at the skip reason
        for trace in ctx.traces.values():
            yield Verdict(outcome=Outcome.SKIPPED, operation=trace.operation_id, reason="no evidence")
        yield Verdict(outcome=Outcome.PASS, operation="text2video.create", subject="text2video.create.param.sound")

    elsewhere = [s for s in SCENARIOS if s.startswith("text2video")]
    results = _judge(_profile(), _traces(elsewhere), _spec(stubborn))
    text = [r for r in results if r.operation == "text2video.create"]
    image = [r for r in results if r.operation == "image2video.create"]
    assert text and all(r.outcome is Outcome.SKIPPED and r.reason == OTHER_SHARD for r in text)
    assert image and all(r.reason == "no evidence" for r in image)


def test_a_failure_matching_a_departure_is_waived_and_the_waiver_is_not_stale() -> None:
    departure = Departure(id="sound-dropped", reason="known", evidence="doc", check="optional_param_accepted")
    outcomes = {"image2video.create.param.sound": Outcome.FAIL}
    results = _judge(_profile(departure), _traces(), _spec(_per_scenario(outcomes)))
    waived = [r for r in results if r.outcome is Outcome.WAIVED]
    assert [r.subject for r in waived] == ["image2video.create.param.sound"] and waived[0].reason == "known"
    assert _stale(results) == []


def test_a_departure_that_never_triggers_is_a_stale_waiver() -> None:
    departure = Departure(
        id="i2v-sound", reason="known", evidence="doc", check="optional_param_accepted", operation="image2video.create"
    )
    results = _judge(_profile(departure), _traces(), _spec(_per_scenario({})))
    (stale,) = _stale(results)
    assert (stale.outcome, stale.severity, stale.reason) == (Outcome.FAIL, Severity.INFO, STALE_WAIVER)
    assert stale.subject == "waiver:i2v-sound" and stale.operation == "image2video.create"
    assert "i2v-sound" in stale.message and stale.actual == "pass"
    assert stale.exchange_ref == "kling-official/image2video.create.param.cfg_scale#0"  # the first pass by content


def test_a_departure_whose_scope_was_not_all_judged_is_not_stale() -> None:
    departure = Departure(id="any", reason="known", evidence="doc", check="optional_param_accepted")
    outcomes = {"text2video.create.param.sound": Outcome.ERROR}
    assert _stale(_judge(_profile(departure), _traces(), _spec(_per_scenario(outcomes)))) == []


def test_a_shard_reports_no_stale_waiver_for_a_scope_in_another_shard() -> None:
    departure = Departure(
        id="t2v", reason="known", evidence="doc", check="optional_param_accepted", operation="text2video.create"
    )
    elsewhere = [s for s in SCENARIOS if s.startswith("text2video")]
    assert _stale(_judge(_profile(departure), _traces(elsewhere), _spec(_per_scenario({})))) == []


def test_a_shard_leaves_a_scope_spanning_shards_to_the_merge() -> None:
    departure = Departure(id="everywhere", reason="known", evidence="doc", check="optional_param_accepted")
    elsewhere = [s for s in SCENARIOS if s.startswith("text2video")]
    (pending,) = _stale(_judge(_profile(departure), _traces(elsewhere), _spec(_per_scenario({}))))
    assert pending.outcome is Outcome.SKIPPED and pending.reason == STALE_WAIVER_PENDING
    assert pending.subject == "waiver:everywhere" and pending.operation == ""


@pytest.mark.parametrize("raises", [True, False])
def test_a_check_that_raises_or_finds_nothing_still_gives_one_result(raises: bool) -> None:
    def broken(ctx: CheckContext) -> Iterable[Verdict]:
        if raises:
            raise RuntimeError("bug")
        return []

    (result,) = _judge(_profile(), _traces(), _spec(broken))
    assert result.outcome is (Outcome.ERROR if raises else Outcome.SKIPPED)
    assert result.subject == "" and result.operation == ""
    assert result.evidence == EMU  # the evidence the gateway's scenarios carry, not the fallback


def test_gateway_level_evidence_is_the_same_in_every_shard() -> None:
    def nothing(ctx: CheckContext) -> Iterable[Verdict]:
        return []

    def evidence_with(elsewhere: list[str]) -> Evidence:
        # the first scenario in catalog order is doc-derived: "first that ran" would differ per shard
        shard_traces = {
            sid: _trace(
                sid,
                op,
                away=sid in elsewhere,
                evidence=DOC if sid.endswith("image2video.create.param.cfg_scale") else EMU,
            )
            for sid, op in SCENARIOS.items()
        }
        (result,) = _judge(_profile(), shard_traces, _spec(nothing))
        return result.evidence

    image = [s for s in SCENARIOS if s.startswith("image2video")]
    text = [s for s in SCENARIOS if s.startswith("text2video")]
    assert evidence_with([]) == evidence_with(image) == evidence_with(text) == EMU


def _doc_and_emulator_traces() -> dict[str, ScenarioTrace]:
    """The image2video scenarios judged on the document's example, the text2video ones on the emulator."""
    return {
        sid: _trace(sid, op, evidence=DOC if op.startswith("image2video") else EMU) for sid, op in SCENARIOS.items()
    }


def test_a_documentation_departure_waives_only_doc_derived_failures() -> None:
    departure = Departure(
        id="doc-placeholder",
        reason="the doc shows 'string'",
        evidence="doc",
        check="optional_param_accepted",
        kind="documentation",
    )
    outcomes = {sid: Outcome.FAIL for sid in SCENARIOS if sid.endswith("sound")}
    results = _judge(_profile(departure), _doc_and_emulator_traces(), _spec(_per_scenario(outcomes)))
    by_subject = {r.subject: r for r in results}
    doc = by_subject["image2video.create.param.sound"]
    assert (doc.outcome, doc.reason) == (Outcome.WAIVED, "the doc shows 'string'")
    emulator = by_subject["text2video.create.param.sound"]
    assert emulator.outcome is Outcome.FAIL and emulator.reason == ""  # runtime evidence is never waived by it
    assert _stale(results) == []


def test_any_other_departure_kind_waives_every_evidence() -> None:
    departure = Departure(id="runtime", reason="known", evidence="doc", check="optional_param_accepted")
    outcomes = {sid: Outcome.FAIL for sid in SCENARIOS if sid.endswith("sound")}
    results = _judge(_profile(departure), _doc_and_emulator_traces(), _spec(_per_scenario(outcomes)))
    assert sorted(r.subject for r in results if r.outcome is Outcome.WAIVED) == [
        "image2video.create.param.sound",
        "text2video.create.param.sound",
    ]


def test_a_documentation_departure_is_judged_stale_only_against_doc_derived_results() -> None:
    def departure(operation: str) -> Departure:
        return Departure(
            id=f"doc-{operation}",
            reason="known",
            evidence="doc",
            check="optional_param_accepted",
            operation=operation,
            kind="documentation",
        )

    profile = _profile(departure("image2video.create"), departure("text2video.create"))
    results = _judge(profile, _doc_and_emulator_traces(), _spec(_per_scenario({})))
    (stale,) = _stale(results)  # the emulator's passes on text2video say nothing about the document
    assert stale.subject == "waiver:doc-image2video.create" and stale.evidence == DOC
    assert "the gateway's own document does not show it" in stale.message
