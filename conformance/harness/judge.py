"""Runs the registered checks over one gateway's traces and turns verdicts into results.

The harness owns the decisions the checks do not make:

* a ``fail`` matched by a profile departure becomes ``waived`` (with the departure's reason); a
  departure of kind ``documentation`` (the document itself is defective) matches only results with
  ``doc-derived`` evidence, and only those can make it stale (:func:`waives`);
* a departure that names a check which ran and passed everywhere in the departure's scope, without
  ever needing the waiver, is reported as a stale waiver (``fail``, severity info, reason
  ``"stale waiver"``; issue: "a waiver that never triggers is itself reported as stale");
* a check that raises or yields nothing still produces a result (``error`` with the cause,
  ``skipped`` with "no evidence");
* every result names its ``subject``: the scenario it judged (``Verdict.subject``; empty for a
  judgement of a whole operation), so that reports, ``diff`` and ``merge`` can tell apart the several
  results one check gives one operation.

**Shards.** In a ``--shard i/n`` run the scenarios other shards own are traces skipped with reason
"other shard". Verdicts about them become ``skipped: "other shard"`` (``merge`` drops those once every
shard is there). A departure whose scope reaches into another shard cannot be judged stale by one
shard: when its local part passed it is reported as ``skipped`` with reason
:data:`STALE_WAIVER_PENDING`, and ``merge`` decides across shards (stale only when no shard triggered
it or saw anything but passes in its scope). What could depend on which scenarios a shard holds (the
evidence of a gateway-level result, the example exchange of a stale waiver) is picked by content, so a
shard and the unsharded run pick the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from conformance.checks.base import CheckContext, CheckSpec, ScenarioTrace, Verdict
from conformance.models import (
    OTHER_SHARD,
    STALE_WAIVER,
    STALE_WAIVER_PENDING,
    WAIVER_SUBJECT,
    CheckResult,
    Evidence,
    EvidenceKind,
    Outcome,
    Severity,
    example_pass_key,
    in_waiver_scope,
)
from conformance.profiles.model import Departure

#: Source of the evidence the runner gives scenarios that have no cassette (never real evidence).
_PLACEHOLDER_SOURCE = "no cassette"


def scenario_of_ref(exchange_ref: str) -> str:
    """The scenario named by an exchange ref ``<gateway>/<scenario>#<n>`` (``""`` for no ref)."""
    if not exchange_ref:
        return ""
    return exchange_ref.split("/", 1)[-1].split("#", 1)[0]


def subject_of(verdict: Verdict) -> str:
    """The scenario a verdict judged (``Verdict.subject``; the checks' verdict builders set it to the trace
    they judged). A verdict without one judges a whole operation; its exchange ref only names an example
    exchange (the first body, or the first bad one), which changes with the outcome, so it is not used as
    the subject: the same judgement keeps one identity across runs for ``diff``.
    """
    return verdict.subject


def stale_waiver_message(departure_id: str, check: str, evidence: EvidenceKind) -> str:
    """The message of a stale-waiver result; what it suggests depends on the evidence that passed."""
    why = {
        EvidenceKind.LIVE: "the gateway may have changed. Remove or update the departure.",
        EvidenceKind.EMULATOR: (
            "the emulator's model of the gateway does not show the departure: update the profile or the emulator."
        ),
        EvidenceKind.DOC_DERIVED: "the gateway's own document does not show it: check the departure against it.",
        EvidenceKind.ENGINE: (
            "the engine run locally does not show it: check the departure against the engine's code and recording."
        ),
    }.get(evidence, "the evidence does not show the departure: remove or update it.")
    return f"stale waiver: profile departure {departure_id!r} expects {check} to fail, but it passed; {why}"


