"""merge: shards of one run give exactly the unsharded report."""

from __future__ import annotations

import random
import zlib
from dataclasses import replace

import pytest
from compare_samples import alpha_observations, beta_observations, meta, result

from conformance.compare import merge_reports
from conformance.errors import UsageError
from conformance.models import Outcome
from conformance.reports.json_report import report_dict
from conformance.reports.schema import validate_report_dict
from conformance.runmodel import RunReport

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


def _shards(full: RunReport, n: int) -> list[RunReport]:
    """What ``run --shard i/n`` writes: every result, those of other shards skipped as "other shard"."""
    shards = []
    for i in range(1, n + 1):
        results = [
            r
            if _owner(r.gateway, r.operation, n) == i
            else replace(r, outcome=Outcome.SKIPPED, reason="other shard", message="", exchange_ref="")
            for r in full.results
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


@pytest.mark.parametrize("n", [2, 3, 5])
def test_merged_shards_equal_the_unsharded_run(n: int) -> None:
    full = _unsharded()
    shards = _shards(full, n)
    random.Random(n).shuffle(shards)  # the order of the files on the command line must not matter
    merged, warnings = merge_reports([(f"shard{i}.json", s) for i, s in enumerate(shards)], run_id=full.meta.run_id)
    assert warnings == []
    assert merged.results == full.results
    assert sorted(o.to_dict().__repr__() for o in merged.observations) == sorted(
        o.to_dict().__repr__() for o in full.observations
    )
    assert merged.exchanges == full.exchanges
    used = sum(2 if i < 3 else 1 for i in range(1, n + 1))
    assert merged.meta.to_dict() == full.meta.to_dict() | {"budget": {"max_paid_tasks": 6, "paid_tasks_used": used}}
    validate_report_dict(report_dict(merged))


def test_missing_shard_marks_incomplete() -> None:
    shards = _shards(_unsharded(), 3)
    merged, warnings = merge_reports([("a", shards[0]), ("c", shards[2])])
    assert merged.meta.incomplete and warnings == ["shards 2 of 3 are missing: the merged run is incomplete"]
    assert merged.meta.run_id == "20261122T100001Z-abcde1-merged"
    assert any(r.reason == "other shard" for r in merged.results)  # shard 2's results stay unjudged


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
    first, second = _shards(_unsharded(), 2)
    with pytest.raises(UsageError, match=message):
        merge_reports([("one.json", first), ("two.json", mutate(second))])
