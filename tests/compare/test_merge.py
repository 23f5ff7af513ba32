"""merge: shards of one run give exactly the unsharded report."""

from __future__ import annotations

import random
import zlib
from dataclasses import replace
from typing import Any

import pytest
from compare_samples import alpha_observations, beta_observations, meta, result

from conformance.compare import merge_reports
from conformance.errors import UsageError
from conformance.models import (
    OTHER_SHARD,
    STALE_WAIVER,
    STALE_WAIVER_PENDING,
    WAIVER_SUBJECT,
    CheckResult,
    Outcome,
    Severity,
)
from conformance.reports.json_report import report_dict
from conformance.reports.schema import validate_report_dict
from conformance.runmodel import RunMeta, RunReport

GATEWAYS = ["alpha", "beta", "gamma", "delta", "epsilon"]
CHECKS = ["minimal_request_accepted", "response_shape_family", "status_vocabulary_kling", "auth_missing_key_rejected"]


def _unsharded() -> RunReport:
    rng = random.Random(7)
    results, exchanges = [], {}
    for gw in GATEWAYS:
        for check in CHECKS:
            for op in ("image2video.create", "image2video.get") if check != "auth_missing_key_rejected" else ("",):
                outcome = rng.choice(list(Outcome))
                ref = f"{gw}/{op or 'auth'}.{check}#0"
                results.append(result(gw, check, outcome, op, exchange_ref=ref, message=f"{check} on {gw}"))
                exchanges[ref] = {
                    "request": {"method": "GET", "url": f"http://127.0.0.1/{gw}"},
                    "response": None,
                    "error": None,
                }
    observations = alpha_observations() + beta_observations()
    return RunReport(
        meta=meta("20261122T100000Z-full00", gateways=GATEWAYS, budget={"max_paid_tasks": 6, "paid_tasks_used": 5}),
        results=results,
        observations=observations,
        exchanges=exchanges,
    )


def _owner(gateway: str, operation: str, n: int) -> int:
    """The shard (1-based) owning a (gateway, family) unit, as ``run --shard`` decides it."""
    family = operation.rsplit(".", 1)[0] if operation else "auth"
    return zlib.crc32(f"{gateway}/{family}".encode()) % n + 1


def _shards(full: RunReport, n: int, *, stand_ins: bool = False) -> list[RunReport]:
    """What ``run --shard i/n`` writes: its own results only (``stand_ins``: also the other shards' results
    skipped as "other shard", as reports of older versions did)."""
    shards = []
    for i in range(1, n + 1):
        results = [
            r
            if _owner(r.gateway, r.operation, n) == i
            else replace(r, outcome=Outcome.SKIPPED, reason="other shard", message="", exchange_ref="")
            for r in full.results
            if stand_ins or _owner(r.gateway, r.operation, n) == i
        ]
        refs = {r.exchange_ref for r in results}
        used = 2 if i < 3 else 1
        shards.append(
            RunReport(
                meta=replace(
                    full.meta,
                    run_id=f"20261122T10000{i}Z-abcde{i}-shard{i}of{n}",
                    shard=f"{i}/{n}",
                    started_at=f"2026-11-22T10:00:0{i - 1}+00:00" if i > 1 else full.meta.started_at,
                    finished_at=full.meta.finished_at if i == n else "2026-11-22T10:00:04+00:00",
                    budget={"max_paid_tasks": 6, "paid_tasks_used": used},
                ),
                results=results,
                observations=[o for o in full.observations if _owner(o.gateway, o.operation, n) == i],
                exchanges={ref: s for ref, s in full.exchanges.items() if ref in refs},
            )
        )
    return shards


def _key(r: CheckResult) -> str:
    return repr(sorted(r.to_dict().items()))


