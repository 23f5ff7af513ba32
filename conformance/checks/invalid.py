"""Invalid requests are rejected: 4xx with an error body, never 2xx, never 5xx, and no task created.

These checks are free (an invalid request must not create a paid task) and judge the gateway against
the canonical contract. A gateway whose profile documents another status (new-api's 500 for a type
mismatch) gets a waiver from the harness, not a different verdict here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from conformance.checks._support import (
    describe,
    failed,
    find_keys,
    first_key_path,
    judge_runnable,
    passed,
    read_json,
    rejection_problem,
    scenario_case,
    status_of,
)
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity

_MARKER = ".create.invalid."

#: What each invalid case breaks, for messages and the request field reported as json_path.
_CASES: dict[str, tuple[str, str]] = {
    "missing-required": ("a required field is missing", "$"),
    "bad-enum": ('an enum has an illegal value ("duration": "7")', "$.duration"),
    "bad-duration": ('an enum has an illegal value ("duration": "7")', "$.duration"),
    "out-of-range": ("cfg_scale is outside [0, 1]", "$.cfg_scale"),
    "wrong-type": ("a number is sent where a string is required", "$.duration"),
    "wrong-content-type": ("the body is sent with a non-JSON Content-Type", "$"),
}


def _judge_rejection(ctx: CheckContext, *cases: str) -> Iterator[Verdict]:
    patterns = [f"*{_MARKER}{case}" for case in cases]
    yield from judge_runnable(ctx, patterns, partial(_judge_one, ctx))


def _judge_one(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    case = scenario_case(trace, _MARKER)
    what, field = _CASES.get(case, (case, "$"))
    field = str(trace.meta.get("field_path", field))
    norm = ctx.normalized(main)
    problem = rejection_problem(main, norm)
    if problem is None:
        return passed(f"rejected a request where {what}: {describe(main, norm)}", trace=trace, exchange=main)
    return failed(
        f"request where {what}: {problem}",
        trace=trace,
        exchange=main,
        expected="4xx with an error body (not 2xx, not 5xx)",
        actual=describe(main, norm),
        json_path=field,
    )


@check(
    severity=Severity.HIGH,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.missing-required",),
)
def missing_required_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A create request missing a required field gets a 4xx with an error body (canonical)."""
    yield from _judge_rejection(ctx, "missing-required")


@check(
    severity=Severity.HIGH,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.bad-enum",),
)
def bad_enum_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A create request with an illegal enum value (``"duration": "7"``) gets a 4xx with an error body (canonical)."""
    yield from _judge_rejection(ctx, "bad-enum", "bad-duration")


@check(
    severity=Severity.MEDIUM,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.out-of-range",),
)
def out_of_range_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A create request with an out-of-range ``cfg_scale`` gets a 4xx with an error body (canonical)."""
    yield from _judge_rejection(ctx, "out-of-range")


@check(
    severity=Severity.HIGH,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.wrong-type",),
)
def wrong_type_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A create request with a number where a string is required gets a 4xx with an error body (canonical)."""
    yield from _judge_rejection(ctx, "wrong-type")


@check(
    severity=Severity.MEDIUM,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.wrong-content-type",),
)
def wrong_content_type_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A create request with a non-JSON Content-Type gets a 4xx with an error body (canonical)."""
    yield from _judge_rejection(ctx, "wrong-content-type")


@check(
    severity=Severity.CRITICAL,
    area=Area.INVALID_REQUESTS,
    operations=("create",),
    scenarios=("*.create.invalid.*",),
)
def rejection_creates_no_task(ctx: CheckContext) -> Iterator[Verdict]:
    """No invalid create request creates a task: no task id in the response, no created-task observation.

    Canonical contract. A 2xx answer without a visible task id also fails: a task may have been created
    (and billed) that the client cannot see.
    """
    yield from judge_runnable(ctx, [f"*{_MARKER}*"], partial(_created_task_verdict, ctx))


def _created_task_verdict(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    norm = ctx.normalized(main)
    observed = trace.meta.get("created_task_id") or trace.meta.get("task_created")
    body = read_json(main)
    if norm.task_id:
        path = first_key_path(body.value, "task_id", "id") if body.ok else "$"
        return failed(
            f"an invalid request ({scenario_case(trace, _MARKER)}) created task {norm.task_id!r}",
            trace=trace,
            exchange=main,
            expected="no task id",
            actual=norm.task_id,
            json_path=path,
        )
    if observed:
        return failed(
            f"an invalid request ({scenario_case(trace, _MARKER)}) created a task the harness observed",
            trace=trace,
            exchange=main,
            expected="no task created",
            actual=str(observed),
        )
    if status_of(main) is not None and 200 <= (status_of(main) or 0) < 300:
        ids = find_keys(body.value, "task_id", "id") if body.ok else []
        return failed(
            f"an invalid request ({scenario_case(trace, _MARKER)}) got a 2xx; a hidden task may exist",
            trace=trace,
            exchange=main,
            expected="a rejection that creates no task",
            actual=describe(main, norm) + (f" with ids at {[p for p, _ in ids]}" if ids else ""),
        )
    return passed(f"no task created ({describe(main, norm)})", trace=trace, exchange=main)
