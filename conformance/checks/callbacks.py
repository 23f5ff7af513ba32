"""Callbacks: what the local receiver got during ``<family>.create.param.callback_url``.

Judged against the official callback protocol: a POST on each status change, whose body is the bare
task object (no ``code``/``data`` envelope) carrying an id the client knows (the task id create
returned, or the ``external_task_id`` it sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from conformance.checks import _contract
from conformance.checks._support import (
    NO_EVIDENCE,
    NOT_DOCUMENTED,
    acceptance_problem,
    errored,
    failed,
    get_path,
    parse_json_bytes,
    passed,
    purpose,
    runnable_traces,
    skipped,
)
from conformance.checks.base import Area, CallbackDelivery, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Severity, TaskStatus
from conformance.normalize.vocab import canonical_status

_SCENARIO = "*.create.param.callback_url"


def _task_object(value: Any) -> dict[str, Any] | None:
    """The task object inside a callback body: the body itself, or an envelope's ``data``."""
    if not isinstance(value, dict):
        return None
    if "task_id" in value or "task_status" in value:
        return value
    data = value.get("data")
    return data if isinstance(data, dict) else None


def _callback_status(delivery: CallbackDelivery) -> TaskStatus | None:
    parsed = parse_json_bytes(delivery.body)
    task = _task_object(parsed.value) if parsed.ok else None
    if task is None:
        return None
    word = task.get("task_status", task.get("status"))
    return canonical_status(str(word)) if word is not None else None


def _callback_traces(ctx: CheckContext) -> Iterator[ScenarioTrace | Verdict]:
    for trace in runnable_traces(ctx, _SCENARIO):
        if isinstance(trace, Verdict):
            yield trace
            continue
        main = trace.main
        assert main is not None
        problem = acceptance_problem(main, ctx.normalized(main))
        if problem is not None:
            yield skipped(NO_EVIDENCE, f"the create with callback_url was not accepted ({problem})", trace=trace)
            continue
        yield trace


def _no_callbacks(trace: ScenarioTrace) -> Verdict:
    return skipped(NO_EVIDENCE, "no callback reached the receiver", trace=trace)


def _each_with_callbacks(ctx: CheckContext, judge: Callable[[ScenarioTrace], Verdict]) -> Iterator[Verdict]:
    """One verdict per callback scenario: why it cannot be judged, that no callback came, or ``judge(trace)``."""
    for trace in _callback_traces(ctx):
        if isinstance(trace, Verdict):
            yield trace
        elif not trace.callbacks:
            yield _no_callbacks(trace)
        else:
            yield judge(trace)


def _sent_external(trace: ScenarioTrace) -> str | None:
    body = trace.request_body
    value = body.get("external_task_id") if isinstance(body, dict) else None
    return str(value) if value else None


def _ids_of(delivery: CallbackDelivery) -> tuple[str | None, str | None]:
    """(task_id, task_info.external_task_id) named by a callback body, when readable."""
    parsed = parse_json_bytes(delivery.body)
    task = _task_object(parsed.value) if parsed.ok else None
    if task is None:
        return None, None
    task_id = task.get("task_id")
    info = task.get("task_info")
    external = info.get("external_task_id") if isinstance(info, dict) else None
    return (str(task_id) if task_id is not None else None), (str(external) if external else None)


def _own_callbacks(ctx: CheckContext, trace: ScenarioTrace) -> tuple[tuple[CallbackDelivery, ...], bool]:
    """The trace's callbacks that name its task (by id or external id), and whether any did.

    A receiver shared per family may also hold callbacks of other tasks; when none names this task
    (e.g. they carry an upstream id), all of them are returned so delivery can still be judged.
    """
    assert trace.main is not None
    task_id = ctx.normalized(trace.main).task_id
    external = _sent_external(trace)
    own = tuple(
        d
        for d in trace.callbacks
        if (ids := _ids_of(d)) and ((task_id and ids[0] == task_id) or (external and ids[1] == external))
    )
    return (own, True) if own else (trace.callbacks, False)


