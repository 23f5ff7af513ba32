"""Shared helpers for the built-in checks: verdict builders, trace gating, JSON reading, path lookup.

Nothing here does I/O. Every helper tolerates malformed bodies: a body that cannot be read is a
*finding* described in words, never an exception.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from conformance.checks.base import CheckContext, ScenarioTrace, Verdict
from conformance.models import Exchange, Outcome
from conformance.normalize.result import ERROR_SHAPES, NormalizedResponse
from conformance.profiles.model import FAMILIES

#: Skip reasons a verdict may carry (the vocabulary of ``ScenarioTrace.skipped_reason``).
NOT_DOCUMENTED = "not documented"
NOT_SUPPORTED = "not supported"
BUDGET = "budget"
NO_EVIDENCE = "no evidence"

KLING_STATUS_WORDS = ("submitted", "processing", "succeed", "failed")


# --------------------------------------------------------------------------- verdict builders


def _evidence_of(trace: ScenarioTrace | None, exchange: Exchange | None) -> Any:
    if exchange is not None:
        return exchange.evidence
    return trace.evidence if trace is not None else None


def _operation_of(trace: ScenarioTrace | None, exchange: Exchange | None, operation: str | None) -> str:
    if operation is not None:
        return operation
    if trace is not None:
        return trace.operation_id
    return exchange.operation_id if exchange is not None else ""


def passed(
    message: str,
    *,
    trace: ScenarioTrace | None = None,
    exchange: Exchange | None = None,
    operation: str | None = None,
    actual: Any = None,
    json_path: str = "",
) -> Verdict:
    """A ``pass`` verdict (``json_path`` names the field judged, when a check judges several)."""
    return Verdict(
        outcome=Outcome.PASS,
        operation=_operation_of(trace, exchange, operation),
        message=message,
        actual=actual,
        json_path=json_path,
        exchange_ref=exchange.ref if exchange is not None else "",
        evidence=_evidence_of(trace, exchange),
    )


def failed(
    message: str,
    *,
    trace: ScenarioTrace | None = None,
    exchange: Exchange | None = None,
    operation: str | None = None,
    expected: Any = None,
    actual: Any = None,
    json_path: str = "",
) -> Verdict:
    """A ``fail`` verdict with expected, actual, the JSON path and the exchange."""
    return Verdict(
        outcome=Outcome.FAIL,
        operation=_operation_of(trace, exchange, operation),
        message=message,
        expected=expected,
        actual=actual,
        json_path=json_path,
        exchange_ref=exchange.ref if exchange is not None else "",
        evidence=_evidence_of(trace, exchange),
    )


def skipped(
    reason: str,
    message: str,
    *,
    trace: ScenarioTrace | None = None,
    exchange: Exchange | None = None,
    operation: str | None = None,
    json_path: str = "",
) -> Verdict:
    """A ``skipped`` verdict; ``reason`` is one of the skip-reason words, ``message`` explains it."""
    return Verdict(
        outcome=Outcome.SKIPPED,
        operation=_operation_of(trace, exchange, operation),
        message=f"skipped ({reason}): {message}" if message else f"skipped ({reason})",
        reason=reason,
        json_path=json_path,
        exchange_ref=exchange.ref if exchange is not None else "",
        evidence=_evidence_of(trace, exchange),
    )


def errored(
    message: str,
    *,
    trace: ScenarioTrace | None = None,
    exchange: Exchange | None = None,
    operation: str | None = None,
) -> Verdict:
    """An ``error`` verdict: the check could not judge (transport failure, missing contract data)."""
    return Verdict(
        outcome=Outcome.ERROR,
        operation=_operation_of(trace, exchange, operation),
        message=message,
        exchange_ref=exchange.ref if exchange is not None else "",
        evidence=_evidence_of(trace, exchange),
    )


def nothing_ran(patterns: Iterable[str], *, operation: str = "") -> Verdict:
    """The single verdict of a check for which this gateway produced no scenario at all."""
    return Verdict(
        outcome=Outcome.SKIPPED,
        operation=operation,
        message=f"skipped ({NO_EVIDENCE}): no scenario matching {', '.join(patterns)} was run for this gateway",
        reason=NO_EVIDENCE,
    )


# --------------------------------------------------------------------------- traces


def traces_for(ctx: CheckContext, *patterns: str) -> list[ScenarioTrace]:
    """Traces whose scenario id matches any of the fnmatch ``patterns``, sorted by scenario id."""
    match = scenario_matcher(patterns)
    found = ctx.traces_matching(lambda t: match(t.scenario) is not None)
    return sorted(found, key=lambda t: t.scenario)


@functools.lru_cache(maxsize=256)
def scenario_matcher(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """One compiled matcher for a tuple of fnmatch patterns (case-sensitive)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match


