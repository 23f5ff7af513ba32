"""Runs the registered checks over one gateway's traces and turns verdicts into results.

The harness owns three decisions the checks do not make: a ``fail`` matched by a profile departure
becomes ``waived`` (with the departure's reason); a departure that names a check which ran and passed
without ever needing the waiver is reported as a stale waiver; and a check that raises or yields
nothing still produces a result (``error`` with the cause, ``skipped`` with "no evidence").
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.checks.base import CheckContext, CheckSpec, Verdict
from conformance.models import CheckResult, Evidence, Outcome, Severity
from conformance.profiles.model import Departure

STALE_WAIVER = "stale waiver"


def _evidence(ctx: CheckContext, verdict: Verdict, fallback: Evidence) -> Evidence:
    if verdict.evidence is not None:
        return verdict.evidence
    if verdict.exchange_ref:
        scenario = verdict.exchange_ref.split("/", 1)[-1].split("#", 1)[0]
        trace = ctx.trace(scenario)
        if trace is not None:
            return trace.evidence
    if verdict.operation:
        for trace in ctx.traces.values():
            if trace.operation_id == verdict.operation and not trace.skipped_reason:
                return trace.evidence
    return fallback


def _result(spec: CheckSpec, ctx: CheckContext, verdict: Verdict, fallback: Evidence) -> CheckResult:
    reason = verdict.reason
    if verdict.outcome is Outcome.SKIPPED and not reason:
        reason = verdict.message
    return CheckResult(
        gateway=ctx.gateway,
        check=spec.id,
        outcome=verdict.outcome,
        severity=spec.severity,
        evidence=_evidence(ctx, verdict, fallback),
        operation=verdict.operation,
        area=spec.area.value,
        message=verdict.message,
        expected=verdict.expected,
        actual=verdict.actual,
        json_path=verdict.json_path,
        exchange_ref=verdict.exchange_ref,
        reason=reason,
    )


def _waive(result: CheckResult, departure: Departure) -> CheckResult:
    return CheckResult(
        gateway=result.gateway,
        check=result.check,
        outcome=Outcome.WAIVED,
        severity=result.severity,
        evidence=result.evidence,
        operation=result.operation,
        area=result.area,
        message=f"{result.message} [known departure {departure.id}]",
        expected=result.expected,
        actual=result.actual,
        json_path=result.json_path,
        exchange_ref=result.exchange_ref,
        reason=departure.reason,
    )


def run_checks(ctx: CheckContext, specs: Iterable[CheckSpec], fallback: Evidence) -> list[CheckResult]:
    """Every check in ``specs`` on one gateway, waivers applied, stale waivers appended."""
    profile = ctx.profile
    results: list[CheckResult] = []
    used: set[str] = set()
    ran: list[CheckSpec] = []
    for spec in specs:
        ran.append(spec)
        try:
            verdicts = list(spec.function(ctx))
        except Exception as exc:  # a check bug is an error result, never a traceback
            results.append(
                CheckResult(
                    gateway=ctx.gateway,
                    check=spec.id,
                    outcome=Outcome.ERROR,
                    severity=spec.severity,
                    evidence=fallback,
                    area=spec.area.value,
                    message=f"the check itself raised {type(exc).__name__}: {exc}",
                    reason="check error",
                )
            )
            continue
        if not verdicts:
            results.append(
                CheckResult(
                    gateway=ctx.gateway,
                    check=spec.id,
                    outcome=Outcome.SKIPPED,
                    severity=spec.severity,
                    evidence=fallback,
                    area=spec.area.value,
                    message="the check found nothing to judge",
                    reason="no evidence",
                )
            )
            continue
        for verdict in verdicts:
            result = _result(spec, ctx, verdict, fallback)
            if result.outcome is Outcome.FAIL:
                departures = profile.departures_for(spec.id, result.operation)
                if departures:
                    used.update(d.id for d in departures)
                    result = _waive(result, departures[0])
            results.append(result)
    results.extend(_stale_waivers(ctx, ran, results, used, fallback))
    return results


def _stale_waivers(
    ctx: CheckContext, ran: list[CheckSpec], results: list[CheckResult], used: set[str], fallback: Evidence
) -> list[CheckResult]:
    """Departures naming a check that ran and passed where the departure says it should fail."""
    specs = {s.id: s for s in ran}
    out: list[CheckResult] = []
    for departure in ctx.profile.departures:
        if not departure.check or departure.id in used or departure.check not in specs:
            continue
        scope = [
            r
            for r in results
            if r.check == departure.check
            and (not departure.operation or not r.operation or r.operation == departure.operation)
            and (not departure.json_path or r.json_path == departure.json_path)
        ]
        passes = [r for r in scope if r.outcome is Outcome.PASS]
        if not passes or len(passes) != len(scope):
            continue  # not every judgement in scope passed (or none could judge): untested, not stale
        spec = specs[departure.check]
        out.append(
            CheckResult(
                gateway=ctx.gateway,
                check=departure.check,
                outcome=Outcome.FAIL,
                severity=Severity.INFO,
                evidence=passes[0].evidence or fallback,
                operation=departure.operation or passes[0].operation,
                area=spec.area.value,
                message=(
                    f"stale waiver: profile departure {departure.id!r} expects {departure.check} to fail, "
                    f"but it passed; the gateway may have changed. Remove or update the departure."
                ),
                expected="fail (waived by the profile)",
                actual="pass",
                exchange_ref=passes[0].exchange_ref,
                reason=STALE_WAIVER,
            )
        )
    return out
