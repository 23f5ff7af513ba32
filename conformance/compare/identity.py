"""Which results of two reports are "the same check": (gateway, check, operation, subject, occurrence).

A check can report several results for one operation (one per optional parameter, per invalid-request
case, per query variant, ...). The harness labels each with its ``subject`` (the scenario it judged,
``waiver:<id>`` for a stale waiver, empty for a judgement of the whole operation). Where one subject
still has several results (one per field, say), the *n*-th result of a (gateway, check, operation,
subject) is the same judgement in every shard of a run and in every run of the same catalog, because
the harness emits results in catalog order.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.models import CheckResult

ResultKey = tuple[str, str, str, str, int]


def keyed_results(results: Iterable[CheckResult], *, with_subject: bool = True) -> dict[ResultKey, CheckResult]:
    """Results by (gateway, check, operation, subject, occurrence index), in their original order.

    ``with_subject=False`` matches on the operation only (the subject is left empty), for reports
    written before results had subjects.
    """
    seen: dict[tuple[str, str, str, str], int] = {}
    keyed: dict[ResultKey, CheckResult] = {}
    for result in results:
        base = (result.gateway, result.check, result.operation, result.subject if with_subject else "")
        index = seen.get(base, 0)
        seen[base] = index + 1
        keyed[(*base, index)] = result
    return keyed


def has_subjects(results: Iterable[CheckResult]) -> bool:
    """Whether the results carry subjects (reports from before subjects existed carry none)."""
    return any(r.subject for r in results)


def key_label(key: ResultKey) -> str:
    """``check``, ``check [subject]``, and ``#n`` for the n-th result of the same subject."""
    label = key[1] if not key[3] else f"{key[1]} [{key[3]}]"
    return label if key[4] == 0 else f"{label} #{key[4] + 1}"