def _client_known_ids(ctx: CheckContext) -> tuple[set[str], set[str]]:
    """Every task id the client got from a create in this run, and every external_task_id it sent."""
    task_ids: set[str] = set()
    externals: set[str] = set()
    for trace in ctx.traces.values():
        if trace.skipped_reason:
            continue
        sent = _sent_external(trace)
        if sent:
            externals.add(sent)
        for exchange in trace.exchanges:
            if exchange.response is not None and purpose(exchange) == "create":
                norm = ctx.normalized(exchange)
                if norm.task_id and not norm.is_error:
                    task_ids.add(norm.task_id)
    return task_ids, externals


@check(severity=Severity.HIGH, area=Area.CALLBACKS, operations=("create",), paid=True, scenarios=(_SCENARIO,))
def callback_delivered_per_status(ctx: CheckContext) -> Iterator[Verdict]:
    """A callback arrives for each status change the task went through (at least the terminal one).

    Canonical protocol: the server notifies on every status change; repeats are allowed. Callbacks are
    attributed to the task by id when the receiver also holds other tasks' callbacks.
    """
    for trace in _callback_traces(ctx):
        if isinstance(trace, Verdict):
            yield trace
            continue
        observed: list[TaskStatus] = []
        for exchange in trace.exchanges:
            if exchange.response is None:
                continue
            status = ctx.normalized(exchange).status
            if status is not None and status is not TaskStatus.UNKNOWN and (not observed or observed[-1] != status):
                observed.append(status)
        changes = observed[1:] if len(observed) > 1 else [s for s in observed if s.is_terminal]
        if not trace.callbacks:
            yield failed(
                "no callback arrived for a task created with callback_url",
                trace=trace,
                exchange=trace.main,
                expected=[s.value for s in changes] or "at least one callback",
                actual="no callback",
                json_path="$.callback_url",
            )
            continue
        own, attributed = _own_callbacks(ctx, trace)
        delivered = {s for s in (_callback_status(d) for d in own) if s is not None}
        note = "" if attributed else " (none names this task's id; judged on every callback received)"
        missing = [s for s in changes if s not in delivered]
        if missing:
            yield failed(
                f"no callback for status change(s) {[s.value for s in missing]} "
                f"({len(own)} callback(s) received: {sorted(s.value for s in delivered)}){note}",
                trace=trace,
                exchange=trace.main,
                expected=[s.value for s in changes],
                actual=sorted(s.value for s in delivered),
                json_path="$.task_status",
            )
            continue
        yield passed(
            f"{len(own)} callback(s) cover the status changes {[s.value for s in changes]}{note}",
            trace=trace,
        )


@check(severity=Severity.HIGH, area=Area.CALLBACKS, operations=("create",), paid=True, scenarios=(_SCENARIO,))
def callback_body_official(ctx: CheckContext) -> Iterator[Verdict]:
    """Each callback body is the official bare task object (no code/message/data envelope), schema-valid.

    Judged against the canonical Kling contract.
    """
    yield from _each_with_callbacks(ctx, partial(_official_body_verdict, ctx))


def _official_body_verdict(ctx: CheckContext, trace: ScenarioTrace) -> Verdict:
    own, _ = _own_callbacks(ctx, trace)
    verdict: Verdict | None = None
    for index, delivery in enumerate(own):
        verdict = _judge_body(trace, index, delivery)
        if verdict is not None:
            break
    return verdict or passed(f"{len(own)} callback body(ies) are official task objects", trace=trace)


def _judge_body(trace: ScenarioTrace, index: int, delivery: CallbackDelivery) -> Verdict | None:
    label = f"callback #{index + 1}"
    parsed = parse_json_bytes(delivery.body)
    if not parsed.ok:
        return failed(
            f"{label} body is {parsed.problem}",
            trace=trace,
            expected="a JSON task object",
            actual=parsed.problem,
            json_path="$",
        )
    body = parsed.value
    if isinstance(body, dict) and "task_id" not in body and isinstance(body.get("data"), dict):
        return failed(
            f"{label} is wrapped in an envelope; the official callback is the bare task object",
            trace=trace,
            expected="{task_id, task_status, ...} at the top level",
            actual=sorted(body),
            json_path="$.data",
        )
    try:
        issues = _contract.validate_task_object(body)
    except _contract.ContractUnavailable as exc:
        return errored(f"cannot validate callback bodies: {exc}", trace=trace)
    if issues:
        issue = issues[0]
        path = str(getattr(issue, "json_path", "$") or "$")
        return failed(
            f"{label} is not an official task object: {path}: {getattr(issue, 'message', issue)}",
            trace=trace,
            expected=getattr(issue, "expected", getattr(issue, "message", str(issue))),
            actual=getattr(issue, "actual", get_path(body, path)),
            json_path=path,
        )
    return None


