"""Joining the shard reports of one run (``run --shard i/n`` on n CI jobs) into one report.

Shards must come from the same tool version, spec and mode. Results, observations and exchanges are
unioned (identical duplicates collapse; a result one shard skipped as "other shard" yields to the shard
that judged it; two different judged results are an error naming both files). The merged
run is incomplete when any shard was, or when shards of ``i/n`` are missing. Results are ordered by
the run's gateway order, then as they appear in the shards, so a merge is independent of the order
the shard files are given in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from conformance.compare.identity import ResultKey, keyed_results
from conformance.errors import UsageError
from conformance.models import CheckResult, Outcome
from conformance.runmodel import Observation, RunMeta, RunReport

#: Skip reason the harness gives scenarios another shard owns (``conformance.harness.plan.OTHER_SHARD``).
OTHER_SHARD = "other shard"
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


def _prefer(kept: tuple[str, CheckResult], new: tuple[str, CheckResult]) -> tuple[str, CheckResult]:
    """The result to keep when two shards report the same (gateway, check, operation).

    A shard reports the scenarios it does not own as skipped ("other shard"); the shard that ran them
    wins. Two different judged results are a conflict.
    """
    (kept_label, old), (label, result) = kept, new
    if old == result:
        return kept
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


def merge_reports(
    reports: Sequence[tuple[str, RunReport]], *, run_id: str | None = None
) -> tuple[RunReport, list[str]]:
    """Merge labelled shard reports into one; returns (report, warnings)."""
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
    missing = sorted(set(range(1, (next(iter(totals)) if totals else 0) + 1)) - set(seen))
    if missing:
        warnings.append(
            f"shards {', '.join(map(str, missing))} of {next(iter(totals))} are missing: the merged run is incomplete"
        )

    gateways: list[str] = []
    for (_, report), _ in ordered:
        gateways += [g for g in report.meta.gateways if g not in gateways]
    results: dict[ResultKey, tuple[str, CheckResult]] = {}
    observations: dict[tuple[str, str, str], tuple[str, Observation]] = {}
    exchanges: dict[str, tuple[str, dict[str, Any]]] = {}
    for (label, report), _ in ordered:
        for key, r in keyed_results(report.results).items():
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
    merged_results = sorted((r for _, r in results.values()), key=lambda r: rank.get(r.gateway, len(rank)))
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
    )
    merged = RunReport(
        meta=meta,
        results=merged_results,
        observations=merged_obs,
        exchanges={ref: summary for ref, (_, summary) in sorted(exchanges.items())},
    )
    return merged, warnings