def _evidence(ctx: CheckContext, verdict: Verdict, fallback: Evidence) -> Evidence:
    if verdict.evidence is not None:
        return verdict.evidence
    if verdict.exchange_ref:
        trace = ctx.trace(scenario_of_ref(verdict.exchange_ref))
        if trace is not None:
            return trace.evidence
    if verdict.operation:
        for trace in ctx.traces.values():
            if trace.operation_id == verdict.operation and not trace.skipped_reason:
                return trace.evidence
    return fallback


def gateway_evidence(ctx: CheckContext, fallback: Evidence) -> Evidence:
    """Evidence for a result tied to no scenario: the evidence most of the gateway's scenarios carry.

    Counts the traces that ran plus those another shard owns (their evidence is known before they run),
    so every shard of a run and the unsharded run agree; ties go to catalog order.
    """
    counts: Counter[Evidence] = Counter()
    for trace in ctx.traces.values():
        ran = not trace.skipped_reason and bool(trace.exchanges)
        elsewhere = trace.skipped_reason == OTHER_SHARD and not _placeholder(trace.evidence)
        if ran or elsewhere:
            counts[trace.evidence] += 1
    if not counts:
        return fallback
    return counts.most_common(1)[0][0]  # most_common keeps first-seen order among equal counts


def _placeholder(evidence: Evidence) -> bool:
    return evidence.kind is EvidenceKind.USER_SUPPLIED and evidence.source == _PLACEHOLDER_SOURCE


class _Shard:
    """What this context knows about shards: the scenarios and operations another shard owns."""

    def __init__(self, traces: dict[str, ScenarioTrace]) -> None:
        self.elsewhere = {sid for sid, t in traces.items() if t.skipped_reason == OTHER_SHARD}
        by_op: dict[str, list[bool]] = {}
        for sid, trace in traces.items():
            by_op.setdefault(trace.operation_id, []).append(sid in self.elsewhere)
        self.operations_elsewhere = {op for op, flags in by_op.items() if all(flags)}

    @property
    def sharded(self) -> bool:
        return bool(self.elsewhere)

    def owns(self, subject: str, operation: str) -> bool:
        """Whether a result about ``subject`` (else ``operation``) is this shard's to report."""
        if subject:
            return subject not in self.elsewhere
        return not operation or operation not in self.operations_elsewhere


def _result(spec: CheckSpec, ctx: CheckContext, verdict: Verdict, fallback: Evidence, shard: _Shard) -> CheckResult:
    subject = subject_of(verdict)
    outcome, reason, message = verdict.outcome, verdict.reason, verdict.message
    if outcome is Outcome.SKIPPED and not reason:
        reason = message
    if shard.sharded and not shard.owns(subject, verdict.operation) and reason != OTHER_SHARD:
        outcome, reason = Outcome.SKIPPED, OTHER_SHARD
        message = f"skipped ({OTHER_SHARD}): another shard judges {subject or verdict.operation}"
    scenario_less = not subject and not verdict.operation and not verdict.exchange_ref
    return CheckResult(
        gateway=ctx.gateway,
        check=spec.id,
        outcome=outcome,
        severity=spec.severity,
        evidence=(
            verdict.evidence or gateway_evidence(ctx, fallback) if scenario_less else _evidence(ctx, verdict, fallback)
        ),
        operation=verdict.operation,
        area=spec.area.value,
        message=message,
        expected=verdict.expected,
        actual=verdict.actual,
        json_path=verdict.json_path,
        exchange_ref=verdict.exchange_ref,
        reason=reason,
        subject=subject,
    )


#: Departure kind for a defect of the gateway's document itself (placeholder values, wrong documented
#: types): it explains what the document shows, not what the gateway does.
DOCUMENTATION_KIND = "documentation"


def waives(departure: Departure, result: CheckResult) -> bool:
    """Whether ``departure`` may waive (or be judged stale by) ``result``, by evidence.

    A ``documentation`` departure says the document is defective, so it covers only judgements of the
    document (``doc-derived`` evidence); emulator, live and other evidence is judged as if it were
    absent. Every other kind covers every evidence.
    """
    return departure.kind != DOCUMENTATION_KIND or result.evidence.kind is EvidenceKind.DOC_DERIVED


