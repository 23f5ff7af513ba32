"""Lifecycle: the whole life of a task created by ``<family>.create.minimal`` and polled to the end.

All judged against the canonical contract. Verdicts carry the family's create operation. The polls are
the trace's exchanges after the create (``meta["purpose"] == "poll"``); a ranged GET of the result
URL in live mode is an extra exchange with ``meta["purpose"] == "result-fetch"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from conformance.checks._history import LATER_QUERIES, task_history
from conformance.checks._support import (
    NO_EVIDENCE,
    NOT_DOCUMENTED,
    acceptance_problem,
    describe,
    errored,
    failed,
    family_of,
    first_key_path,
    gate,
    is_2xx,
    is_video_family,
    nothing_ran,
    passed,
    purpose,
    read_json,
    skipped,
    traces_for,
    transport_problem,
)
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity, TaskStatus
from conformance.normalize.result import NormalizedResponse, is_error_shape

_MINIMAL = "*.create.minimal"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """A created task's create exchange, its id, and its readable polls (in order)."""

    trace: ScenarioTrace
    create: Exchange
    task_id: str
    polls: tuple[tuple[Exchange, NormalizedResponse], ...]

    @property
    def statuses(self) -> list[tuple[Exchange, TaskStatus]]:
        """Known statuses in order (create first); ``unknown`` and status-less bodies are left out."""
        found: list[tuple[Exchange, TaskStatus]] = []
        for exchange, norm in self.polls:
            if norm.status is not None and norm.status is not TaskStatus.UNKNOWN:
                found.append((exchange, norm.status))
        return found

    @property
    def final(self) -> tuple[Exchange, NormalizedResponse] | None:
        """The last poll that carried a known status."""
        for exchange, norm in reversed(self.polls):
            if norm.status is not None and norm.status is not TaskStatus.UNKNOWN:
                return exchange, norm
        return None


def _is_poll(exchange: Exchange) -> bool:
    return purpose(exchange) in ("poll", "query", "")


def _lifecycle(ctx: CheckContext, trace: ScenarioTrace, *, answered_polls_suffice: bool = False) -> Lifecycle | Verdict:
    """The trace's lifecycle, or the verdict saying why it cannot be judged.

    With ``answered_polls_suffice`` a scenario the harness gave up on (for example "5 consecutive polls
    failed") is still judged when its polls got answers: those answers are the evidence.
    """
    blocked = gate(trace)
    if blocked is not None and answered_polls_suffice and trace.error and _answered(trace):
        blocked = gate(dataclasses.replace(trace, error=""))
    if blocked is not None:
        return blocked
    create = trace.main
    assert create is not None
    norm = ctx.normalized(create)
    problem = acceptance_problem(create, norm)
    if problem is not None or not norm.task_id:
        return skipped(NO_EVIDENCE, f"no task was created ({problem})", trace=trace, exchange=create)
    polls: list[tuple[Exchange, NormalizedResponse]] = []
    for exchange in trace.polls:
        if not _is_poll(exchange) or exchange.response is None:
            continue
        polls.append((exchange, ctx.normalized(exchange)))
    return Lifecycle(trace=trace, create=create, task_id=norm.task_id, polls=tuple(polls))


def _answered(trace: ScenarioTrace) -> bool:
    return any(_is_poll(ex) and ex.response is not None for ex in trace.polls)


def _each(ctx: CheckContext, pattern: str = _MINIMAL, **options: bool) -> Iterator[Lifecycle | Verdict]:
    traces = traces_for(ctx, pattern)
    if not traces:
        yield nothing_ran([pattern])
        return
    for trace in traces:
        yield _lifecycle(ctx, trace, **options)


def _judge_lives(
    ctx: CheckContext, judge: Callable[[Lifecycle], Verdict], pattern: str = _MINIMAL, **options: bool
) -> Iterator[Verdict]:
    """One verdict per trace of ``pattern``: ``judge`` of its lifecycle, or why it has none to judge."""
    for life in _each(ctx, pattern, **options):
        yield life if isinstance(life, Verdict) else judge(life)


def _no_polls(life: Lifecycle) -> Verdict:
    return skipped(NO_EVIDENCE, "the task was never polled", trace=life.trace, exchange=life.create)


@check(severity=Severity.CRITICAL, area=Area.LIFECYCLE, operations=("create", "get"), paid=True, scenarios=(_MINIMAL,))
def created_task_queryable(ctx: CheckContext) -> Iterator[Verdict]:
    """The task id returned by create is queryable, and the query answers with the same id.

    Judged against the canonical Kling contract.
    """
    yield from _judge_lives(ctx, partial(_queryable_verdict, ctx), answered_polls_suffice=True)


