"""Errors and auth: keys are checked, error bodies are canonical, statuses match codes, no 5xx for client mistakes.

All free and all judged against the canonical Kling contract (401 for auth, the official error
envelope ``{code:int, message, request_id}``, the HTTP status of the Kling code table).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from conformance.checks import _contract
from conformance.checks._bodies import collect, error_response, judged_groups
from conformance.checks._support import (
    NO_EVIDENCE,
    describe,
    errored,
    failed,
    gate,
    json_type,
    judge_gated,
    nothing_ran,
    passed,
    read_json,
    skipped,
    status_of,
    traces_for,
)
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity
from conformance.normalize.result import is_error_shape

#: Scenarios in which every request is a client mistake.
CLIENT_MISTAKE_SCENARIOS = ("*.create.invalid.*", "*.get.unknown", "*.list.bounds", "auth.*")


def _judge_auth(ctx: CheckContext, scenario: str, what: str) -> Iterator[Verdict]:
    trace = ctx.trace(scenario)
    if trace is None:
        yield nothing_ran([scenario])
        return
    yield judge_gated(trace, partial(_auth_verdict, ctx, what))


def _auth_verdict(ctx: CheckContext, what: str, trace: ScenarioTrace, main: Exchange) -> Verdict:
    norm = ctx.normalized(main)
    status = status_of(main)
    if status == 401 and is_error_shape(norm):
        return passed(f"{what} rejected: {describe(main, norm)}", trace=trace, exchange=main)
    if status == 401:
        problem = f"HTTP 401 but the body is not an error body (shape {norm.shape.value})"
    elif status is not None and 200 <= status < 300:
        problem = f"the request was served without a valid key: {describe(main, norm)}"
    else:
        problem = f"{describe(main, norm)} instead of 401"
    return failed(
        f"{what}: {problem}",
        trace=trace,
        exchange=main,
        expected="HTTP 401 with an error body",
        actual=describe(main, norm),
        json_path="$",
    )


@check(severity=Severity.CRITICAL, area=Area.ERRORS_AUTH, scenarios=("auth.missing-key",))
def auth_missing_key_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A request without an API key is rejected with HTTP 401 and an error body (canonical)."""
    yield from _judge_auth(ctx, "auth.missing-key", "a request without a key")


@check(severity=Severity.CRITICAL, area=Area.ERRORS_AUTH, scenarios=("auth.invalid-key",))
def auth_invalid_key_rejected(ctx: CheckContext) -> Iterator[Verdict]:
    """A request with an invalid API key is rejected with HTTP 401 and an error body (canonical)."""
    yield from _judge_auth(ctx, "auth.invalid-key", "a request with an invalid key")


def _envelope_problems(value: Any) -> list[tuple[str, str, Any]]:
    """(json_path, expected, actual) for each departure from ``{code:int≠0, message:str, request_id:str}``."""
    if not isinstance(value, dict):
        return [("$", "the Kling error envelope (a JSON object)", json_type(value))]
    problems: list[tuple[str, str, Any]] = []
    code = value.get("code", ...)
    if code is ...:
        problems.append(("$.code", "integer Kling error code", "absent"))
    elif json_type(code) != "integer":
        problems.append(("$.code", "integer Kling error code", code))
    elif code == 0:
        problems.append(("$.code", "a non-zero code", code))
    if not isinstance(value.get("message"), str):
        problems.append(("$.message", "string", value.get("message", "absent")))
    if not isinstance(value.get("request_id"), str):
        problems.append(("$.request_id", "string", value.get("request_id", "absent")))
    if value.get("data") is not None:
        problems.append(("$.data", "absent or null on an error", json_type(value.get("data"))))
    return problems


@check(severity=Severity.HIGH, area=Area.ERRORS_AUTH, scenarios=("*",))
def error_body_canonical(ctx: CheckContext) -> Iterator[Verdict]:
    """Error responses use the official Kling error envelope ``{code:int, message, request_id}``.

    Canonical contract; new-api ``{code:"task_not_exist"}`` and OpenAI ``{error:{...}}`` bodies fail.
    """
    for group in judged_groups(ctx, ("*",), error_response, none_captured="no error response was captured"):
        if isinstance(group, Verdict):
            yield group
            continue
        found: list[tuple[Exchange, tuple[str, str, Any], str]] = []
        for _, exchange in group.exchanges:
            body = read_json(exchange)
            shape = ctx.normalized(exchange).shape.value
            if not body.ok:
                found.append((exchange, ("$", "the Kling error envelope", body.problem), shape))
                continue
            found.extend((exchange, problem, shape) for problem in _envelope_problems(body.value))
        if not found:
            yield passed(f"{len(group.exchanges)} error bod(ies) use the Kling envelope", operation=group.operation)
            continue
        exchange, (path, expected, actual), shape = found[0]
        shapes = sorted({s for _, _, s in found})
        yield failed(
            f"error body is not the Kling envelope (shapes seen: {', '.join(shapes)}); first: {path}",
            operation=group.operation,
            exchange=exchange,
            expected=expected,
            actual=actual,
            json_path=path,
        )


