"""``READ_TRANSFORMS``: the one registry of named reading steps that data cannot say.

A description names a transform in ``transforms = [...]`` or as a step (``"transform:task-list"``). Each
is a small function ``(node, body, draft)``: ``node`` is the value the shape (or step) reads, ``body`` the
whole body. Everything else about a gateway's bodies is data (``conformance/normalize/descriptions/``
and a profile's ``[reading]``). A transform must never raise; the engine turns a crash into a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.normalize.codes import CodeKind, read_code
from conformance.normalize.fields import (
    REASON_MESSAGE,
    Draft,
    read_id,
    read_legacy_fail_reason,
    read_outputs,
    read_task_result,
    text,
)
from conformance.normalize.parse import parse_wrapped_json
from conformance.registry import Registry


@dataclass(frozen=True, slots=True)
class Transform:
    """One named step: what it does (for ``docs/profiles.md``) and the function."""

    name: str
    summary: str
    run: Callable[[Any, Any, Draft], None]


READ_TRANSFORMS: Registry[Transform] = Registry("reading transform")
_INT64 = 2**63


TransformFunction = Callable[[Any, Any, Draft], None]


def transform(name: str, summary: str) -> Callable[[TransformFunction], TransformFunction]:
    """Register a function as the transform ``name``."""

    def decorator(function: TransformFunction) -> TransformFunction:
        READ_TRANSFORMS.add(name, Transform(name=name, summary=summary, run=function))
        return function

    return decorator


def _dict(node: Any) -> dict[str, Any] | None:
    return node if isinstance(node, dict) else None


def _plain_int(value: Any) -> bool:
    """An integer ``read_code`` reads without a note (in 64-bit range)."""
    return type(value) is int and -_INT64 < value < _INT64


@transform("code-notes", "note how an envelope's `code` was sent when odd (a string, a float, null, out of range)")
def code_notes(node: Any, body: Any, draft: Draft) -> None:
    """``code is a string`` and friends."""
    if type(node) is dict and ("code" not in node or _plain_int(node["code"])):
        return  # the everyday cases (no code, an integer code) have nothing to note
    obj = _dict(node)
    if obj is not None:
        code = read_code(obj)
        if code.note:
            draft.note(code.note)


@transform("task-list", "a list query: collect every task's result URLs and count the raw statuses")
def task_list(node: Any, body: Any, draft: Draft) -> None:
    """A list has no single task: ``task_id``/``status`` stay null, the notes count the statuses."""
    if not isinstance(node, list):
        return
    from conformance.normalize.reading.engine import bundled_reader

    urls = bundled_reader("common-urls")
    draft.note(f"data is a list of {len(node)} tasks")
    words: dict[str, int] = {}
    for task in node:
        if isinstance(task, dict):
            urls.read(task, draft)
            word = task.get("task_status", task.get("status"))
            if isinstance(word, str):
                words[word] = words.get(word, 0) + 1
    if words:
        counts = ", ".join(f"{count} {word}" for word, count in sorted(words.items()))
        draft.note(f"list statuses: {counts}")


@transform("kling-top-level-id", "an extra top-level `task_id` next to `data` wins over data.task_id (noted)")
def kling_top_level_id(node: Any, body: Any, draft: Draft) -> None:
    """new-api 2025 and xmsmartlink put the gateway's id at the top level, next to Kling's in ``data``."""
    obj = _dict(node)
    if obj is None or "task_id" not in obj:
        return
    top = read_id(draft, obj.get("task_id"), "task_id")
    if top is None:
        return
    draft.note("extra top-level task_id next to data")
    if draft.task_id is None:
        draft.task_id = top
    elif top != draft.task_id:
        draft.note("top-level task_id differs from data.task_id")
        draft.upstream_task_id = draft.task_id
        draft.task_id = top


@transform("id-and-task-id", "an object with both `id` and `task_id`: when they differ, task_id is the upstream id")
def id_and_task_id(node: Any, body: Any, draft: Draft) -> None:
    """The OpenAI video object's ``id`` is the task id; a different ``task_id`` is noted as upstream."""
    obj = _dict(node)
    if obj is None:
        return
    video_id = read_id(draft, obj.get("id"), "id")
    task_id = read_id(draft, obj.get("task_id"), "task_id")
    if video_id and task_id and video_id != task_id:
        draft.note("id and task_id differ")
        draft.upstream_task_id = task_id


@transform("legacy-fail-reason", "`fail_reason`: a failure reason, or (legacy new-api) the URL of a succeeded task")
def legacy_fail_reason(node: Any, body: Any, draft: Draft) -> None:
    """Before 2026-02 new-api put the video URL of a finished task in ``fail_reason``."""
    obj = _dict(node)
    if obj is not None:
        read_legacy_fail_reason(draft, obj.get("fail_reason"))


