"""Response shape: canonical schema, documented schema, shape family, field types, status words, content type.

``response_schema_canonical``, ``field_types_canonical``, ``status_vocabulary_kling`` and
``content_type_json`` judge against the canonical Kling contract. ``response_shape_family`` compares
with the profile's expected shape. ``response_schema_documented`` compares with the gateway's own
document (documentation-vs-runtime drift).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from conformance.checks import _contract, _documented
from conformance.checks._bodies import (
    SUCCESS_SCENARIOS,
    OperationBodies,
    any_response,
    judge_each,
    judged_groups,
    success_body,
)
from conformance.checks._support import (
    KLING_STATUS_WORDS,
    NOT_DOCUMENTED,
    errored,
    failed,
    find_keys,
    first_key_path,
    get_path,
    json_type,
    passed,
    read_json,
    skipped,
)
from conformance.checks.base import Area, CheckContext, CheckFunction, Verdict, check
from conformance.models import Exchange, Severity

_MS_FLOOR = 100_000_000_000  # 1973 in ms; a Unix-seconds value of today is ~1.7e9
_TIMESTAMP_KEYS = ("created_at", "updated_at")


_NO_SUCCESS_BODY = "no success body was captured"


def _each_success_group(ctx: CheckContext, judge: Callable[[OperationBodies], Verdict]) -> Iterator[Verdict]:
    """One verdict per operation: ``judge`` of its success bodies, or the reason there are none."""
    groups = judged_groups(ctx, SUCCESS_SCENARIOS, success_body, none_captured=_NO_SUCCESS_BODY)
    return judge_each(groups, judge)


def _success_check(severity: Severity, basis: str = "canonical") -> Callable[[CheckFunction], CheckFunction]:
    """``@check`` for a paid response-shape check of the success bodies of create, get and list."""
    return check(
        severity=severity,
        area=Area.RESPONSE_SHAPE,
        operations=("create", "get", "list"),
        paid=True,
        scenarios=SUCCESS_SCENARIOS,
        basis=basis,
    )


def _issue_field(issue: Any, name: str, default: Any = None) -> Any:
    return getattr(issue, name, default)


def _schema_expectation(issue: Any) -> str:
    keyword = _issue_field(issue, "keyword", "")
    schema_path = _issue_field(issue, "schema_path", "")
    if keyword:
        return f"canonical schema keyword {keyword!r}" + (f" at {schema_path}" if schema_path else "")
    return str(_issue_field(issue, "message", issue))


@_success_check(Severity.HIGH)
def response_schema_canonical(ctx: CheckContext) -> Iterator[Verdict]:
    """Every success body validates against the canonical Kling response schema of its operation.

    Canonical contract; the first violation is reported with its JSON path, expected and actual value.
    """
    yield from _each_success_group(ctx, _validate_group)


def _validate_group(group: OperationBodies) -> Verdict:
    seen: dict[bytes, list[Any] | str] = {}
    bad: list[tuple[Exchange, Any, list[Any] | str]] = []
    for _, exchange in group.exchanges:
        assert exchange.response is not None
        key = exchange.response.body
        if key not in seen:
            body = read_json(exchange)
            if not body.ok:
                seen[key] = body.problem
            else:
                try:
                    seen[key] = _contract.validate_response(group.operation, exchange.response.status_code, body.value)
                except _contract.ContractUnavailable as exc:
                    return errored(f"cannot validate {group.operation}: {exc}", exchange=exchange)
        result = seen[key]
        if isinstance(result, str) or result:
            bad.append((exchange, read_json(exchange).value, result))
    total = len(group.exchanges)
    if not bad:
        return passed(
            f"{total} success bod{'y' if total == 1 else 'ies'} valid against the canonical schema",
            operation=group.operation,
            exchange=group.exchanges[0][1],
        )
    exchange, value, result = bad[0]
    prefix = f"{len(bad)} of {total} success bodies violate the canonical schema"
    if isinstance(result, str):
        return failed(
            f"{prefix}; first: the body is {result}",
            operation=group.operation,
            exchange=exchange,
            expected="a JSON body",
            actual=result,
            json_path="$",
        )
    issue = result[0]
    path = str(_issue_field(issue, "json_path", "$") or "$")
    extra = f" (+{len(result) - 1} more issue(s) in that body)" if len(result) > 1 else ""
    return failed(
        f"{prefix}; first: {path}: {_issue_field(issue, 'message', issue)}{extra}",
        operation=group.operation,
        exchange=exchange,
        expected=_issue_field(issue, "expected", _schema_expectation(issue)),
        actual=_issue_field(issue, "actual", get_path(value, path)),
        json_path=path,
    )


@_success_check(Severity.MEDIUM, basis="document")
def response_schema_documented(ctx: CheckContext) -> Iterator[Verdict]:
    """Success bodies match what the gateway's own document shows (catches doc-vs-runtime drift).

    Compares with the gateway document (``specs/gateways/<id>.yaml`` examples and schemas, else the
    profile's ``documented_shape``), not with the canonical contract. Operations the document does not
    cover are skipped with reason "not documented".
    """
    try:
        spec = _contract.gateway_spec(ctx.gateway)
    except _contract.ContractUnavailable as exc:
        spec = None
        unavailable = str(exc)
    else:
        unavailable = ""

    def judge(group: OperationBodies) -> Verdict:
        documented = _documented.documented_responses(spec, group.operation) if spec is not None else []
        op_profile = ctx.profile.operation(group.operation)
        documented_shape = op_profile.documented_shape if op_profile is not None else ""
        if not documented and not documented_shape:
            why = f"the gateway document does not cover {group.operation}"
            if unavailable:
                why = f"{why} (gateway specs unavailable: {unavailable})"
            return skipped(NOT_DOCUMENTED, why, operation=group.operation)
        return _documented.compare(ctx, group, documented, documented_shape)

    yield from _each_success_group(ctx, judge)


@_success_check(Severity.HIGH, basis="profile")
def response_shape_family(ctx: CheckContext) -> Iterator[Verdict]:
    """The normalizer's shape id of each success body is the one the profile expects for the operation.

    Compares with the profile (``operations.<op>.response_shape``), so it tells a client which parser
    it needs; departures from the official envelope are judged by ``response_schema_canonical``.
    """
    yield from _each_success_group(ctx, partial(_shape_family_verdict, ctx))


def _shape_family_verdict(ctx: CheckContext, group: OperationBodies) -> Verdict:
    op_profile = ctx.profile.operation(group.operation)
    if op_profile is None:
        return skipped(NOT_DOCUMENTED, f"the profile says nothing about {group.operation}", operation=group.operation)
    expected = op_profile.response_shape
    wrong = [(ex, ctx.normalized(ex).shape.value) for _, ex in group.exchanges]
    wrong = [(ex, shape) for ex, shape in wrong if shape != expected]
    if not wrong:
        return passed(f"all success bodies have shape {expected!r}", operation=group.operation)
    shapes = sorted({shape for _, shape in wrong})
    return failed(
        f"{len(wrong)} of {len(group.exchanges)} success bodies have shape {', '.join(shapes)}; "
        f"the profile expects {expected!r}",
        operation=group.operation,
        exchange=wrong[0][0],
        expected=expected,
        actual=wrong[0][1],
        json_path="$",
    )


def _type_problems(value: Any) -> tuple[int, list[tuple[str, str, Any, str]]]:
    """(fields judged, [(json_path, expected, actual, what)]) for the canonical field types in ``value``.

    Only fields that are present are judged; a missing field is a schema matter
    (``response_schema_canonical``), not a type one.
    """
    if not isinstance(value, dict):
        return 1, [("$", "object", json_type(value), "the body is not a JSON object")]
    problems: list[tuple[str, str, Any, str]] = []
    judged = 0
    if "code" in value:
        judged += 1
        code = value["code"]
        if json_type(code) != "integer":
            problems.append(("$.code", "integer", code, f"code is a {json_type(code)}"))
    for path, found in find_keys(value, "task_id", *_TIMESTAMP_KEYS):
        if path.endswith(".task_id"):
            judged += 1
            if not isinstance(found, str):
                problems.append((path, "string", found, f"task_id is a {json_type(found)}"))
            continue
        stamp = found
        if stamp is None:
            continue
        judged += 1
        if json_type(stamp) != "integer":
            problems.append((path, "integer milliseconds", stamp, f"timestamp is a {json_type(stamp)}"))
        elif abs(stamp) < _MS_FLOOR:
            problems.append((path, "integer milliseconds", stamp, "timestamp is in seconds, not milliseconds"))
    return judged, problems


@_success_check(Severity.HIGH)
def field_types_canonical(ctx: CheckContext) -> Iterator[Verdict]:
    """Success bodies use canonical field types: integer ``code``, string ``task_id``, ms timestamps.

    Canonical contract, applied to every ``code`` (top level), ``task_id``, ``created_at`` and
    ``updated_at`` present in the body; absent fields are left to ``response_schema_canonical``.
    """
    yield from _each_success_group(ctx, partial(_field_types_verdict, ctx))


def _field_types_verdict(ctx: CheckContext, group: OperationBodies) -> Verdict:
    found: list[tuple[Exchange, tuple[str, str, Any, str]]] = []
    judged = 0
    for _, exchange in group.exchanges:
        body = read_json(exchange)
        if not body.ok:
            judged += 1
            found.append((exchange, ("$", "a JSON object", body.problem, f"the body is {body.problem}")))
            continue
        count, problems = _type_problems(body.value)
        judged += count
        found.extend((exchange, problem) for problem in problems)
    if not judged:
        return skipped("no evidence", "no success body carries code, task_id or timestamps", operation=group.operation)
    if not found:
        return passed(f"{judged} code/task_id/timestamp value(s) have canonical types", operation=group.operation)
    exchange, (path, expected, actual, what) = found[0]
    kinds = sorted({f"{p}: {w}" for _, (p, _, _, w) in found})
    return failed(
        f"{what} at {path}" + (f" (all: {'; '.join(kinds[:5])})" if len(kinds) > 1 else ""),
        operation=group.operation,
        exchange=exchange,
        expected=expected,
        actual=actual,
        json_path=path,
    )


@_success_check(Severity.HIGH)
def status_vocabulary_kling(ctx: CheckContext) -> Iterator[Verdict]:
    """Task status words are Kling's own (``submitted|processing|succeed|failed``, lowercase, exact).

    Canonical contract: ``SUCCESS``, ``NOT_START``, ``queued``, ``completed`` or ``succeeded`` fail.
    """
    yield from _each_success_group(ctx, partial(_status_words_verdict, ctx))


def _status_words_verdict(ctx: CheckContext, group: OperationBodies) -> Verdict:
    words: list[tuple[Exchange, str]] = []
    for _, exchange in group.exchanges:
        raw = ctx.normalized(exchange).raw_status
        if raw is not None:
            words.append((exchange, raw))
            continue
        body = read_json(exchange)  # list bodies: the status of each task in the array
        if body.ok and isinstance(body.value, dict) and isinstance(body.value.get("data"), list):
            words.extend((exchange, str(w)) for _, w in find_keys(body.value["data"], "task_status") if w is not None)
    if not words:
        return skipped("no evidence", "no success body carries a task status", operation=group.operation)
    foreign = [(ex, word) for ex, word in words if word not in KLING_STATUS_WORDS]
    if not foreign:
        used = sorted({w for _, w in words})
        return passed(f"status words {used} are Kling's", operation=group.operation)
    exchange, word = foreign[0]
    body = read_json(exchange)
    exact = [p for p, v in find_keys(body.value, "task_status", "status") if v == word] if body.ok else []
    path = exact[0] if exact else (first_key_path(body.value, "task_status", "status") if body.ok else "$")
    return failed(
        f"status word(s) outside Kling's vocabulary: {sorted({w for _, w in foreign})}",
        operation=group.operation,
        exchange=exchange,
        expected=list(KLING_STATUS_WORDS),
        actual=word,
        json_path=path,
    )


def _is_json_media_type(value: str | None) -> bool:
    if not value:
        return False
    media = value.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


@check(
    severity=Severity.MEDIUM,
    area=Area.RESPONSE_SHAPE,
    operations=(),
    scenarios=("*",),
)
def content_type_json(ctx: CheckContext) -> Iterator[Verdict]:
    """Every API response with a body (success or error) declares ``Content-Type: application/json``.

    Canonical contract; result fetches (media) are excluded.
    """
    groups = judged_groups(ctx, ("*",), any_response, none_captured=_NO_SUCCESS_BODY)
    yield from judge_each(groups, partial(_content_type_verdict, ctx))


def _content_type_verdict(ctx: CheckContext, group: OperationBodies) -> Verdict:
    wrong: list[tuple[Exchange, str]] = []
    for _, exchange in group.exchanges:
        assert exchange.response is not None
        if not exchange.response.body.strip():
            continue
        declared = exchange.response.header("content-type")
        if not _is_json_media_type(declared):
            wrong.append((exchange, declared or "absent"))
    if not wrong:
        return passed("every response declares application/json", operation=group.operation)
    exchange, declared = wrong[0]
    return failed(
        f"{len(wrong)} response(s) not declared as JSON; first: Content-Type {declared!r} "
        f"(HTTP {exchange.response.status_code if exchange.response else '?'})",
        operation=group.operation,
        exchange=exchange,
        expected="application/json",
        actual=declared,
        json_path="",
    )
