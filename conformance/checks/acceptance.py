"""Request acceptance: documented examples, minimal requests, optional parameters and image encodings.

All of these judge the gateway against the canonical contract (the request is valid per the official
Kling spec, so it must be accepted), except ``image_data_uri_as_documented``, which compares with what
the gateway documents (``profile.accepts_data_uri``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from conformance.checks._support import (
    NO_EVIDENCE,
    NOT_ACCEPTED,
    NOT_DOCUMENTED,
    TraceJudge,
    acceptance_problem,
    describe,
    failed,
    find_keys,
    judge_gated,
    judge_runnable,
    nothing_ran,
    passed,
    read_json,
    rejection_problem,
    scenario_case,
    skipped,
    traces_for,
)
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity
from conformance.profiles.expressions import search
from conformance.profiles.model import OPTIONAL_PARAM_NAMES

#: Optional parameters whose scenarios ``optional_param_accepted`` judges (image encodings have their own checks).
OPTIONAL_PARAMS = OPTIONAL_PARAM_NAMES

_PARAM_MARKER = ".create.param."
#: Parameters whose effect shows in the result files (checks/media.py judges those).
_MEDIA_PARAMS = ("aspect_ratio", "sound")


def _acceptance(ctx: CheckContext, what: str, json_path: str = "") -> TraceJudge:
    """Judges that the trace's request (``what``) was accepted: 2xx, a non-error body, a task id."""
    return partial(_judge_acceptance, ctx, what, json_path)


def _judge_acceptance(ctx: CheckContext, what: str, json_path: str, trace: ScenarioTrace, main: Exchange) -> Verdict:
    norm = ctx.normalized(main)
    problem = acceptance_problem(main, norm)
    if problem is None:
        return passed(
            f"{what} accepted: task {norm.task_id!r} created", trace=trace, exchange=main, json_path=json_path
        )
    return failed(
        f"{what} was not accepted: {problem.removeprefix(NOT_ACCEPTED)}",
        trace=trace,
        exchange=main,
        expected="2xx with a non-error body carrying a task id",
        actual=describe(main, norm),
        json_path=json_path,
    )


@check(
    severity=Severity.HIGH,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=("*.create.doc-example",),
)
def doc_example_accepted(ctx: CheckContext) -> Iterator[Verdict]:
    """The gateway's own documented request example is accepted (2xx, non-error body, task id).

    Judged against the canonical acceptance rule. Where the gateway documents no example, the result is
    skipped with reason "not documented".
    """
    traces = traces_for(ctx, "*.create.doc-example")
    if not traces:
        yield skipped(NOT_DOCUMENTED, "the gateway documents no request example")
        return
    for trace in traces:
        yield judge_gated(trace, _acceptance(ctx, "the documented request example"))


@check(
    severity=Severity.CRITICAL,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=("*.create.minimal",),
)
def minimal_request_accepted(ctx: CheckContext) -> Iterator[Verdict]:
    """A minimal canonical create request is accepted (2xx, non-error body, task id), per family.

    Judged against the canonical contract: the request is valid per the official spec.
    """
    yield from judge_runnable(ctx, ["*.create.minimal"], _acceptance(ctx, "the minimal canonical request"))


def _param_traces(ctx: CheckContext) -> list[tuple[str, ScenarioTrace]]:
    found = []
    for trace in traces_for(ctx, "*.create.param.*"):
        name = scenario_case(trace, _PARAM_MARKER)
        if name in OPTIONAL_PARAMS:
            found.append((name, trace))
    return found


@check(
    severity=Severity.HIGH,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=tuple(f"*.create.param.{name}" for name in OPTIONAL_PARAMS),
)
def optional_param_accepted(ctx: CheckContext) -> Iterator[Verdict]:
    """Each official optional parameter (cfg_scale, camera_control, masks, ...) is accepted on create.

    Judged against the canonical contract; one verdict per (operation, parameter) with the request
    field as ``json_path``.
    """
    params = _param_traces(ctx)
    if not params:
        yield nothing_ran(["*.create.param.<name>"])
        return
    for name, trace in params:
        yield judge_gated(trace, _acceptance(ctx, f"a request with optional parameter {name!r}", json_path=f"$.{name}"))