@transform("kling-task-result", "Kling `task_result`: videos[].url/duration, images[].url, watermark copies, audios")
def kling_task_result(node: Any, body: Any, draft: Draft) -> None:
    """Watermarked copies are listed only when they are the only result; audios are noted."""
    obj = _dict(node)
    if obj is not None and "task_result" in obj:
        read_task_result(draft, obj.get("task_result"))


@transform("outputs", "3.x-style `outputs[{type, url, duration}]`: image items to image_urls, the rest to videos")
def outputs(node: Any, body: Any, draft: Draft) -> None:
    """The item's ``type`` decides the list its URL goes to."""
    obj = _dict(node)
    if obj is not None and "outputs" in obj:
        read_outputs(draft, obj.get("outputs"))


@transform("newapi-nested-upstream", "new-api's raw upstream body at data.data: upstream id, reason and URLs")
def newapi_nested_upstream(node: Any, body: Any, draft: Draft) -> None:
    """A Kling envelope, a bare Kling task, or a Kling error, stored by new-api next to its own task."""
    obj = _dict(node)
    nested = _dict(obj.get("data")) if obj is not None else None
    if nested is None:
        return
    from conformance.normalize.reading.engine import bundled_reader

    code = read_code(nested)
    inner = _dict(nested.get("data"))
    if code.kind is CodeKind.INT and code.number != 0:
        draft.note(f"nested upstream body is a Kling error (code {code.number})")
        draft.offer_reason(REASON_MESSAGE, nested.get("message"))
        return
    upstream = bundled_reader("kling-upstream")
    if inner is not None and ("code" in nested or "task_id" not in nested):
        upstream.read(inner, draft)
    elif "task_id" in nested or "task_status" in nested:
        upstream.read(nested, draft)


#: new-api rewrites every upstream 429 message to this text (the upstream code and message are lost).
SATURATED_MESSAGE = "当前分组上游负载已饱和"


@transform("unwrap-json-message", "an upstream error body passed on as a JSON string in `message`")
def unwrap_json_message(node: Any, body: Any, draft: Draft) -> None:
    """new-api's ``fail_to_fetch_task`` keeps the upstream Kling error as a string; read its code and text."""
    obj = _dict(node)
    message = obj.get("message") if obj is not None else None
    if obj is None or not isinstance(message, str) or not message:
        return
    outer = obj.get("code")
    outer_text = outer if isinstance(outer, str) else ""
    wrapped = parse_wrapped_json(message)
    if isinstance(wrapped, dict):
        inner_code = read_code(wrapped)
        inner_error = _dict(wrapped.get("error"))
        if inner_code.kind is CodeKind.INT:
            draft.note(f"Kling error wrapped as a JSON string in message (gateway code {outer_text!r})")
            draft.error_code = str(inner_code.number)
            draft.error_message = text(wrapped.get("message")) or draft.error_message
        elif inner_error is not None:
            draft.note(f"upstream error object wrapped as a JSON string in message (gateway code {outer_text!r})")
            draft.error_message = text(inner_error.get("message")) or draft.error_message
        else:
            draft.note(f"upstream body wrapped as a JSON string in message (gateway code {outer_text!r})")
            detail = text(wrapped.get("detail")) or text(wrapped.get("message"))
            if detail is not None:
                draft.error_message = detail
    if draft.status_code == 429 and SATURATED_MESSAGE in message:
        draft.note("rate-limit message rewritten by the gateway (upstream code and message lost)")


@transform("no-known-shape", "say which keys a body of no known shape has (the first 8)")
def no_known_shape(node: Any, body: Any, draft: Draft) -> None:
    """``no known shape (keys: a, b, c)``."""
    obj = _dict(node)
    if obj is not None:
        keys = ", ".join(str(key) for key in list(obj)[:8])
        draft.note(f"no known shape (keys: {keys})")


@transform("unknown-data", "a body of no known shape: a Kling task in `data` without the envelope, or its URLs")
def unknown_data(node: Any, body: Any, draft: Draft) -> None:
    """Read ``data`` as a Kling task when nothing else was found and it looks like one; else only its URLs."""
    obj = _dict(node)
    data = _dict(obj.get("data")) if obj is not None else None
    if data is None:
        return
    from conformance.normalize.reading.engine import bundled_reader

    if draft.task_id is None and draft.status is None and ("task_id" in data or "task_status" in data):
        draft.note("Kling task object in data, but the envelope has no code")
        bundled_reader("kling-task").read(data, draft)
    else:
        bundled_reader("common-urls").read(data, draft)
