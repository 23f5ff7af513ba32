"""Joining the shard reports of one run (``run --shard i/n`` on n CI jobs) into one report.

Shards must come from the same tool version, spec and mode. Results are matched on (gateway, check,
operation, subject) and unioned: identical duplicates collapse; a result one shard skipped as "other
shard" yields to the shard that judged it, and once every shard is there no "other shard" stand-in is
left; a check's gateway-level "found nothing" goes when another shard found something; stale waivers
are recomputed across the shards; two different judged results are an error naming both files.
Observations and exchanges are unioned. With every shard of one run given, the merged results equal
the unsharded run's (``tests/harness/test_shards.py`` checks it on the bundled replay). A set with shards
of ``i/n`` missing is refused unless ``allow_partial``: then the merged run is incomplete and labelled
``meta.partial``. It is also incomplete when any shard was. Results are ordered by the run's
gateway order, then as they appear in the shards, so a merge is independent of the order the shard
files are given in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from conformance.compare.identity import ResultKey, has_subjects, keyed_results
from conformance.errors import UsageError
from conformance.models import (
    OTHER_SHARD,
    STALE_WAIVER,
    STALE_WAIVER_PENDING,
    WAIVER_SUBJECT,
    CheckResult,
    Outcome,
    example_pass_key,
    in_waiver_scope,
)
from conformance.runmodel import Observation, RunMeta, RunReport

_SHARD_SUFFIX = re.compile(r"-shard\d+of\d+$")


def _shard(meta: RunMeta, label: str) -> tuple[int, int] | None:
    if not meta.shard:
        return None
    try:
        index, total = (int(x) for x in meta.shard.split("/"))
    except ValueError:
        raise UsageError(
            f"shard {meta.shard!r} is not i/n", where=label, field="meta.shard", fix="use e.g. 2/4"
        ) from None
    if not 1 <= index <= total:
        raise UsageError(f"shard {meta.shard!r} out of range", where=label, field="meta.shard", fix="1 <= i <= n")
    return index, total


def _check_same(reports: Sequence[tuple[str, RunReport]], attribute: str) -> None:
    values = {getattr(r.meta, attribute) for _, r in reports}
    if len(values) > 1:
        listing = ", ".join(f"{label}: {getattr(r.meta, attribute)!r}" for label, r in reports)
        raise UsageError(
            f"the reports differ in {attribute} ({listing})",
            where=reports[0][0],
            field=f"meta.{attribute}",
            fix="merge only the shards of one run (same tool version, spec and mode)",
        )


def _check_one_run(reports: Sequence[tuple[str, RunReport]], shards: Sequence[tuple[str, Any]]) -> None:
    """Shards of one run: all sharded (or none), over the same gateways."""
    sharded = [label for label, shard in shards if shard is not None]
    if sharded and len(sharded) != len(shards):
        plain = next(label for label, shard in shards if shard is None)
        raise UsageError(
            "a report that is not a shard is mixed with shard reports",
            where=plain,
            field="meta.shard",
            fix="merge either the shards of one `--shard i/n` run, or whole runs (e.g. one per gateway), not both",
        )
    if sharded:
        lists = {tuple(r.meta.gateways) for _, r in reports}
        if len(lists) > 1:
            listing = ", ".join(f"{label}: {', '.join(r.meta.gateways)}" for label, r in reports)
            raise UsageError(
                f"the shards ran different gateways ({listing})",
                where=reports[0][0],
                field="meta.gateways",
                fix="run every shard with the same --gateway/--profile flags",
            )


def _prefer(kept: tuple[str, CheckResult], new: tuple[str, CheckResult]) -> tuple[str, CheckResult]:
    """The result to keep when two shards report the same (gateway, check, operation).

    A shard reports the scenarios it does not own as skipped ("other shard"); the shard that ran them
    wins. Two different judged results are a conflict.
    """
    (kept_label, old), (label, result) = kept, new
    if old == result or old.subject.startswith(WAIVER_SUBJECT):
        return kept  # stale-waiver candidates are settled across all shards afterwards
    old_skipped, new_skipped = old.outcome is Outcome.SKIPPED, result.outcome is Outcome.SKIPPED
    if old_skipped and not new_skipped:
        return new
    if new_skipped and not old_skipped:
        return kept
    if old_skipped and new_skipped:
        return new if old.reason == OTHER_SHARD and result.reason != OTHER_SHARD else kept
    raise UsageError(
        f"{old.gateway} {old.check} {old.operation or '(gateway-wide)'} has different results in {kept_label} "
        f"({old.outcome.value}) and {label} ({result.outcome.value})",
        where=label,
        fix="merge the shards of one run only; rerun the conflicting shard",
    )


def _gateway_level_skip(result: CheckResult) -> bool:
    """A check's "found nothing" for the whole gateway (no operation, no subject)."""
    return result.outcome is Outcome.SKIPPED and not result.operation and not result.subject