def _queryable_verdict(ctx: CheckContext, life: Lifecycle) -> Verdict:
    if not life.polls:
        transport = [transport_problem(ex) for ex in life.trace.polls if transport_problem(ex)]
        if transport:
            return errored(f"every query failed: {transport[0]}", trace=life.trace)
        return _no_polls(life)
    good = [(ex, n) for ex, n in life.polls if is_2xx(ex) and not is_error_shape(n) and not n.is_error]
    if not good:
        exchange, norm = life.polls[0]
        answers = sorted({describe(ex, n) for ex, n in life.polls})
        return failed(
            f"the task id {life.task_id!r} that create returned could not be queried "
            f"({len(life.polls)} quer{'y' if len(life.polls) == 1 else 'ies'}): {'; '.join(answers[:2])}",
            trace=life.trace,
            exchange=exchange,
            expected=f"2xx with task {life.task_id!r}",
            actual=describe(exchange, norm),
        )
    exchange, norm = good[0]
    if norm.task_id == life.task_id:
        return passed(f"task {life.task_id!r} queried back with the same id", trace=life.trace, exchange=exchange)
    return _other_id(life, exchange, norm, f"querying task {life.task_id!r} returned id {norm.task_id!r}")


def _other_id(life: Lifecycle, exchange: Exchange, norm: NormalizedResponse, message: str) -> Verdict:
    """Fails ``exchange`` for naming a task id other than the one create returned."""
    body = read_json(exchange)
    return failed(
        message,
        trace=life.trace,
        exchange=exchange,
        expected=life.task_id,
        actual=norm.task_id,
        json_path=first_key_path(body.value, "task_id", "id") if body.ok else "$",
    )


@check(severity=Severity.HIGH, area=Area.LIFECYCLE, operations=("create", "get"), paid=True, scenarios=(_MINIMAL,))
def task_id_stable(ctx: CheckContext) -> Iterator[Verdict]:
    """Every poll of a task reports the id that create returned (no id swaps mid-life).

    Judged against the canonical Kling contract.
    """
    yield from _judge_lives(ctx, partial(_stable_id_verdict, ctx))


def _stable_id_verdict(ctx: CheckContext, life: Lifecycle) -> Verdict:
    carrying = [(ex, n) for ex, n in life.polls if n.task_id]
    if not carrying:
        return (
            _no_polls(life)
            if not life.polls
            else skipped(NO_EVIDENCE, "no poll body carried a task id", trace=life.trace)
        )
    changed = [(ex, n) for ex, n in carrying if n.task_id != life.task_id]
    if not changed:
        return passed(f"id {life.task_id!r} stable across {len(carrying)} poll(s)", trace=life.trace)
    exchange, norm = changed[0]
    message = f"the task id changed from {life.task_id!r} to {norm.task_id!r} in {len(changed)} poll(s)"
    return _other_id(life, exchange, norm, message)


@check(
    severity=Severity.HIGH,
    area=Area.LIFECYCLE,
    operations=("get",),
    paid=True,
    scenarios=(_MINIMAL, *(f"*.{case}" for case in LATER_QUERIES)),
)
def status_transitions_forward(ctx: CheckContext) -> Iterator[Verdict]:
    """Task status only moves forward (submitted → processing → succeed|failed); terminal states stay.

    The whole observed history of the created task is judged: the create's answer and polls, then the
    later ``get.known`` and ``get.variant`` queries of the same task id (which all come after the polls),
    so a task that reports ``processing`` again after ``succeed`` fails. ``unknown`` words, error bodies
    and bodies of another task id are not transitions and are ignored.

    Judged against the canonical Kling contract.
    """
    yield from _judge_lives(ctx, partial(_forward_verdict, ctx))


def _forward_verdict(ctx: CheckContext, life: Lifecycle) -> Verdict:
    history = task_history(ctx, life.trace, life.task_id)
    if len(history.observations) < 2:
        return skipped(NO_EVIDENCE, "fewer than two statuses were observed", trace=life.trace)
    broken = history.first_backwards()
    if broken is None:
        return passed(f"forward-only: {history.summary()}", trace=life.trace)
    exchange = broken.after.exchange
    where = "" if broken.after.scenario == life.trace.scenario else f" in the later query {exchange.ref}"
    body = read_json(exchange)
    return failed(
        f"task {life.task_id!r}: {broken.what}{where} (observed: {history.summary()})",
        trace=life.trace,
        exchange=exchange,
        expected=f"{broken.before.status.value}" + ("" if broken.before.status.is_terminal else " or later"),
        actual=ctx.normalized(exchange).raw_status,
        json_path=first_key_path(body.value, "task_status", "status") if body.ok else "$",
    )