@pytest.mark.parametrize("stand_ins", [False, True], ids=["own-results", "with-stand-ins"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_merged_shards_equal_the_unsharded_run(n: int, stand_ins: bool) -> None:
    full = _unsharded()
    shards = _shards(full, n, stand_ins=stand_ins)
    again = list(shards)
    random.Random(n).shuffle(shards)  # the order of the files on the command line must not matter
    merged, warnings = merge_reports([(f"shard{i}.json", s) for i, s in enumerate(shards)], run_id=full.meta.run_id)
    in_order, _ = merge_reports([(f"shard{i}.json", s) for i, s in enumerate(again)], run_id=full.meta.run_id)
    assert warnings == [] and merged.results == in_order.results
    assert sorted(map(_key, merged.results)) == sorted(map(_key, full.results))
    if stand_ins:
        assert merged.results == full.results
    assert sorted(o.to_dict().__repr__() for o in merged.observations) == sorted(
        o.to_dict().__repr__() for o in full.observations
    )
    assert merged.exchanges == full.exchanges
    used = sum(2 if i < 3 else 1 for i in range(1, n + 1))
    assert merged.meta.to_dict() == full.meta.to_dict() | {"budget": {"max_paid_tasks": 6, "paid_tasks_used": used}}
    validate_report_dict(report_dict(merged))


def test_a_missing_shard_is_refused_unless_partial_is_allowed_then_labelled() -> None:
    full = _unsharded()
    shards = _shards(full, 3)
    with pytest.raises(UsageError, match=r"shard 2 of 3 is missing.*--allow-partial"):
        merge_reports([("a", shards[0]), ("c", shards[2])])
    merged, warnings = merge_reports([("a", shards[0]), ("c", shards[2])], allow_partial=True)
    assert merged.meta.incomplete and warnings == ["shards 2 of 3 are missing: the merged run is partial (incomplete)"]
    assert merged.meta.partial == "shards 1, 3 of 3 merged; missing: 2"
    assert merged.meta.run_id == "20261122T100001Z-abcde1-merged"
    assert len(merged.results) == len(shards[0].results) + len(shards[2].results) < len(full.results)
    assert not any(r.reason == "other shard" for r in merged.results)
    validate_report_dict(report_dict(merged))
    assert RunMeta.from_dict(report_dict(merged)["meta"]).partial == merged.meta.partial


def test_shards_of_different_gateway_sets_or_mixed_with_whole_runs_are_refused() -> None:
    first, second = _shards(_unsharded(), 2)
    other = replace(second, meta=replace(second.meta, gateways=["alpha"]))
    with pytest.raises(UsageError, match="different gateways"):
        merge_reports([("one.json", first), ("two.json", other)])
    whole = replace(second, meta=replace(second.meta, shard=""))
    with pytest.raises(UsageError, match="not a shard is mixed"):
        merge_reports([("one.json", first), ("two.json", whole)])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: replace(s, meta=replace(s.meta, tool_version="0.2.0")), "differ in tool_version"),
        (lambda s: replace(s, meta=replace(s.meta, shard="1/2")), "given twice"),
        (
            lambda s: replace(
                s,
                results=[
                    replace(r, outcome=Outcome.FAIL if r.outcome is Outcome.PASS else Outcome.PASS, reason="")
                    for r in s.results
                ],
            ),
            "different results",
        ),
    ],
    ids=["tool-version", "duplicate-shard", "conflict"],
)
def test_mismatched_shards_are_usage_errors(mutate, message: str) -> None:
    first, second = _shards(_unsharded(), 2, stand_ins=True)
    with pytest.raises(UsageError, match=message):
        merge_reports([("one.json", first), ("two.json", mutate(second))])


# --------------------------------------------------------------------------- subjects, stand-ins, waivers

I2V, T2V = "image2video.create", "text2video.create"


def _shard(i: int, n: int, results: list[CheckResult]) -> RunReport:
    return RunReport(meta=meta(f"20261122T100000Z-aaaaaa-shard{i}of{n}", shard=f"{i}/{n}"), results=results)


def _param(op: str, name: str, outcome: Outcome, **extra: Any) -> CheckResult:
    return result("alpha", "optional_param_accepted", outcome, op, subject=f"{op}.param.{name}", **extra)


def _away(r: CheckResult) -> CheckResult:
    return replace(r, outcome=Outcome.SKIPPED, reason=OTHER_SHARD, message="skipped (other shard)", exchange_ref="")


def _merged(*shards: RunReport) -> list[CheckResult]:
    merged, _ = merge_reports([(f"s{i}.json", s) for i, s in enumerate(shards, 1)])
    return merged.results


def test_results_are_matched_by_subject_not_by_position() -> None:
    cfg, sound = _param(I2V, "cfg_scale", Outcome.PASS), _param(I2V, "sound", Outcome.FAIL, message="rejected")
    # shard 1 owns image2video; shard 2 lists only one stand-in for the family, for the second subject
    one = _shard(1, 2, [cfg, sound])
    two = _shard(2, 2, [_away(sound)])
    assert _merged(one, two) == [cfg, sound]
    assert _merged(two, one) == [cfg, sound]


def test_judged_results_with_different_subjects_never_conflict() -> None:
    a, b = _param(I2V, "cfg_scale", Outcome.PASS), _param(T2V, "cfg_scale", Outcome.FAIL)
    assert _merged(_shard(1, 2, [a, _away(b)]), _shard(2, 2, [_away(a), b])) == [a, b]