def _judged(result: CheckResult) -> bool:
    """A result that judged something in its shard (not a stand-in, not a waiver verdict)."""
    return (
        result.reason != OTHER_SHARD
        and not result.subject.startswith(WAIVER_SUBJECT)
        and not _gateway_level_skip(result)
    )


def _settle(
    kept: list[tuple[str, CheckResult]], reports: Sequence[tuple[str, RunReport]], *, complete: bool
) -> list[CheckResult]:
    """The merged results: the unsharded run's, where the shards allow knowing them.

    * "other shard" stand-ins go once every shard is there (the owner's results replace them);
    * a check's gateway-level "found nothing" goes when any shard found something for that check;
    * stale waivers are decided across shards: a candidate stands only when no shard triggered the
      waiver or judged its scope with anything but passes (a shard with nothing in the scope has no say).
    """
    judged_checks = {(r.gateway, r.check) for _, r in kept if _judged(r)}
    out: list[CheckResult] = []
    for label, result in kept:
        if complete and result.reason == OTHER_SHARD:
            continue
        if _gateway_level_skip(result) and (result.gateway, result.check) in judged_checks:
            continue
        if result.subject.startswith(WAIVER_SUBJECT) and result.reason in (STALE_WAIVER, STALE_WAIVER_PENDING):
            settled = _settle_waiver(label, result, reports, complete=complete)
            if settled is not None:
                out.append(settled)
            continue
        out.append(result)
    return out


def _settle_waiver(
    label: str, candidate: CheckResult, reports: Sequence[tuple[str, RunReport]], *, complete: bool
) -> CheckResult | None:
    """A stale-waiver candidate after looking at every shard (``None``: not stale)."""
    examples = [candidate]
    for other_label, report in reports:
        mine = [
            r
            for r in report.results
            if r.gateway == candidate.gateway and r.check == candidate.check and r.subject == candidate.subject
        ]
        if mine:
            examples += [r for r in mine if other_label != label]
            continue
        scope = [
            r
            for r in report.results
            if r.gateway == candidate.gateway
            and r.reason != OTHER_SHARD
            and in_waiver_scope(r, candidate.check, candidate.operation, candidate.json_path)
        ]
        if scope:
            return None  # that shard judged the scope and did not find the waiver stale (or triggered it)
    best = min(examples, key=example_pass_key)
    definitive = (
        complete or any(e.reason == STALE_WAIVER for e in examples) or not any(r.meta.shard for _, r in reports)
    )
    if not definitive:
        return best if best.reason == STALE_WAIVER_PENDING else _with(best, Outcome.SKIPPED, STALE_WAIVER_PENDING)
    return _with(best, Outcome.FAIL, STALE_WAIVER)


def _with(result: CheckResult, outcome: Outcome, reason: str) -> CheckResult:
    return dataclasses.replace(result, outcome=outcome, reason=reason)