@check(severity=Severity.CRITICAL, area=Area.LIFECYCLE, operations=("get",), paid=True, scenarios=(_MINIMAL,))
def success_has_result_url(ctx: CheckContext) -> Iterator[Verdict]:
    """A succeeded task carries at least one result URL, and a video result carries its duration.

    Judged against the canonical Kling contract.
    """
    yield from _judge_lives(ctx, partial(_result_url_verdict, ctx))


def _result_url_verdict(ctx: CheckContext, life: Lifecycle) -> Verdict:
    final = life.final
    if final is None or final[1].status is not TaskStatus.SUCCEED:
        state = final[1].status.value if final and final[1].status else "not terminal"
        return skipped(NO_EVIDENCE, f"the task did not succeed ({state})", trace=life.trace)
    exchange, norm = final
    video = is_video_family(family_of(life.trace.operation_id))
    urls = norm.video_urls if video else norm.image_urls
    kind = "video" if video else "image"
    path = "$.data.task_result.videos[0].url" if video else "$.data.task_result.images[0].url"
    if not urls:
        other = norm.image_urls if video else norm.video_urls
        return failed(
            f"the task succeeded but carries no {kind} URL" + (f" (found {len(other)} other URL(s))" if other else ""),
            trace=life.trace,
            exchange=exchange,
            expected=f"at least one {kind} URL",
            actual="none",
            json_path=path,
        )
    if video and not [d for d in norm.video_durations if str(d).strip()]:
        return failed(
            f"the task succeeded with {len(urls)} video URL(s) but no duration",
            trace=life.trace,
            exchange=exchange,
            expected="a duration per video (string seconds)",
            actual="absent",
            json_path="$.data.task_result.videos[0].duration",
        )
    return passed(f"{len(urls)} {kind} URL(s): {urls[0]}", trace=life.trace, exchange=exchange)


@check(severity=Severity.HIGH, area=Area.LIFECYCLE, operations=("get",), paid=True, scenarios=("*.create.*",))
def failure_has_reason(ctx: CheckContext) -> Iterator[Verdict]:
    """A failed task says why (``task_status_msg`` or equivalent), not an empty string or ``SUCCEED``.

    Judged against the canonical Kling contract.
    """
    judged = 0
    for life in _each(ctx, "*.create.*"):
        if isinstance(life, Verdict):
            continue
        final = life.final
        if final is None or final[1].status is not TaskStatus.FAILED:
            continue
        judged += 1
        exchange, norm = final
        reason = (norm.failure_reason or "").strip()
        if reason and reason.upper() not in ("SUCCEED", "SUCCESS"):
            yield passed(f"failed task says why: {reason[:80]!r}", trace=life.trace, exchange=exchange)
        else:
            yield failed(
                "a failed task carries no failure reason",
                trace=life.trace,
                exchange=exchange,
                expected="a non-empty reason (task_status_msg)",
                actual=norm.failure_reason,
                json_path="$.data.task_status_msg",
            )
    if not judged:
        yield skipped(NO_EVIDENCE, "no created task ended in the failed state")


@check(severity=Severity.MEDIUM, area=Area.LIFECYCLE, operations=("get",), paid=True, scenarios=(_MINIMAL,))
def task_completes_within_deadline(ctx: CheckContext) -> Iterator[Verdict]:
    """A created task reaches a terminal state within the per-task deadline.

    Judged against the canonical Kling contract.
    """
    traces = traces_for(ctx, _MINIMAL)
    if not traces:
        yield nothing_ran([_MINIMAL])
        return
    for trace in traces:
        deadline = trace.meta.get("deadline_s")
        if trace.deadline_exceeded and not trace.skipped_reason:
            last = trace.exchanges[-1] if trace.exchanges else None
            status = ctx.normalized(last).raw_status if last is not None and last.response is not None else None
            yield failed(
                "the task did not reach a terminal state before the deadline"
                + (f" ({deadline} s)" if deadline is not None else ""),
                trace=trace,
                exchange=last,
                expected="succeed or failed" + (f" within {deadline} s" if deadline is not None else ""),
                actual=f"still {status!r}" if status else "not terminal",
            )
            continue
        life = _lifecycle(ctx, trace)
        if isinstance(life, Verdict):
            yield life
            continue
        final = life.final
        if final is not None and final[1].status is not None and final[1].status.is_terminal:
            yield passed(f"terminal {final[1].status.value!r} reached in time", trace=trace, exchange=final[0])
        else:
            yield skipped(NO_EVIDENCE, "polling stopped before a terminal state, without a deadline", trace=trace)