@check(severity=Severity.MEDIUM, area=Area.ERRORS_AUTH, scenarios=("*",))
def error_status_matches_code(ctx: CheckContext) -> Iterator[Verdict]:
    """The HTTP status of each Kling error code is the one the official code table gives (1201 → 400, ...).

    Canonical contract. Error bodies without an integer Kling code are left to ``error_body_canonical``.
    """
    groups = collect(ctx, ("*",), error_response)
    if not groups:
        yield nothing_ran(("*",))
        return
    try:
        table = _contract.error_codes()
    except _contract.ContractUnavailable as exc:
        yield errored(f"cannot judge error statuses: {exc}")
        return
    for group in groups:
        if not group.exchanges:
            yield group.blocked or skipped(NO_EVIDENCE, "no error response was captured", operation=group.operation)
            continue
        judged = 0
        mismatch: list[tuple[Exchange, str, Any, Any]] = []
        for _, exchange in group.exchanges:
            body = read_json(exchange)
            code = body.value.get("code") if body.ok and isinstance(body.value, dict) else None
            if json_type(code) != "integer":
                continue
            judged += 1
            entry = table.get(str(code))
            status = status_of(exchange)
            if entry is None:
                mismatch.append((exchange, f"code {code} is not in the Kling code table", "a documented code", code))
            elif entry.http_status != status:
                mismatch.append(
                    (exchange, f"code {code} ({entry.definition}) came with HTTP {status}", entry.http_status, status)
                )
        if not judged:
            yield skipped(NO_EVIDENCE, "no error body carries an integer Kling code", operation=group.operation)
        elif not mismatch:
            yield passed(f"{judged} Kling error code(s) carry their table status", operation=group.operation)
        else:
            exchange, what, expected, actual = mismatch[0]
            yield failed(
                f"{what}" + (f" (+{len(mismatch) - 1} more)" if len(mismatch) > 1 else ""),
                operation=group.operation,
                exchange=exchange,
                expected=expected,
                actual=actual,
                json_path="$.code",
            )


@check(severity=Severity.HIGH, area=Area.ERRORS_AUTH, scenarios=CLIENT_MISTAKE_SCENARIOS)
def no_5xx_for_client_errors(ctx: CheckContext) -> Iterator[Verdict]:
    """Client mistakes (invalid requests, unknown ids, bad pages, bad keys) never get a 5xx (canonical)."""
    traces = traces_for(ctx, *CLIENT_MISTAKE_SCENARIOS)
    if not traces:
        yield nothing_ran(CLIENT_MISTAKE_SCENARIOS)
        return
    by_operation: dict[str, list[Exchange]] = {}
    blocked_by_operation: dict[str, Verdict] = {}
    for trace in traces:
        blocked = gate(trace)
        if blocked is not None:
            blocked_by_operation.setdefault(trace.operation_id, blocked)
            continue
        for exchange in trace.exchanges:
            if exchange.response is not None:
                by_operation.setdefault(exchange.operation_id or trace.operation_id, []).append(exchange)
    for operation in sorted(set(by_operation) | set(blocked_by_operation)):
        exchanges = by_operation.get(operation, [])
        if not exchanges:
            yield blocked_by_operation[operation]
            continue
        server = [ex for ex in exchanges if (status_of(ex) or 0) >= 500]
        if not server:
            yield passed(f"{len(exchanges)} client mistake(s), none answered with a 5xx", operation=operation)
            continue
        first = server[0]
        yield failed(
            f"{len(server)} client mistake(s) got a server error; first: {first.scenario}: "
            f"{describe(first, ctx.normalized(first))}",
            operation=operation,
            exchange=first,
            expected="a 4xx",
            actual=status_of(first),
            json_path="$",
        )
