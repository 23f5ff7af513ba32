"""Which results of two reports are "the same check": (gateway, check, operation, occurrence).

A check can report several results for one operation (one per optional parameter, per invalid-request
case, ...), and a result carries no finer subject than its operation. The harness emits results in
catalog order, so the *n*-th result of a (gateway, check, operation) triple is the same subject in every
shard of a run and in every run of the same catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.models import CheckResult

ResultKey = tuple[str, str, str, int]


def keyed_results(results: Iterable[CheckResult]) -> dict[ResultKey, CheckResult]:
    """Results by (gateway, check, operation, occurrence index), in their original order."""
    seen: dict[tuple[str, str, str], int] = {}
    keyed: dict[ResultKey, CheckResult] = {}
    for result in results:
        triple = (result.gateway, result.check, result.operation)
        index = seen.get(triple, 0)
        seen[triple] = index + 1
        keyed[(*triple, index)] = result
    return keyed


def key_label(key: ResultKey) -> str:
    """``check`` or ``check #2`` for the second result of the same check and operation."""
    return key[1] if key[3] == 0 else f"{key[1]} #{key[3] + 1}"