def _media_ok(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media.startswith(("video/", "image/"))


@check(severity=Severity.HIGH, area=Area.LIFECYCLE, operations=("get",), paid=True, scenarios=(_MINIMAL,))
def result_url_fetchable(ctx: CheckContext) -> Iterator[Verdict]:
    """In live mode the result URL answers a ranged GET with 200/206 and a video/* or image/* type.

    Judged against the canonical Kling contract.
    """
    yield from _judge_lives(ctx, partial(_fetch_verdict, ctx))


def _fetch_verdict(ctx: CheckContext, life: Lifecycle) -> Verdict:
    fetches = [ex for ex in life.trace.exchanges if purpose(ex) == "result-fetch"]
    if not fetches:
        final = life.final
        succeeded = final is not None and final[1].status is TaskStatus.SUCCEED
        if not succeeded:
            return skipped(NO_EVIDENCE, "the task did not succeed, so there is no result URL", trace=life.trace)
        if ctx.mode == "replay":
            return skipped(NO_EVIDENCE, "result URLs are only fetched in live mode", trace=life.trace)
        return errored("the task succeeded but the harness made no result fetch", trace=life.trace)
    fetch = fetches[-1]
    if (fetch.error or "").startswith("refused: "):  # the fetch guard said no: the gateway's URL is the finding
        return failed(
            (fetch.error or "").removeprefix("refused: "),
            trace=life.trace,
            exchange=fetch,
            expected="a result URL on a public address (or a host allowed with --allow-fetch-host)",
            actual=fetch.request.url,
        )
    problem = transport_problem(fetch)
    if problem:
        return errored(f"result fetch of {fetch.request.url}: {problem}", trace=life.trace, exchange=fetch)
    assert fetch.response is not None
    status = fetch.response.status_code
    declared = fetch.response.header("content-type")
    if status not in (200, 206):
        return failed(
            f"result URL answered HTTP {status}",
            trace=life.trace,
            exchange=fetch,
            expected="200 or 206",
            actual=status,
        )
    if not _media_ok(declared):
        return failed(
            f"result URL served Content-Type {declared!r}",
            trace=life.trace,
            exchange=fetch,
            expected="video/* or image/*",
            actual=declared or "absent",
        )
    return passed(f"result URL fetchable (HTTP {status}, {declared})", trace=life.trace, exchange=fetch)


# -- the extended families (issue 17): sync calls, tasks, and the multi-elements flow ----------------------


def _json(exchange: Exchange | None) -> Any:
    """The parsed JSON answer of ``exchange`` (``None`` when there is none or it is not JSON)."""
    if exchange is None or exchange.response is None:
        return None
    parsed = read_json(exchange)
    return parsed.value if parsed.ok else None


def _data(exchange: Exchange | None) -> dict[str, Any]:
    """The ``data`` object of a JSON envelope answer (``{}`` otherwise)."""
    body = _json(exchange)
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def _spec_problems(op_id: str, exchange: Exchange) -> list[str]:
    """Why the exchange's answer is not the 200 answer the canonical spec documents for ``op_id``."""
    from conformance import spec

    if exchange.response is None:
        return [exchange.error or "no response"]
    if exchange.response.status_code != 200:
        return [f"HTTP {exchange.response.status_code}"]
    return [issue.render() for issue in spec.validate_response(op_id, 200, _json(exchange))][:3]


def _documented_traces(ctx: CheckContext, pattern: str, kind: str) -> Iterator[ScenarioTrace | Verdict]:
    """The traces of ``pattern`` ready to judge, or the verdict that stands in for one.

    One skipped verdict when the gateway documents no such extended family; a gated verdict (not run,
    failed before its call) in place of each trace that cannot be judged.
    """
    traces = traces_for(ctx, pattern)
    if not traces:
        yield skipped(NOT_DOCUMENTED, f"the gateway documents no {kind} of the official reference's extended families")
        return
    for trace in traces:
        blocked = gate(trace)
        yield trace if blocked is None else blocked


@check(severity=Severity.HIGH, area=Area.LIFECYCLE, paid=True, scenarios=("*.call.example",))
def sync_call_answers_at_once(ctx: CheckContext) -> Iterator[Verdict]:
    """A synchronous family (tts, image-recognize, identify-face) answers the call itself, as the canonical spec says.

    The answer is HTTP 200 with the documented body and no task to poll (no ``task_status`` submitted or
    processing): a gateway that turns the call into a task, or answers another shape, fails.
    """
    for trace in _documented_traces(ctx, "*.call.example", "synchronous call"):
        if isinstance(trace, Verdict):
            yield trace
            continue
        main = trace.main
        assert main is not None
        problems = _spec_problems(trace.operation_id, main)
        data = _data(main)
        if data.get("task_status") in ("submitted", "processing"):
            problems.append(f"answered a task to poll (task_status {data.get('task_status')!r})")
        if problems:
            yield failed(
                f"{trace.operation_id} did not answer at once as documented: {problems[0]}",
                trace=trace,
                exchange=main,
                expected="HTTP 200, the documented body, nothing to poll",
                actual=problems,
            )
        else:
            yield passed(f"{trace.operation_id} answered at once with the documented body", trace=trace)


@check(
    severity=Severity.HIGH,
    area=Area.LIFECYCLE,
    operations=("create", "get"),
    paid=True,
    scenarios=("*.create.example", "*.get.example"),
)
def task_family_answers_a_task(ctx: CheckContext) -> Iterator[Verdict]:
    """An extended task family's create answers a submitted task that its get then returns (canonical spec).

    The create answer validates against the family's documented schema and carries ``task_id`` with
    ``task_status`` submitted; the get of that id answers the same task.
    """
    for trace in _documented_traces(ctx, "*.create.example", "task family"):
        if isinstance(trace, Verdict):
            yield trace
            continue
        main = trace.main
        assert main is not None
        family = trace.operation_id.rsplit(".", 1)[0]
        problems = _spec_problems(trace.operation_id, main)
        data = _data(main)
        task_id = data.get("task_id")
        if not problems and data.get("task_status") != "submitted":
            problems.append("the create answer is not a submitted task")
        follow = ctx.traces.get(f"{family}.get.example")
        if not problems and follow is not None and follow.main is not None:
            got = _spec_problems(f"{family}.get", follow.main)
            got_id = _data(follow.main).get("task_id")
            if got:
                problems.append(f"the get answered: {got[0]}")
            elif got_id != task_id:
                problems.append(f"the get answered task {got_id!r}, not {task_id!r}")
        if problems:
            yield failed(
                f"{family}: {problems[0]}",
                trace=trace,
                exchange=main,
                expected="a submitted task, then the same task from its get",
                actual=problems,
            )
        else:
            yield passed(f"{family} created task {task_id} and its get returned it", trace=trace)


@check(severity=Severity.HIGH, area=Area.LIFECYCLE, operations=("create",), paid=True, scenarios=("*.flow",))
def flow_session_carries_to_the_task(ctx: CheckContext) -> Iterator[Verdict]:
    """A session flow works as the canonical spec describes it (multi-elements, advanced-lip-sync).

    multi-elements: init-selection, add-selection, create; advanced-lip-sync: identify-face, then create.
    The opening call answers a ``session_id``; add-selection with it answers the same session; the create
    with it answers a submitted task.
    """
    for trace in _documented_traces(ctx, "*.flow", "flow"):
        if isinstance(trace, Verdict):
            yield trace
            continue
        steps = trace.exchanges
        session = _data(steps[0]).get("session_id") if steps else None
        problems: list[str] = []
        expected_calls = 2 if trace.operation_id.endswith(".create") else 3  # opener + create, or init + add + create
        if len(steps) < expected_calls:
            problems.append(f"{len(steps)} of {expected_calls} calls were made")
        elif not session:
            problems.append("the session-opening call answered no session_id")
        else:
            if expected_calls == 3 and _data(steps[1]).get("session_id") != session:
                problems.append("add-selection did not answer the session it was given")
            last = steps[expected_calls - 1]
            if last.response is None or last.response.status_code != 200:
                problems.append(f"the create answered {describe(last, ctx.normalized(last))}")
            elif _data(last).get("task_status") != "submitted":
                problems.append("the create with the session answered no submitted task")
        if problems:
            yield failed(
                f"the flow broke: {problems[0]}",
                trace=trace,
                exchange=trace.main,
                expected="session from init, the same session from add-selection, then a submitted task",
                actual=problems,
            )
        else:
            yield passed(f"session {session} carried from the opening call to the task", trace=trace)