def merge_reports(
    reports: Sequence[tuple[str, RunReport]], *, run_id: str | None = None, allow_partial: bool = False
) -> tuple[RunReport, list[str]]:
    """Merge labelled shard reports into one; returns (report, warnings).

    An incomplete set of shards (``i/n`` with some ``i`` missing) is refused unless ``allow_partial``; then
    the merged report is marked incomplete and ``meta.partial`` says which shards it holds.
    """
    if not reports:
        raise UsageError("no report to merge", where="REPORT...", fix="pass the report.json of every shard")
    for attribute in ("tool_version", "spec_hash", "mode"):
        _check_same(reports, attribute)
    warnings: list[str] = []
    shards = [(label, _shard(r.meta, label)) for label, r in reports]
    ordered = sorted(zip(reports, shards, strict=True), key=lambda item: item[1][1] or (0, 0))
    totals = {s[1] for _, s in shards if s is not None}
    if len(totals) > 1:
        raise UsageError(
            f"shards of different splits ({sorted(totals)})",
            where=reports[0][0],
            field="meta.shard",
            fix="merge the shards of one `--shard i/n` run",
        )
    seen: dict[int, str] = {}
    for label, shard in shards:
        if shard is None:
            continue
        if shard[0] in seen:
            raise UsageError(
                f"shard {shard[0]}/{shard[1]} is given twice ({seen[shard[0]]} and {label})",
                where=label,
                field="meta.shard",
                fix="pass each shard once",
            )
        seen[shard[0]] = label
    _check_one_run(reports, shards)
    missing = sorted(set(range(1, (next(iter(totals)) if totals else 0) + 1)) - set(seen))
    partial = ""
    if missing:
        count = next(iter(totals))
        listing = ", ".join(map(str, missing))
        if not allow_partial:
            raise UsageError(
                f"shard{'s' if len(missing) > 1 else ''} {listing} of {count} "
                f"{'are' if len(missing) > 1 else 'is'} missing",
                where="REPORT...",
                fix="pass the report of every shard (wait for every CI job), or add --allow-partial to merge what "
                "is there into a report labelled partial",
            )
        partial = f"shards {', '.join(map(str, sorted(seen)))} of {count} merged; missing: {listing}"
        warnings.append(f"shards {listing} of {count} are missing: the merged run is partial (incomplete)")

    gateways: list[str] = []
    for (_, report), _ in ordered:
        gateways += [g for g in report.meta.gateways if g not in gateways]
    with_subject = all(has_subjects(r.results) for _, r in reports if r.results)
    results: dict[ResultKey, tuple[str, CheckResult]] = {}
    observations: dict[tuple[str, str, str], tuple[str, Observation]] = {}
    exchanges: dict[str, tuple[str, dict[str, Any]]] = {}
    for (label, report), _ in ordered:
        for key, r in keyed_results(report.results, with_subject=with_subject).items():
            if key in results:
                results[key] = _prefer(results[key], (label, r))
            else:
                results[key] = (label, r)
            if r.gateway not in gateways:
                gateways.append(r.gateway)
        for o in report.observations:
            okey = (o.gateway, o.operation, o.key)
            if okey in observations and o.key == "operation_supported" and o.value is True:
                observations[okey] = (label, o)  # a shard that did not run the operation says False
                continue
            if okey in observations and observations[okey][1].value != o.value:
                warnings.append(
                    f"{label}: {o.gateway} {o.operation or 'gateway-wide'} {o.key} differs from "
                    f"{observations[okey][0]}; keeping the first"
                )
            observations.setdefault(okey, (label, o))
        for ref, summary in report.exchanges.items():
            if ref in exchanges and exchanges[ref][1] != summary:
                raise UsageError(
                    f"exchange {ref} differs between {exchanges[ref][0]} and {label}",
                    where=label,
                    fix="merge shards of one run only",
                )
            exchanges.setdefault(ref, (label, summary))

    rank = {g: i for i, g in enumerate(gateways)}
    complete = bool(totals) and not missing
    joined = _settle(
        [(label, r) for label, r in results.values()],
        [(label, report) for (label, report), _ in ordered],
        complete=complete,
    )
    merged_results = sorted(joined, key=lambda r: rank.get(r.gateway, len(rank)))
    merged_obs = sorted((o for _, o in observations.values()), key=lambda o: rank.get(o.gateway, len(rank)))
    metas = [r.meta for _, r in reports]
    first = ordered[0][0][1].meta
    finished = [m.finished_at for m in metas]
    caps = [m.budget.get("max_paid_tasks") for m in metas if m.budget]
    budget: dict[str, Any] = {}
    if any(m.budget for m in metas):
        int_caps = [c for c in caps if isinstance(c, int)]
        if len(int_caps) != len(caps):
            cap: int | None = None
        elif len(set(int_caps)) == 1 and shards[0][1] is not None:
            cap = int_caps[0]  # the harness applies one run-wide budget before sharding
        else:
            cap = sum(int_caps)
        budget = {
            "max_paid_tasks": cap,
            "paid_tasks_used": sum(int(m.budget.get("paid_tasks_used", 0)) for m in metas),
        }
    ids = {m.run_id for m in metas}
    meta = RunMeta(
        run_id=run_id or (ids.pop() if len(ids) == 1 else f"{_SHARD_SUFFIX.sub('', first.run_id)}-merged"),
        tool_version=first.tool_version,
        spec_hash=first.spec_hash,
        mode=first.mode,
        started_at=min(m.started_at for m in metas),
        finished_at="" if any(not f for f in finished) else max(finished),
        incomplete=any(m.incomplete for m in metas) or bool(missing),
        gateways=gateways,
        shard="",
        budget=budget,
        partial=partial,
    )
    merged = RunReport(
        meta=meta,
        results=merged_results,
        observations=merged_obs,
        exchanges={ref: summary for ref, (_, summary) in sorted(exchanges.items())},
    )
    return merged, warnings