def test_a_gateway_level_found_nothing_yields_to_a_shard_that_found_something() -> None:
    nothing = result("alpha", "failure_has_reason", Outcome.SKIPPED, reason="no evidence", message="nothing failed")
    found = result("alpha", "failure_has_reason", Outcome.PASS, T2V, subject=f"{T2V}.minimal")
    assert _merged(_shard(1, 2, [nothing]), _shard(2, 2, [found])) == [found]
    assert _merged(_shard(1, 2, [nothing]), _shard(2, 2, [nothing])) == [nothing]  # nothing anywhere: kept once


def test_other_shard_stand_ins_stay_only_while_a_shard_is_missing() -> None:
    a = _param(I2V, "cfg_scale", Outcome.PASS)
    merged, warnings = merge_reports(
        [("s1.json", _shard(1, 3, [_away(a)])), ("s3.json", _shard(3, 3, [_away(a)]))], allow_partial=True
    )
    assert merged.meta.incomplete and warnings
    assert [r.reason for r in merged.results] == [OTHER_SHARD]


def _stale(operation: str, reason: str, ref: str, departure: str = "everywhere") -> CheckResult:
    """A stale-waiver result as the judge writes it (definitive, or pending the other shards)."""
    stale = result(
        "alpha",
        "optional_param_accepted",
        Outcome.FAIL if reason == STALE_WAIVER else Outcome.SKIPPED,
        operation,
        reason=reason,
        subject=f"{WAIVER_SUBJECT}{departure}",
        message=f"stale waiver: profile departure {departure!r} expects optional_param_accepted to fail",
        exchange_ref=ref,
    )
    return replace(stale, severity=Severity.INFO)


def test_pending_stale_waivers_of_every_shard_become_one_stale_waiver() -> None:
    i2v, t2v = _param(I2V, "sound", Outcome.PASS), _param(T2V, "sound", Outcome.PASS)
    one = _shard(1, 2, [i2v, _away(t2v), _stale("", STALE_WAIVER_PENDING, "alpha/image2video.create.param.sound#0")])
    two = _shard(2, 2, [_away(i2v), t2v, _stale("", STALE_WAIVER_PENDING, "alpha/text2video.create.param.sound#0")])
    merged = _merged(two, one)
    (stale,) = [r for r in merged if r.subject.startswith(WAIVER_SUBJECT)]
    assert (stale.outcome, stale.reason) == (Outcome.FAIL, STALE_WAIVER)
    assert stale.exchange_ref == "alpha/image2video.create.param.sound#0"  # the same pick the unsharded run makes
    assert [r for r in merged if not r.subject.startswith(WAIVER_SUBJECT)] == [i2v, t2v]


def test_a_waiver_triggered_in_another_shard_is_not_stale() -> None:
    i2v = _param(I2V, "sound", Outcome.PASS)
    t2v = _param(T2V, "sound", Outcome.WAIVED, reason="known departure")
    one = _shard(1, 2, [i2v, _away(t2v), _stale("", STALE_WAIVER_PENDING, "alpha/image2video.create.param.sound#0")])
    two = _shard(2, 2, [_away(i2v), t2v])
    assert not [r for r in _merged(one, two) if r.subject.startswith(WAIVER_SUBJECT)]


def test_a_stale_waiver_whose_scope_one_shard_owns_is_kept() -> None:
    i2v = _param(I2V, "sound", Outcome.PASS)
    stale = _stale(I2V, STALE_WAIVER, "alpha/image2video.create.param.sound#0", departure="i2v")
    t2v = _param(T2V, "sound", Outcome.FAIL)  # outside the departure's operation: no say
    merged = _merged(_shard(1, 2, [i2v, _away(t2v), stale]), _shard(2, 2, [_away(i2v), t2v]))
    assert [r for r in merged if r.subject.startswith(WAIVER_SUBJECT)] == [stale]


def test_a_pending_stale_waiver_stays_pending_while_a_shard_is_missing() -> None:
    i2v = _param(I2V, "sound", Outcome.PASS)
    pending = _stale("", STALE_WAIVER_PENDING, "alpha/image2video.create.param.sound#0")
    merged, _ = merge_reports([("s1.json", _shard(1, 3, [i2v, pending]))], allow_partial=True)
    assert [r.reason for r in merged.results if r.subject.startswith(WAIVER_SUBJECT)] == [STALE_WAIVER_PENDING]


def test_reports_without_subjects_still_merge_by_position() -> None:
    a, b = (
        result("alpha", "bad_enum_rejected", Outcome.PASS, I2V),
        result("alpha", "bad_enum_rejected", Outcome.FAIL, I2V),
    )
    merged = _merged(_shard(1, 2, [a, b]), _shard(2, 2, [_away(a), _away(b)]))
    assert merged == [a, b]