def _sent_value(trace: ScenarioTrace, name: str) -> object:
    body = trace.request_body
    return body.get(name) if isinstance(body, dict) else None


def _external_id_seen(ctx: CheckContext, trace: ScenarioTrace, sent: object) -> tuple[bool, str, str]:
    """Whether any response of the trace echoes ``sent`` as external_task_id: (seen, path, what was seen)."""
    echoed: list[str] = []
    path = "$.data.task_info.external_task_id"
    for exchange in trace.exchanges:
        if exchange.response is None:
            continue
        norm = ctx.normalized(exchange)
        if norm.external_task_id is not None:
            if norm.external_task_id == sent:
                return True, path, norm.external_task_id
            echoed.append(norm.external_task_id)
        body = read_json(exchange)
        if body.ok:
            for found_path, value in find_keys(body.value, "external_task_id"):
                if value == sent:
                    return True, found_path, str(value)
                if value is not None:
                    echoed.append(str(value))
                    path = found_path
    return False, path, ", ".join(repr(v) for v in echoed) if echoed else "absent from every response"


@check(
    severity=Severity.MEDIUM,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=("*.create.param.external_task_id", "*.create.param.callback_url"),
)
def optional_param_honoured(ctx: CheckContext) -> Iterator[Verdict]:
    """An accepted optional parameter is honoured, not silently dropped, where the responses can show it.

    Canonical contract: ``external_task_id`` is echoed in ``task_info.external_task_id`` and a
    ``callback_url`` receives callbacks. Parameters with no visible effect in the response are skipped
    with reason "no evidence".
    """
    params = _param_traces(ctx)
    if not params:
        yield nothing_ran(["*.create.param.<name>"])
        return
    for name, trace in params:
        yield judge_gated(trace, partial(_honoured_verdict, ctx, name))


def _honoured_verdict(ctx: CheckContext, name: str, trace: ScenarioTrace, main: Exchange) -> Verdict:
    if acceptance_problem(main, ctx.normalized(main)) is not None:
        return skipped(
            NO_EVIDENCE,
            f"{name!r} was not accepted, so honouring cannot be judged",
            trace=trace,
            json_path=f"$.{name}",
        )
    echo = _echo_expression(ctx, trace, name)
    if echo is not None:
        return _judge_echo(ctx, trace, name, echo)
    if name == "external_task_id":
        return _judge_external_id(ctx, trace)
    if name != "callback_url":
        where = " (the result files are judged by result_media_matches_request)" if name in _MEDIA_PARAMS else ""
        return skipped(
            NO_EVIDENCE,
            f"responses do not echo {name!r}; accepted vs honoured cannot be told apart{where}",
            trace=trace,
            json_path=f"$.{name}",
        )
    if trace.callbacks:
        return passed(
            f"callback_url honoured: {len(trace.callbacks)} callback(s) received",
            trace=trace,
            json_path="$.callback_url",
        )
    return failed(
        "callback_url was accepted but no callback reached the receiver (silently dropped?)",
        trace=trace,
        exchange=main,
        expected="at least one callback POST",
        actual="no callback received",
        json_path="$.callback_url",
    )


def _echo_expression(ctx: CheckContext, trace: ScenarioTrace, name: str) -> str | None:
    """Where the profile says the gateway echoes parameter ``name`` (``[operations."<op>".task].echo``)."""
    op = ctx.profile.operation(trace.operation_id)
    return op.task.echo.get(name) if op is not None and op.task is not None else None