@check(severity=Severity.CRITICAL, area=Area.CALLBACKS, operations=("create",), paid=True, scenarios=(_SCENARIO,))
def callback_task_id_known(ctx: CheckContext) -> Iterator[Verdict]:
    """Each callback names its task by an id the client knows: a task id create returned, or a sent external_task_id.

    Canonical protocol. new-api forwards callback_url upstream, so callbacks carry the hidden upstream
    Kling id: the client cannot match them to anything it holds.
    """
    known_ids, known_externals = _client_known_ids(ctx)
    yield from _each_with_callbacks(ctx, partial(_known_id_verdict, ctx, known_ids, known_externals))


def _known_id_verdict(
    ctx: CheckContext, known_ids: set[str], known_externals: set[str], trace: ScenarioTrace
) -> Verdict:
    assert trace.main is not None
    own_id = ctx.normalized(trace.main).task_id
    sent = _sent_external(trace)
    unknown: list[tuple[int, str | None, str | None]] = []
    for index, delivery in enumerate(trace.callbacks):
        task_id, external = _ids_of(delivery)
        if not ((task_id is not None and task_id in known_ids) or (external and external in known_externals)):
            unknown.append((index, task_id, external))
    if not unknown:
        return passed(f"all {len(trace.callbacks)} callback(s) name tasks the client knows", trace=trace)
    index, task_id, external = unknown[0]
    expected = f"task_id {own_id!r}" + (f" or external_task_id {sent!r}" if sent else "")
    return failed(
        f"{len(unknown)} of {len(trace.callbacks)} callback(s) name a task the client does not know; "
        f"callback #{index + 1} has task_id {task_id!r}" + (f", external_task_id {external!r}" if external else ""),
        trace=trace,
        expected=expected,
        actual=task_id,
        json_path="$.task_id",
    )


@check(
    severity=Severity.HIGH,
    area=Area.CALLBACKS,
    operations=("create",),
    paid=True,
    scenarios=(_SCENARIO,),
    basis="profile",
)
def callback_signature_valid(ctx: CheckContext) -> Iterator[Verdict]:
    """Every callback of a gateway that signs them (the 3.x contract) carries a valid signature.

    Only for profiles with ``[lifecycle] callback_signature`` (standard-webhooks: ``webhook-signature:
    v1,<base64 HMAC-SHA256>`` over ``{webhook-id}.{webhook-timestamp}.{body}``); the /v1 API documents no
    signature, so elsewhere there is nothing to judge. The verdicts were reached on the exact bytes
    received (kept in the trace's meta); without the secret the result is ``skipped``, never a guess.
    """
    if not ctx.profile.lifecycle.callback_signature:
        yield skipped(NOT_DOCUMENTED, "the gateway documents no callback signature (the /v1 API has none)")
        return

    def judge(trace: ScenarioTrace) -> Verdict:
        verdicts = trace.meta.get("callback_signatures")
        if not isinstance(verdicts, list) or not verdicts:
            return skipped(NO_EVIDENCE, "no signature verdict was recorded for these callbacks", trace=trace)
        bad = [v for v in verdicts if isinstance(v, dict) and v.get("verdict") == "invalid"]
        unknown = [v for v in verdicts if not isinstance(v, dict) or v.get("verdict") not in ("valid", "invalid")]
        if bad:
            return failed(
                f"{len(bad)} of {len(verdicts)} callback(s) fail signature verification: {bad[0].get('reason', '')}",
                trace=trace,
                exchange=trace.main,
                expected="a valid webhook-signature on every callback",
                actual=[v.get("reason", "") for v in bad][:3],
            )
        if unknown:
            reason = unknown[0].get("reason", "") if isinstance(unknown[0], dict) else ""
            return skipped(NO_EVIDENCE, f"signatures could not be verified: {reason}", trace=trace)
        return passed(f"all {len(verdicts)} callback(s) carry a valid signature", trace=trace, exchange=trace.main)

    yield from _each_with_callbacks(ctx, judge)
