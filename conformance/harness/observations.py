"""Facts seen about a gateway, per operation, for the shape view, ``compare`` and ``diff``.

Keys (see :class:`~conformance.runmodel.Observation`): ``response_shape``, ``status_words``,
``id_format``, ``timestamp_unit``, ``error_shape``, ``error_status:<situation>``,
``accepted_param:<name>``, ``operation_supported``, ``callback``, ``field_paths``. Derived from the
traces and the normalizer only; every observation carries the evidence it came from. In a sharded run
only the scenarios this shard owns are observed (``merge`` unions the shards' observations).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import orjson

from conformance.bounds import trim_lists
from conformance.checks.base import CheckContext, ScenarioTrace
from conformance.harness.plan import OTHER_SHARD
from conformance.models import Exchange
from conformance.profiles.model import ID_FORMATS
from conformance.runmodel import Observation

_SITUATIONS = {
    "auth": "auth.invalid-key",
    "invalid_param": "*.create.invalid.bad-enum",
    "unknown_task": "*.get.unknown",
    "type_mismatch": "*.create.invalid.wrong-type",
}
_ID_PATTERNS = [(name, re.compile(rx)) for name, rx in ID_FORMATS.items() if name != "any"]


def _ok(ex: Exchange) -> bool:
    return ex.response is not None and 200 <= ex.response.status_code < 300


def id_format_of(task_id: str) -> str:
    """The first :data:`ID_FORMATS` name ``task_id`` matches (``any`` when none does)."""
    return next((name for name, rx in _ID_PATTERNS if rx.match(task_id)), "any")


def field_paths(value: Any, prefix: str = "$", depth: int = 0) -> set[str]:
    """JSON paths present in ``value`` (arrays collapse to ``[]``)."""
    paths: set[str] = set()
    if depth > 12:
        return paths
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}"
            paths.add(path)
            paths |= field_paths(child, path, depth + 1)
    elif isinstance(value, list):
        for child in value:
            paths |= field_paths(child, f"{prefix}[]", depth + 1)
    return paths


def derive(ctx: CheckContext) -> list[Observation]:
    """Every observation for one gateway."""
    return list(_iter(ctx))


def _iter(ctx: CheckContext) -> Iterator[Observation]:
    gw = ctx.gateway
    by_op: dict[str, list[ScenarioTrace]] = {}
    for trace in ctx.traces.values():
        if trace.skipped_reason == OTHER_SHARD:
            continue  # another shard observes it (its "not supported" is the owner's to say)
        by_op.setdefault(trace.operation_id, []).append(trace)

    def obs(operation: str, key: str, value: Any, trace: ScenarioTrace) -> Observation:
        return Observation(gateway=gw, operation=operation, key=key, value=value, evidence=trace.evidence)

    for operation, traces in by_op.items():
        if "." not in operation:
            continue
        ran = [t for t in traces if not t.skipped_reason and t.exchanges]
        unsupported = [t for t in traces if t.skipped_reason == "not supported"]
        if unsupported and not ran:
            yield obs(operation, "operation_supported", False, unsupported[0])
            continue
        if not ran:
            continue
        yield obs(operation, "operation_supported", True, ran[0])
        success = [
            (t, ex)
            for t in ran
            for ex in t.exchanges
            if _ok(ex)
            and ex.meta.get("purpose") in ("create", "poll", "query", "list")
            and ".invalid." not in t.scenario
        ]
        if success:
            trace, first = success[0]
            norm = ctx.normalized(first)
            yield obs(operation, "response_shape", norm.shape.value, trace)
            if norm.timestamp_unit:
                yield obs(operation, "timestamp_unit", norm.timestamp_unit, trace)
            if norm.task_id:
                yield obs(operation, "id_format", id_format_of(norm.task_id), trace)
            words: list[str] = []
            paths: set[str] = set()
            for _, ex in success:
                n = ctx.normalized(ex)
                if n.raw_status and n.raw_status not in words:
                    words.append(n.raw_status)
                if ex.response is not None and ex.response.body[:1] == b"{":
                    with contextlib.suppress(orjson.JSONDecodeError):
                        paths |= field_paths(trim_lists(orjson.loads(ex.response.body))[0])
            if words:
                yield obs(operation, "status_words", words, trace)
            if paths:
                yield obs(operation, "field_paths", sorted(paths), trace)
        errors = [(t, ex) for t in ran for ex in t.exchanges if ex.response is not None and ctx.normalized(ex).is_error]
        if errors:
            trace, ex = errors[0]
            yield obs(operation, "error_shape", ctx.normalized(ex).shape.value, trace)
        yield from _params(ctx, operation, ran, obs)
    yield from _situations(ctx, obs)
    yield from _callback(ctx, obs)


def _params(ctx: CheckContext, operation: str, ran: list[ScenarioTrace], obs: Any) -> Iterator[Observation]:
    for trace in ran:
        name = trace.meta.get("param")
        main = trace.main
        if not name or main is None:
            continue
        norm = ctx.normalized(main)
        accepted = _ok(main) and not norm.is_error
        value = "accepted" if accepted else "rejected"
        if accepted and name == "external_task_id":
            sent = (trace.request_body or {}).get("external_task_id")
            echoed = any(ctx.normalized(ex).external_task_id == sent for ex in trace.exchanges if ex.response)
            value = "accepted" if echoed else "dropped"
        if accepted and name == "callback_url" and not trace.callbacks:
            value = "dropped"
        yield obs(operation, f"accepted_param:{name}", value, trace)


def _situations(ctx: CheckContext, obs: Any) -> Iterator[Observation]:
    import fnmatch

    for situation, pattern in _SITUATIONS.items():
        for trace in sorted(ctx.traces.values(), key=lambda t: t.scenario):
            if not fnmatch.fnmatchcase(trace.scenario, pattern) or trace.main is None or trace.main.response is None:
                continue
            yield obs(trace.operation_id, f"error_status:{situation}", trace.main.response.status_code, trace)


def _callback(ctx: CheckContext, obs: Any) -> Iterator[Observation]:
    for trace in ctx.traces.values():
        if not trace.scenario.endswith(".create.param.callback_url") or trace.skipped_reason or trace.main is None:
            continue
        if not trace.callbacks:
            yield obs(trace.operation_id, "callback", "none", trace)
            continue
        known = {trace.meta.get("task_id")}
        kind = "official"
        for delivery in trace.callbacks:
            try:
                body = orjson.loads(delivery.body)
            except orjson.JSONDecodeError:
                kind = "none"
                break
            task_id = body.get("task_id") if isinstance(body, dict) else None
            if task_id is None and isinstance(body, dict) and isinstance(body.get("data"), dict):
                task_id = body["data"].get("task_id")
            if task_id not in known:
                kind = "upstream-id"
        yield obs(trace.operation_id, "callback", kind, trace)
