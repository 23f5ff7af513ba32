"""Judging a gateway once per evidence kind, so that every result carries the evidence it was judged on.

One gateway's traces can mix evidence: in replay the bundled emulator cassettes sit next to
doc-derived ones (the gateway document's own request and response examples). Checks group exchanges
(per operation, per scenario pattern) and a result names one exchange, so a result judged over a mixed
group would claim one evidence kind for bodies of another. Instead the checks run once over the
traces of the gateway's main evidence kind (other kinds' traces stand in as skipped, and those skips
are dropped), and once per other kind over that kind's traces alone, keeping only what those runs
could judge. Stale waivers come from the main run only (a document example passing where the runtime
departs is not a stale waiver).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from conformance.checks.base import CheckContext, CheckSpec, ScenarioTrace
from conformance.harness.judge import STALE_WAIVER, run_checks
from conformance.models import CheckResult, Evidence, EvidenceKind, Outcome
from conformance.profiles.model import GatewayProfile

#: Skip reason of a trace judged in another evidence kind's pass (never reaches a report).
JUDGED_SEPARATELY = "judged separately (other evidence)"


def _ran(trace: ScenarioTrace) -> bool:
    return bool(trace.exchanges) and not trace.skipped_reason


def evidence_kinds(traces: dict[str, ScenarioTrace]) -> list[EvidenceKind]:
    """Evidence kinds of the traces that ran, the most common first (ties: enum order)."""
    counts = Counter(t.evidence.kind for t in traces.values() if _ran(t))
    order = {kind: index for index, kind in enumerate(EvidenceKind)}
    return sorted(counts, key=lambda kind: (-counts[kind], order[kind]))


def _stand_in(trace: ScenarioTrace) -> ScenarioTrace:
    return dataclasses.replace(trace, exchanges=(), callbacks=(), error="", skipped_reason=JUDGED_SEPARATELY)


def judge_by_evidence(
    profile: GatewayProfile,
    traces: dict[str, ScenarioTrace],
    normalizer: Callable[[Any], Any],
    mode: str,
    specs: Sequence[CheckSpec],
    fallback: Evidence,
) -> list[CheckResult]:
    """Every check on one gateway, each result judged only over traces of the evidence it carries."""
    kinds = evidence_kinds(traces)
    if len(kinds) <= 1:
        ctx = CheckContext(profile=profile, traces=traces, normalizer=normalizer, mode=mode)
        return run_checks(ctx, specs, fallback)
    main_kind, others = kinds[0], kinds[1:]
    main_traces = {
        sid: (_stand_in(t) if _ran(t) and t.evidence.kind is not main_kind else t) for sid, t in traces.items()
    }
    main_ctx = CheckContext(profile=profile, traces=main_traces, normalizer=normalizer, mode=mode)
    results = [r for r in run_checks(main_ctx, specs, fallback) if r.reason != JUDGED_SEPARATELY]
    for kind in others:
        subset = {sid: t for sid, t in traces.items() if _ran(t) and t.evidence.kind is kind}
        ctx = CheckContext(profile=profile, traces=subset, normalizer=normalizer, mode=mode)
        kind_fallback = next(iter(subset.values())).evidence
        results.extend(
            r
            for r in run_checks(ctx, specs, kind_fallback)
            if r.outcome is not Outcome.SKIPPED and r.reason != STALE_WAIVER
        )
    position = {spec.id: index for index, spec in enumerate(specs)}
    return sorted(results, key=lambda r: position.get(r.check, len(position)))  # stable: each pass keeps its order