def _waive(result: CheckResult, departure: Departure) -> CheckResult:
    return replace(
        result,
        outcome=Outcome.WAIVED,
        message=f"{result.message} [known departure {departure.id}]",
        reason=departure.reason,
    )


def _gateway_result(
    ctx: CheckContext, spec: CheckSpec, fallback: Evidence, outcome: Outcome, message: str, reason: str
) -> CheckResult:
    """A gateway-wide result of ``spec`` that no verdict produced (the check raised, or judged nothing)."""
    return CheckResult(
        gateway=ctx.gateway,
        check=spec.id,
        outcome=outcome,
        severity=spec.severity,
        evidence=gateway_evidence(ctx, fallback),
        area=spec.area.value,
        message=message,
        reason=reason,
    )


def run_checks(ctx: CheckContext, specs: Iterable[CheckSpec], fallback: Evidence) -> list[CheckResult]:
    """Every check in ``specs`` on one gateway, waivers applied, stale waivers appended."""
    profile = ctx.profile
    shard = _Shard(ctx.traces)
    results: list[CheckResult] = []
    used: set[str] = set()
    ran: list[CheckSpec] = []
    for spec in specs:
        ran.append(spec)
        try:
            verdicts = list(spec.function(ctx))
        except Exception as exc:  # a check bug is an error result, never a traceback
            message = f"the check itself raised {type(exc).__name__}: {exc}"
            results.append(_gateway_result(ctx, spec, fallback, Outcome.ERROR, message, "check error"))
            continue
        if not verdicts:
            message = "the check found nothing to judge"
            results.append(_gateway_result(ctx, spec, fallback, Outcome.SKIPPED, message, "no evidence"))
            continue
        for verdict in verdicts:
            result = _result(spec, ctx, verdict, fallback, shard)
            if result.outcome is Outcome.FAIL:
                departures = [d for d in profile.departures_for(spec.id, result.operation) if waives(d, result)]
                if departures:
                    used.update(d.id for d in departures)
                    result = _waive(result, departures[0])
            results.append(result)
    results.extend(_stale_waivers(ctx, ran, results, used))
    return results


def _stale_waivers(
    ctx: CheckContext, ran: Sequence[CheckSpec], results: list[CheckResult], used: set[str]
) -> list[CheckResult]:
    """Departures naming a check that ran and passed in all of the departure's scope."""
    specs = {s.id: s for s in ran}
    out: list[CheckResult] = []
    for departure in ctx.profile.departures:
        if not departure.check or departure.id in used or departure.check not in specs:
            continue
        scope = [
            r
            for r in results
            if in_waiver_scope(r, departure.check, departure.operation, departure.json_path) and waives(departure, r)
        ]
        local = [r for r in scope if r.reason != OTHER_SHARD]
        passes = [r for r in local if r.outcome is Outcome.PASS]
        if not passes or len(passes) != len(local):
            continue  # not every judgement in scope passed (or none could judge): untested, not stale
        pending = len(local) != len(scope)  # part of the scope lies in another shard: merge decides
        example = min(passes, key=example_pass_key)
        out.append(
            CheckResult(
                gateway=ctx.gateway,
                check=departure.check,
                outcome=Outcome.SKIPPED if pending else Outcome.FAIL,
                severity=Severity.INFO,
                evidence=example.evidence,
                operation=departure.operation,
                area=specs[departure.check].area.value,
                message=stale_waiver_message(departure.id, departure.check, example.evidence.kind),
                expected="fail (waived by the profile)",
                actual="pass",
                json_path=departure.json_path,
                exchange_ref=example.exchange_ref,
                reason=STALE_WAIVER_PENDING if pending else STALE_WAIVER,
                subject=f"{WAIVER_SUBJECT}{departure.id}",
            )
        )
    return out