def scenario_case(trace: ScenarioTrace, marker: str) -> str:
    """The part of the scenario id after ``marker`` (``create.param.`` → ``cfg_scale``)."""
    _, _, case = trace.scenario.partition(marker)
    return case


def transport_problem(exchange: Exchange) -> str | None:
    """Why ``exchange`` has no usable response (transport error, no response), or ``None``."""
    if exchange.error:
        return f"transport error: {exchange.error}"
    if exchange.response is None:
        return "no response was captured"
    return None


def gate(trace: ScenarioTrace | None, *, operation: str = "") -> Verdict | None:
    """A ``skipped``/``error`` verdict when ``trace`` cannot be judged, else ``None``.

    Order: not planned → skipped (no evidence); skipped by the harness → its reason; harness error →
    error; no main exchange → skipped (no evidence); transport failure on the main exchange → error.
    """
    if trace is None:
        return skipped(NO_EVIDENCE, "the scenario was not run for this gateway", operation=operation)
    if trace.skipped_reason:
        return skipped(trace.skipped_reason, f"scenario {trace.scenario} was not run", trace=trace)
    if trace.error:
        return errored(f"scenario {trace.scenario} could not complete: {trace.error}", trace=trace)
    main = trace.main
    if main is None:
        return skipped(NO_EVIDENCE, f"scenario {trace.scenario} captured no exchange", trace=trace)
    problem = transport_problem(main)
    if problem:
        return errored(f"{trace.scenario}: {problem}", trace=trace, exchange=main)
    return None


def purpose(exchange: Exchange) -> str:
    """The exchange's ``meta["purpose"]`` (create, poll, query, variant, list, result-fetch, auth)."""
    return str(exchange.meta.get("purpose", ""))


def judged_exchanges(trace: ScenarioTrace) -> list[Exchange]:
    """The trace's exchanges with a response, except result fetches (which are not API responses)."""
    return [ex for ex in trace.exchanges if ex.response is not None and purpose(ex) != "result-fetch"]


