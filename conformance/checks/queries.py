"""Queries: the documented path, its variants, unknown ids, list bounds and external ids. All free.

``query_path_documented_works``, ``query_path_variants_work``, ``list_query_bounds`` and
``query_by_external_task_id`` judge against the canonical contract. ``unknown_task_error`` compares
with the profile (``profile.errors.unknown_task_*``): the documented error is what a client codes to.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.checks._support import (
    NO_EVIDENCE,
    created_task_id,
    describe,
    failed,
    family_of,
    find_keys,
    first_key_path,
    is_2xx,
    judge_runnable,
    passed,
    read_json,
    rejection_problem,
    skipped,
    transport_problem,
)
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity
from conformance.normalize.result import is_error_shape

PAGE_NUM_RANGE = (1, 1000)
PAGE_SIZE_RANGE = (1, 500)


def _query_problem(ctx: CheckContext, exchange: Exchange, expected_id: str | None) -> str | None:
    norm = ctx.normalized(exchange)
    if not is_2xx(exchange) or norm.is_error or is_error_shape(norm):
        return describe(exchange, norm)
    if not norm.task_id:
        return f"HTTP {exchange.response.status_code if exchange.response else '?'} without a task id"
    if expected_id and norm.task_id != expected_id:
        return f"answered task {norm.task_id!r} instead of {expected_id!r}"
    return None


def _known_id(ctx: CheckContext, trace: ScenarioTrace) -> str | None:
    meta_id = trace.meta.get("task_id")
    return str(meta_id) if meta_id else created_task_id(ctx, family_of(trace.operation_id))


@check(severity=Severity.CRITICAL, area=Area.QUERIES, operations=("get",), scenarios=("*.get.known",))
def query_path_documented_works(ctx: CheckContext) -> Iterator[Verdict]:
    """Querying a created task at the gateway's documented path returns that task (canonical)."""
    yield from judge_runnable(ctx, ["*.get.known"], partial(_documented_path_verdict, ctx))


