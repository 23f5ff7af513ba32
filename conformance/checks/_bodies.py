"""Collects the response bodies the shape and error checks judge, grouped by operation."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from conformance.checks._support import (
    NO_EVIDENCE,
    gate,
    judged_exchanges,
    nothing_ran,
    operation_order,
    scenario_matcher,
    skipped,
)
from conformance.checks.base import CheckContext, ScenarioTrace, Verdict
from conformance.models import Exchange
from conformance.normalize.result import is_error_shape

#: Scenarios whose 2xx bodies are success bodies (error scenarios are judged by their own checks).
SUCCESS_SCENARIOS = (
    "*.create.minimal",
    "*.create.doc-example",
    "*.create.param.*",
    "*.get.known",
    "*.get.variant",
    "*.get.external-id",
    "*.get.doc-example",
    "*.list.bounds",
    "*.list.doc-example",
)


@dataclass(slots=True)
class OperationBodies:
    """Exchanges of one operation, plus the first reason no exchange could be judged."""

    operation: str
    exchanges: list[tuple[ScenarioTrace, Exchange]] = field(default_factory=list)
    blocked: Verdict | None = None


def _matches(trace: ScenarioTrace, patterns: tuple[str, ...]) -> bool:
    return scenario_matcher(patterns)(trace.scenario) is not None


_COLLECTED: weakref.WeakKeyDictionary[CheckContext, dict[tuple[object, ...], list[OperationBodies]]] = (
    weakref.WeakKeyDictionary()
)


def collect(
    ctx: CheckContext,
    patterns: tuple[str, ...],
    keep: Callable[[CheckContext, Exchange], bool],
) -> list[OperationBodies]:
    """Per operation (canonical order): the exchanges of matching traces that ``keep`` accepts.

    A trace that cannot be judged (skipped, errored) contributes its gate verdict, which is reported
    for an operation that ends up with no exchange at all. Results are memoised per context (several
    checks read the same groups); callers must not mutate them.
    """
    per_context = _COLLECTED.setdefault(ctx, {})
    key = (patterns, keep)
    cached = per_context.get(key)
    if cached is None:
        cached = per_context[key] = _collect(ctx, patterns, keep)
    return cached


def judged_groups(
    ctx: CheckContext,
    patterns: tuple[str, ...],
    keep: Callable[[CheckContext, Exchange], bool],
    *,
    none_captured: str,
) -> Iterator[OperationBodies | Verdict]:
    """The :func:`collect` groups that hold exchanges, and in place of the others the verdict they get.

    No matching scenario at all gives one ``nothing_ran`` verdict; an operation without a judged
    exchange gives its first gate verdict, else ``skipped("no evidence", none_captured)``.
    """
    groups = collect(ctx, patterns, keep)
    if not groups:
        yield nothing_ran(patterns)
        return
    for group in groups:
        if group.exchanges:
            yield group
        else:
            yield group.blocked or skipped(NO_EVIDENCE, none_captured, operation=group.operation)


def judge_each(
    groups: Iterator[OperationBodies | Verdict], judge: Callable[[OperationBodies], Verdict]
) -> Iterator[Verdict]:
    """One verdict per group of :func:`judged_groups`: its own verdict where it has one, else ``judge(group)``."""
    for group in groups:
        yield group if isinstance(group, Verdict) else judge(group)


def _collect(
    ctx: CheckContext,
    patterns: tuple[str, ...],
    keep: Callable[[CheckContext, Exchange], bool],
) -> list[OperationBodies]:
    groups: dict[str, OperationBodies] = {}
    for trace in sorted(ctx.traces.values(), key=lambda t: t.scenario):
        if not _matches(trace, patterns):
            continue
        blocked = gate(trace)
        if blocked is not None:
            group = groups.setdefault(trace.operation_id, OperationBodies(trace.operation_id))
            if group.blocked is None:
                group.blocked = blocked
            continue
        for exchange in judged_exchanges(trace):
            if keep(ctx, exchange):
                op = exchange.operation_id or trace.operation_id
                groups.setdefault(op, OperationBodies(op)).exchanges.append((trace, exchange))
    return [groups[op] for op in sorted(groups, key=operation_order)]


def success_body(ctx: CheckContext, exchange: Exchange) -> bool:
    """2xx responses whose body is not an error shape (including unreadable 2xx bodies)."""
    response = exchange.response
    if response is None or not 200 <= response.status_code < 300:
        return False
    return not is_error_shape(ctx.normalized(exchange))


def error_response(ctx: CheckContext, exchange: Exchange) -> bool:
    """Responses that are errors: HTTP >= 400, or an error-shaped body at any status."""
    response = exchange.response
    if response is None:
        return False
    return response.status_code >= 400 or is_error_shape(ctx.normalized(exchange))


def any_response(ctx: CheckContext, exchange: Exchange) -> bool:
    """Every exchange with a response."""
    return exchange.response is not None