# --------------------------------------------------------------------------- bodies


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A response body read as JSON: ``ok`` with ``value``, or a ``problem`` in words."""

    ok: bool
    value: Any = None
    problem: str = ""


def read_json(exchange: Exchange) -> JsonBody:
    """Parse the response body; never raises."""
    response = exchange.response
    if response is None:
        return JsonBody(False, problem="no response body")
    return parse_json_bytes(response.body, truncated=response.truncated)


def parse_json_bytes(body: bytes | str, *, truncated: bool = False) -> JsonBody:
    """Parse ``body`` as JSON; never raises. Empty, HTML, text and truncated bodies become problems.

    Results are cached per body (checks read the same bodies many times); callers must not mutate
    the returned value.
    """
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    return _parse_cached(raw, truncated)


@functools.lru_cache(maxsize=8192)
def _parse_cached(raw: bytes, truncated: bool) -> JsonBody:
    if not raw.strip():
        return JsonBody(False, problem="empty body")
    try:
        return JsonBody(True, value=orjson.loads(raw))
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        snippet = raw[:60].decode("utf-8", "replace").replace("\n", " ")
        kind = "truncated JSON (body cap reached)" if truncated else "not JSON"
        if raw.lstrip()[:1] == b"<":
            kind = "an HTML/XML page, not JSON"
        return JsonBody(False, problem=f"{kind} ({exc.__class__.__name__}; starts {snippet!r})")


def is_2xx(exchange: Exchange) -> bool:
    """Whether the exchange has a 2xx response."""
    return exchange.response is not None and 200 <= exchange.response.status_code < 300


def status_of(exchange: Exchange) -> int | None:
    """The HTTP status, or ``None`` without a response."""
    return exchange.response.status_code if exchange.response is not None else None


def describe(exchange: Exchange, norm: NormalizedResponse | None) -> str:
    """Short description of a response: ``HTTP 400 kling-error (code 1201: bad value)``."""
    status = status_of(exchange)
    text = f"HTTP {status}" if status is not None else "no response"
    if norm is None:
        return text
    text = f"{text} {norm.shape.value}"
    bits = []
    if norm.error_code is not None:
        bits.append(f"code {norm.error_code}")
    if norm.error_message:
        bits.append(norm.error_message[:80])
    if norm.raw_status:
        bits.append(f"status {norm.raw_status!r}")
    if norm.task_id:
        bits.append(f"task_id {norm.task_id!r}")
    return f"{text} ({': '.join(bits)})" if bits else text


def acceptance_problem(exchange: Exchange, norm: NormalizedResponse) -> str | None:
    """Why a create response does not show an accepted task (2xx, non-error body, task id), or ``None``."""
    if not is_2xx(exchange):
        return f"the request was not accepted: {describe(exchange, norm)}"
    if norm.is_error or norm.shape in ERROR_SHAPES:
        return f"HTTP {status_of(exchange)} but the body is an error: {describe(exchange, norm)}"
    if not norm.task_id:
        return f"HTTP {status_of(exchange)} but no task id could be found in the {norm.shape.value} body"
    return None


def rejection_problem(exchange: Exchange, norm: NormalizedResponse) -> str | None:
    """Why a response is not a proper rejection (4xx with an error body), or ``None``."""
    status = status_of(exchange)
    if status is None:
        return "no response"
    if 200 <= status < 300:
        return f"the invalid request was accepted: {describe(exchange, norm)}"
    if status >= 500:
        return f"a server error answered a client mistake: {describe(exchange, norm)}"
    if not 400 <= status < 500:
        return f"expected a 4xx, got {describe(exchange, norm)}"
    if norm.shape not in ERROR_SHAPES:
        return f"HTTP {status} but the body is not an error body (shape {norm.shape.value})"
    return None


# --------------------------------------------------------------------------- JSON paths


def iter_paths(value: Any, path: str = "$", *, max_depth: int = 12) -> Iterator[tuple[str, Any]]:
    """Every (JSON path, value) pair below ``value``, depth-first, containers included."""
    yield path, value
    if max_depth <= 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_paths(child, f"{path}.{key}", max_depth=max_depth - 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_paths(child, f"{path}[{index}]", max_depth=max_depth - 1)


def find_keys(value: Any, *keys: str, max_depth: int = 12) -> list[tuple[str, Any]]:
    """(path, value) of every object member named one of ``keys``, depth-first (paths built only on a match)."""
    wanted = frozenset(keys)
    found: list[tuple[str, Any]] = []
    _walk_keys(value, wanted, [], found, max_depth)
    return found


def _walk_keys(
    value: Any, wanted: frozenset[str], trail: list[str | int], found: list[tuple[str, Any]], depth: int
) -> None:
    if depth <= 0:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            trail.append(str(key))
            if key in wanted:
                found.append((_render(trail), child))
            if isinstance(child, dict | list):
                _walk_keys(child, wanted, trail, found, depth - 1)
            trail.pop()
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, dict | list):
                trail.append(index)
                _walk_keys(child, wanted, trail, found, depth - 1)
                trail.pop()


def _render(trail: list[str | int]) -> str:
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in trail)


def first_key_path(value: Any, *keys: str, default: str = "$") -> str:
    """Path of the first member named one of ``keys`` (shallowest first), or ``default``."""
    found = find_keys(value, *keys)
    if not found:
        return default
    return min(found, key=lambda item: item[0].count(".") + item[0].count("["))[0]


def get_path(value: Any, path: str) -> Any:
    """Resolve a ``$.a.b[0]`` path (as produced here and by the spec validators); ``None`` when absent."""
    current = value
    for token in _tokens(path):
        if isinstance(token, int):
            if isinstance(current, list) and -len(current) <= token < len(current):
                current = current[token]
                continue
            return None
        if isinstance(current, dict) and token in current:
            current = current[token]
            continue
        return None
    return current


def _tokens(path: str) -> list[str | int]:
    text = path[1:] if path.startswith("$") else path
    tokens: list[str | int] = []
    for part in text.split("."):
        if not part:
            continue
        name, *indexes = part.split("[")
        if name:
            tokens.append(name)
        for index in indexes:
            digits = index.rstrip("]")
            tokens.append(int(digits) if digits.lstrip("-").isdigit() else digits.strip("'\""))
    return tokens


def json_type(value: Any) -> str:
    """JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


# --------------------------------------------------------------------------- families and tasks


def family_of(operation_id: str) -> str:
    """``image2video.create`` → ``image2video``."""
    return operation_id.rsplit(".", 1)[0]


def is_video_family(family: str) -> bool:
    """Whether tasks of ``family`` produce videos (else images)."""
    return "/videos/" in FAMILIES.get(family, "/videos/")


def created_task_id(ctx: CheckContext, family: str) -> str | None:
    """The task id the ``<family>.create.minimal`` scenario got back, when it got one."""
    trace = ctx.trace(f"{family}.create.minimal")
    if trace is None:
        return None
    if trace.main is not None and trace.main.response is not None:
        task_id = ctx.normalized(trace.main).task_id
        if task_id:
            return task_id
    meta_id = trace.meta.get("task_id")
    return str(meta_id) if meta_id else None


def operation_order(operation_id: str) -> tuple[int, str]:
    """Sort key: canonical family order, then the operation id."""
    families = list(FAMILIES)
    family = family_of(operation_id)
    return (families.index(family) if family in families else len(families), operation_id)