def _documented_path_verdict(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    expected_id = _known_id(ctx, trace)
    problem = _query_problem(ctx, main, expected_id)
    if problem is None:
        return passed(f"{main.request.method} {urlsplit(main.request.url).path} works", trace=trace, exchange=main)
    body = read_json(main)
    return failed(
        f"the documented query path failed: {problem}",
        trace=trace,
        exchange=main,
        expected=f"2xx with task {expected_id!r}" if expected_id else "2xx with the task",
        actual=describe(main, ctx.normalized(main)),
        json_path=first_key_path(body.value, "task_id", "id") if body.ok else "$",
    )


@check(severity=Severity.MEDIUM, area=Area.QUERIES, operations=("get",), scenarios=("*.get.variant",))
def query_path_variants_work(ctx: CheckContext) -> Iterator[Verdict]:
    """Every alternative query path the gateway is known to answer returns the same task (canonical)."""
    yield from judge_runnable(ctx, ["*.get.variant"], partial(_variants_verdict, ctx))


def _variants_verdict(ctx: CheckContext, trace: ScenarioTrace, _main: Exchange) -> Verdict:
    expected_id = _known_id(ctx, trace)
    broken: list[tuple[Exchange, str]] = []
    for exchange in trace.exchanges:
        problem = transport_problem(exchange) or _query_problem(ctx, exchange, expected_id)
        if problem:
            broken.append((exchange, f"{urlsplit(exchange.request.url).path}: {problem}"))
    if not broken:
        return passed(f"{len(trace.exchanges)} path variant(s) work", trace=trace, exchange=trace.main)
    return failed(
        f"{len(broken)} of {len(trace.exchanges)} path variant(s) failed: " + "; ".join(p for _, p in broken[:4]),
        trace=trace,
        exchange=broken[0][0],
        expected="2xx with the created task at every variant",
        actual=broken[0][1],
    )


@check(severity=Severity.HIGH, area=Area.QUERIES, operations=("get",), scenarios=("*.get.unknown",), basis="profile")
def unknown_task_error(ctx: CheckContext) -> Iterator[Verdict]:
    """An unknown task id gets the error the gateway documents: the profile's HTTP status, shape and code.

    Compares with the profile (``errors.unknown_task_status``, ``unknown_task_shape``,
    ``unknown_task_code``); a 2xx or a 5xx is always a fail.
    """
    yield from judge_runnable(ctx, ["*.get.unknown"], partial(_unknown_task_verdict, ctx))


def _unknown_task_verdict(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    errors = ctx.profile.errors
    expected = f"HTTP {errors.unknown_task_status} {errors.unknown_task_shape} (code {errors.unknown_task_code})"
    norm = ctx.normalized(main)
    status = main.response.status_code if main.response else None
    problems: list[str] = []
    code_path = "$"
    floor = rejection_problem(main, norm, accepted="it was answered as if the task existed")
    if floor and (status is None or not 400 <= status < 500 or not is_error_shape(norm)):
        problems.append(floor)
    if status != errors.unknown_task_status:
        problems.append(f"HTTP {status} instead of {errors.unknown_task_status}")
    if norm.shape.value != errors.unknown_task_shape:
        problems.append(f"shape {norm.shape.value} instead of {errors.unknown_task_shape}")
    if errors.unknown_task_code and norm.error_code is not None and norm.error_code != errors.unknown_task_code:
        problems.append(f"code {norm.error_code!r} instead of {errors.unknown_task_code!r}")
        body = read_json(main)
        code_path = first_key_path(body.value, "code", default="$.code") if body.ok else "$"
    if not problems:
        return passed(f"unknown id answered as documented: {describe(main, norm)}", trace=trace, exchange=main)
    return failed(
        "unknown task id: " + "; ".join(dict.fromkeys(problems)),
        trace=trace,
        exchange=main,
        expected=expected,
        actual=describe(main, norm),
        json_path=code_path,
    )


def _page_params(exchange: Exchange) -> tuple[int | None, int | None]:
    query = parse_qs(urlsplit(exchange.request.url).query)

    params = exchange.meta.get("params")
    params = params if isinstance(params, dict) else {}

    def number(name: str) -> int | None:
        values = query.get(name)
        value = params.get(name, values[0] if values else None)
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    return number("pageNum"), number("pageSize")


def _within(value: int | None, bounds: tuple[int, int]) -> bool:
    return value is None or bounds[0] <= value <= bounds[1]


def _list_items(value: Any) -> list[Any] | None:
    if isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, list):
            return data
        if isinstance(data, dict):
            for key in ("list", "items", "tasks", "data"):
                if isinstance(data.get(key), list):
                    return list(data[key])
    return value if isinstance(value, list) else None


@check(severity=Severity.MEDIUM, area=Area.QUERIES, operations=("list",), scenarios=("*.list.bounds",))
def list_query_bounds(ctx: CheckContext) -> Iterator[Verdict]:
    """The list query honours the official bounds: pageNum 1–1000 and pageSize 1–500 work, beyond is rejected.

    Canonical contract: in bounds → 2xx with a ``data`` array of at most pageSize tasks; out of bounds
    → 4xx with an error body, never a 5xx.
    """
    yield from judge_runnable(ctx, ["*.list.bounds"], partial(_list_bounds_verdict, ctx))


def _list_bounds_verdict(ctx: CheckContext, trace: ScenarioTrace, _main: Exchange) -> Verdict:
    broken: list[tuple[Exchange, str, str, str]] = []
    for exchange in trace.exchanges:
        page_num, page_size = _page_params(exchange)
        label = f"pageNum={page_num} pageSize={page_size}"
        expect = exchange.meta.get("expect")
        in_bounds = _within(page_num, PAGE_NUM_RANGE) and _within(page_size, PAGE_SIZE_RANGE)
        if expect in ("accept", "reject"):
            in_bounds = expect == "accept"
        problem = transport_problem(exchange)
        if problem:
            broken.append((exchange, f"{label}: {problem}", "a response", "$"))
            continue
        norm = ctx.normalized(exchange)
        if in_bounds:
            body = read_json(exchange)
            items = _list_items(body.value) if body.ok else None
            if not is_2xx(exchange) or norm.is_error:
                broken.append((exchange, f"{label}: {describe(exchange, norm)}", "2xx with a task list", "$"))
            elif items is None:
                broken.append((exchange, f"{label}: no task array in the body", "a data array", "$.data"))
            elif page_size is not None and len(items) > page_size:
                broken.append((exchange, f"{label}: {len(items)} tasks returned", f"≤ {page_size}", "$.data"))
        else:
            problem = rejection_problem(exchange, norm)
            if problem:
                broken.append((exchange, f"{label} (out of bounds): {problem}", "4xx with an error body", "$"))
    if not broken:
        return passed(f"{len(trace.exchanges)} list request(s) behave within/beyond bounds", trace=trace)
    exchange, what, expected, path = broken[0]
    return failed(
        f"{len(broken)} list request(s) misbehave; first: {what}",
        trace=trace,
        exchange=exchange,
        expected=expected,
        actual=what.split(": ", 1)[-1],
        json_path=path,
    )


def _external_id(trace: ScenarioTrace) -> str | None:
    value = trace.meta.get("external_task_id")
    if value:
        return str(value)
    for exchange in trace.exchanges:
        query = parse_qs(urlsplit(exchange.request.url).query).get("external_task_id")
        if query:
            return query[0]
    body = trace.request_body
    return str(body["external_task_id"]) if isinstance(body, dict) and body.get("external_task_id") else None


def _external_attempt(
    ctx: CheckContext, exchange: Exchange, external: str, known: str | None
) -> tuple[bool, str, Any, str]:
    """(found, what was seen, actual value, json path) for one query form (path or query string)."""
    problem = transport_problem(exchange)
    if problem:
        return False, problem, problem, "$"
    norm = ctx.normalized(exchange)
    if not is_2xx(exchange) or norm.is_error or is_error_shape(norm):
        return False, describe(exchange, norm), describe(exchange, norm), "$"
    body = read_json(exchange)
    echoed = [str(v) for _, v in find_keys(body.value, "external_task_id") if v is not None] if body.ok else []
    if norm.external_task_id:
        echoed.append(norm.external_task_id)
    if external in echoed or (known and norm.task_id == known):
        return True, f"task {norm.task_id or external!r}", norm.task_id, ""
    default = "$.data.task_info.external_task_id"
    path = first_key_path(body.value, "external_task_id", default=default) if body.ok else "$"
    if echoed:
        return False, f"external_task_id {echoed[0]!r}", echoed[0], path
    return False, "no external_task_id in the response", "absent", path


@check(severity=Severity.MEDIUM, area=Area.QUERIES, operations=("get",), scenarios=("*.get.external-id",))
def query_by_external_task_id(ctx: CheckContext) -> Iterator[Verdict]:
    """Querying by the client's ``external_task_id`` returns the task created with it (canonical).

    The official docs leave the transport open (path or ``?external_task_id=``): any form that returns
    the task passes; every form is listed when none does.
    """
    yield from judge_runnable(ctx, ["*.get.external-id"], partial(_external_id_verdict, ctx))


def _external_id_verdict(ctx: CheckContext, trace: ScenarioTrace, _main: Exchange) -> Verdict:
    external = _external_id(trace)
    if external is None:
        return skipped(NO_EVIDENCE, "the scenario does not say which external_task_id it queried", trace=trace)
    known = str(trace.meta["task_id"]) if trace.meta.get("task_id") else None
    attempts = [(ex, *_external_attempt(ctx, ex, external, known)) for ex in trace.exchanges]
    found = [(ex, seen) for ex, ok, seen, _, _ in attempts if ok]
    if found:
        exchange, seen = found[0]
        form = urlsplit(exchange.request.url)
        where = f"{form.path}?{form.query}" if form.query else form.path
        return passed(f"external_task_id {external!r} found {seen} via {where}", trace=trace, exchange=exchange)
    exchange, _, _, actual, path = attempts[0]
    return failed(
        f"no query form found the task of external_task_id {external!r}: "
        + "; ".join(f"{urlsplit(ex.request.url).path}: {what}" for ex, _, what, _, _ in attempts),
        trace=trace,
        exchange=exchange,
        expected=external,
        actual=actual,
        json_path=path,
    )