def _judge_echo(ctx: CheckContext, trace: ScenarioTrace, name: str, expression: str) -> Verdict:
    """Compare the value sent (in the gateway's own dialect) with the value at the profile's echo path."""
    sent = _sent_value(trace, name)
    if sent is None:
        return skipped(NO_EVIDENCE, f"the scenario's request body carries no {name!r}", trace=trace)
    op = ctx.profile.operation(trace.operation_id)
    mapping = op.request if op is not None else None
    expected = mapping.values.get(name, {}).get(str(sent), sent) if mapping is not None else sent  # its dialect
    seen: list[object] = []
    for exchange in reversed(trace.exchanges):
        body = read_json(exchange)
        if not body.ok:
            continue
        value = search(expression, body.value)
        if value is None:
            continue
        if value == expected or str(value) == str(expected):
            return passed(
                f"{name} {expected!r} echoed at {expression}", trace=trace, exchange=exchange, json_path=expression
            )
        seen.append(value)
    if not seen:
        return skipped(
            NO_EVIDENCE,
            f"no response of the trace has a value at {expression} (where the profile says {name!r} is echoed)",
            trace=trace,
            json_path=expression,
        )
    return failed(
        f"{name} {expected!r} was accepted but {expression} echoes {seen[0]!r} (not honoured?)",
        trace=trace,
        exchange=trace.polls[-1] if trace.polls else trace.main,
        expected=str(expected),
        actual=str(seen[0]),
        json_path=expression,
    )


def _judge_external_id(ctx: CheckContext, trace: ScenarioTrace) -> Verdict:
    sent = _sent_value(trace, "external_task_id")
    if sent is None:
        return skipped(NO_EVIDENCE, "the scenario's request body carries no external_task_id", trace=trace)
    seen, path, actual = _external_id_seen(ctx, trace, sent)
    if seen:
        return passed(f"external_task_id {sent!r} echoed at {path}", trace=trace, exchange=trace.main, json_path=path)
    return failed(
        f"external_task_id {sent!r} was accepted but not echoed back (silently dropped?)",
        trace=trace,
        exchange=trace.polls[-1] if trace.polls else trace.main,
        expected=sent,
        actual=actual,
        json_path=path,
    )


@check(
    severity=Severity.HIGH,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=("*.create.param.image-base64",),
)
def image_base64_accepted(ctx: CheckContext) -> Iterator[Verdict]:
    """An image sent as raw base64 (no ``data:`` prefix) is accepted like an image URL.

    Judged against the canonical contract (image = URL or raw base64).
    """
    yield from judge_runnable(
        ctx, ["*.create.param.image-base64"], _acceptance(ctx, "a raw-base64 image", json_path="$.image")
    )


@check(
    severity=Severity.MEDIUM,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=("*.create.param.image-data-uri",),
    basis="profile",
)
def image_data_uri_as_documented(ctx: CheckContext) -> Iterator[Verdict]:
    """A ``data:`` URI image is rejected (4xx + error body) or accepted, as the gateway documents.

    Compares with the profile: ``profile.accepts_data_uri`` says acceptance is documented; otherwise
    the canonical rule applies (official Kling rejects the prefix with 1201/HTTP 400).
    """
    yield from judge_runnable(ctx, ["*.create.param.image-data-uri"], partial(_data_uri_verdict, ctx))


def _data_uri_verdict(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    documented_accept = ctx.profile.accepts_data_uri
    norm = ctx.normalized(main)
    if documented_accept:
        problem = acceptance_problem(main, norm)
        expected = "accepted (the gateway documents data: URIs): 2xx with a task id"
    else:
        problem = rejection_problem(main, norm)
        expected = "rejected as official Kling does: 4xx with an error body"
    if problem is None:
        verb = "accepted" if documented_accept else "rejected"
        return passed(f"data: URI image {verb} as documented ({describe(main, norm)})", trace=trace, exchange=main)
    return failed(
        f"data: URI image not handled as documented: {problem}",
        trace=trace,
        exchange=main,
        expected=expected,
        actual=describe(main, norm),
        json_path="$.image",
    )
