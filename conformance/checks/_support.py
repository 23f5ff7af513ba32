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

from conformance.bounds import trim_lists
from conformance.checks.base import CheckContext, ScenarioTrace, Verdict
from conformance.jsonpath import find_keys as find_keys
from conformance.jsonpath import first_key_path as first_key_path
from conformance.jsonpath import get_path as get_path
from conformance.jsonpath import iter_paths as iter_paths
from conformance.jsonpath import json_type as json_type
from conformance.models import Exchange, Outcome, TaskStatus
from conformance.normalize.parse import parse_body
from conformance.normalize.result import NormalizedResponse, Shape, is_error_shape
from conformance.normalize.vocab import KLING_WORDS
from conformance.profiles.model import FAMILIES

#: Skip reasons a verdict may carry (the vocabulary of ``ScenarioTrace.skipped_reason``).
NOT_DOCUMENTED = "not documented"
NOT_SUPPORTED = "not supported"
BUDGET = "budget"
NO_EVIDENCE = "no evidence"

#: The official status words in lifecycle order (the normalizer's ``KLING_WORDS``, ordered).
KLING_STATUS_WORDS = tuple(status.value for status in TaskStatus if status.value in KLING_WORDS)


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


def _verdict(
    outcome: Outcome,
    message: str,
    trace: ScenarioTrace | None,
    exchange: Exchange | None,
    operation: str | None,
    **fields: Any,
) -> Verdict:
    """A verdict whose operation, exchange reference, evidence and subject come from ``trace``/``exchange``."""
    return Verdict(
        outcome=outcome,
        operation=_operation_of(trace, exchange, operation),
        message=message,
        exchange_ref=exchange.ref if exchange is not None else "",
        evidence=_evidence_of(trace, exchange),
        subject=trace.scenario if trace is not None else "",
        **fields,
    )


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
    return _verdict(Outcome.PASS, message, trace, exchange, operation, actual=actual, json_path=json_path)


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
    return _verdict(
        Outcome.FAIL, message, trace, exchange, operation, expected=expected, actual=actual, json_path=json_path
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
    text = f"skipped ({reason}): {message}" if message else f"skipped ({reason})"
    return _verdict(Outcome.SKIPPED, text, trace, exchange, operation, reason=reason, json_path=json_path)


def errored(
    message: str,
    *,
    trace: ScenarioTrace | None = None,
    exchange: Exchange | None = None,
    operation: str | None = None,
) -> Verdict:
    """An ``error`` verdict: the check could not judge (transport failure, missing contract data)."""
    return _verdict(Outcome.ERROR, message, trace, exchange, operation)


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


def runnable_traces(ctx: CheckContext, *patterns: str) -> Iterator[ScenarioTrace | Verdict]:
    """The traces :func:`traces_for` finds, each replaced by its :func:`gate` verdict when it cannot be judged.

    When no scenario matched at all, the one verdict is :func:`nothing_ran`.
    """
    traces = traces_for(ctx, *patterns)
    if not traces:
        yield nothing_ran(patterns)
        return
    for trace in traces:
        blocked = gate(trace)
        yield trace if blocked is None else blocked


#: Judges one runnable trace by its main exchange (which :func:`gate` guarantees is there).
TraceJudge = Callable[[ScenarioTrace, Exchange], Verdict]


def judge_gated(trace: ScenarioTrace, judge: TraceJudge) -> Verdict:
    """The :func:`gate` verdict of ``trace`` when it cannot be judged, else ``judge(trace, trace.main)``."""
    blocked = gate(trace)
    if blocked is not None:
        return blocked
    assert trace.main is not None  # gate() guarantees it
    return judge(trace, trace.main)


def judge_runnable(ctx: CheckContext, patterns: Iterable[str], judge: TraceJudge) -> Iterator[Verdict]:
    """One verdict per trace :func:`runnable_traces` finds: its own verdict, else ``judge(trace, trace.main)``."""
    for trace in runnable_traces(ctx, *patterns):
        if isinstance(trace, Verdict):
            yield trace
        else:
            assert trace.main is not None  # gate() guarantees it
            yield judge(trace, trace.main)


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
    """Parse the response body; never raises. A cut body's problem says how it was cut (``body_note``)."""
    response = exchange.response
    if response is None:
        return JsonBody(False, problem="missing (no response)")
    note = str(exchange.meta.get("body_note") or "") if response.truncated else ""
    return parse_json_bytes(response.body, truncated=response.truncated, note=note)


def parse_json_bytes(body: bytes | str, *, truncated: bool = False, note: str = "") -> JsonBody:
    """Parse ``body`` as strict JSON; never raises. Empty, HTML, text and cut bodies become problems.

    The problem names why the body is not JSON where the defensive parser can tell (invalid UTF-8, a
    byte order mark, NaN, nesting too deep, ...); ``note`` is how a ``truncated`` body was cut (the
    live client's body note). Results are cached per body; callers must not mutate the returned value.
    """
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    return _parse_cached(raw, truncated, note)


@functools.lru_cache(maxsize=8192)
def _parse_cached(raw: bytes, truncated: bool, note: str) -> JsonBody:
    if not raw.strip():
        return JsonBody(False, problem=f"empty ({note})" if truncated and note else "empty")
    try:
        return JsonBody(True, value=trim_lists(orjson.loads(raw))[0])  # long lists: the first items judged
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        snippet = raw[:60].decode("utf-8", "replace").replace("\n", " ")
        kind = "not JSON"
        if truncated:
            kind = f"truncated JSON ({note})" if note else "truncated JSON (cut short when received)"
        elif raw.lstrip()[:1] == b"<":
            kind = "an HTML/XML page, not JSON"
        why = "" if truncated else _why_not_json(raw)
        return JsonBody(False, problem=f"{kind} ({why}{exc.__class__.__name__}; starts {snippet!r})")


#: Parser notes (by prefix) that say the bytes are not one clean JSON document, and why that matters.
SYNTAX_NOTES: tuple[tuple[str, str], ...] = (
    ("duplicate keys", "parsers disagree on which value wins"),
    ("invalid UTF-8", "JSON must be UTF-8"),
    ("body is UTF-16", "JSON must be UTF-8"),
    ("body starts with a byte order mark", "RFC 8259 forbids a BOM in JSON texts"),
    ("number out of range", "no double or 64-bit integer holds it"),
    ("non-standard number", "NaN and Infinity are not JSON"),
    ("lone surrogate escape", "not a Unicode character"),
    ("JSON nested too deeply", "strict parsers refuse it"),
    ("truncated JSON", "the document ends before it closes"),
    ("extra data after the JSON value", "a JSON text is one value"),
    ("invalid JSON", "not JSON syntax"),
)
_WHY_PREFIXES = tuple(prefix for prefix, _ in SYNTAX_NOTES if prefix != "duplicate keys")


def _why_not_json(raw: bytes) -> str:
    """``"invalid UTF-8 (bytes replaced); "`` and the like, from the defensive parser, or ``""``."""
    notes = [n for n in parse_body(raw).notes if n.startswith(_WHY_PREFIXES)]
    return f"{'; '.join(notes[:2])}; " if notes else ""


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
    if not bits and (why := shape_note(norm)):
        bits.append(why)
    text = f"{text} ({': '.join(bits)})" if bits else text
    return text + _retry_story(exchange)


_RETRY_STATUSES = (429, 503)


def _retry_story(exchange: Exchange) -> str:
    """``, Retry-After '99999', after 2 retries`` for a 429/503 (what the client saw and did), else ``""``."""
    if exchange.response is None or exchange.response.status_code not in _RETRY_STATUSES:
        return ""
    after = exchange.response.header("retry-after")
    story = f", Retry-After {after.strip()[:40]!r}" if after is not None else ", no Retry-After"
    retries = exchange.meta.get("retries")
    if isinstance(retries, int) and retries > 0:
        story += f", after {retries} retr{'y' if retries == 1 else 'ies'}"
    return story


#: Normalizer notes that explain a body without a task id (``code 0 without data``, ``data is null``, ...).
_TASKLESS_HINT = re.compile(r"\bdata\b|task.?id", re.IGNORECASE)
_UNREADABLE_SHAPES = frozenset({Shape.EMPTY, Shape.NOT_JSON, Shape.UNKNOWN})
_SAYS_ONLY_EMPTY = frozenset({"empty body", "no body"})  # the shape id ``empty`` already says it


def shape_note(norm: NormalizedResponse) -> str:
    """For an empty, non-JSON or unknown body: the normalizer's first note saying what it is, else ``""``."""
    if norm.shape not in _UNREADABLE_SHAPES:
        return ""
    note = next((n for n in norm.notes if n not in _SAYS_ONLY_EMPTY), "")
    return note if len(note) <= 100 else note[:99] + "…"


#: How :func:`acceptance_problem` starts when the answer was not a 2xx (callers that already say it strip it).
NOT_ACCEPTED = "the request was not accepted: "


def acceptance_problem(exchange: Exchange, norm: NormalizedResponse) -> str | None:
    """Why a create response does not show an accepted task (2xx, non-error body, task id), or ``None``."""
    if not is_2xx(exchange):
        return f"{NOT_ACCEPTED}{describe(exchange, norm)}"
    if norm.is_error or is_error_shape(norm):
        return f"HTTP {status_of(exchange)} but the body is an error: {describe(exchange, norm)}"
    if not norm.task_id:
        why = shape_note(norm) or next((n for n in norm.notes if _TASKLESS_HINT.search(n)), "")
        return f"HTTP {status_of(exchange)} but no task id could be found in the {norm.shape.value} body" + (
            f" ({why})" if why else ""
        )
    return None


def rejection_problem(
    exchange: Exchange, norm: NormalizedResponse, *, accepted: str = "the invalid request was accepted"
) -> str | None:
    """Why a response is not a proper rejection (4xx with an error body), or ``None``.

    ``accepted`` words the 2xx case for the caller (a query of an unknown id is not an invalid request).
    """
    status = status_of(exchange)
    if status is None:
        return "no response"
    if 200 <= status < 300:
        return f"{accepted}: {describe(exchange, norm)}"
    if status >= 500:
        return f"a server error answered a client mistake: {describe(exchange, norm)}"
    if not 400 <= status < 500:
        return f"expected a 4xx, got {describe(exchange, norm)}"
    if not is_error_shape(norm):
        why = shape_note(norm)
        return f"HTTP {status} but the body is not an error body (shape {norm.shape.value}{': ' + why if why else ''})"
    return None


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
