"""Family B and new-api/one-hub errors: envelopes whose ``code`` is a string.

``{code: "success", message: "", data: TaskDto}`` is ``newapi-task``: uppercase statuses (``NOT_START``,
``SUCCESS``...), seconds timestamps, the gateway's ``task_…`` id, ``result_url`` (or, before 2026-02,
the video URL in ``fail_reason``) and the last raw Kling body nested at ``data.data``, which leaks the
upstream Kling task id. Any other string code is ``newapi-error`` (``task_not_exist``,
``fail_to_fetch_task`` whose ``message`` may hold the upstream Kling error as a JSON string, one-hub's
``""`` where Kling's integer code was lost).
"""

from __future__ import annotations

from typing import Any

from conformance.normalize.codes import Code, CodeKind, read_code
from conformance.normalize.families._common import read_task_status
from conformance.normalize.families.kling import read_kling_task, read_task_list
from conformance.normalize.fields import (
    REASON_MESSAGE,
    Draft,
    as_dict,
    first_timestamp,
    json_type,
    read_common_urls,
    read_error_object,
    read_id,
    read_legacy_fail_reason,
    read_timestamps,
    text,
)
from conformance.normalize.parse import parse_wrapped_json
from conformance.normalize.recognizer import NORMALIZERS, Recognizer
from conformance.normalize.result import Shape

#: new-api rewrites every upstream 429 message to this text (the upstream code and message are lost).
SATURATED_MESSAGE = "当前分组上游负载已饱和"


def classify(body: dict[str, Any]) -> Shape | None:
    """``newapi-task`` for code ``"success"`` (any case), ``newapi-error`` for any other string code."""
    code = read_code(body)
    if code.kind is not CodeKind.STRING:
        return None
    return Shape.NEWAPI_TASK if code.text.strip().lower() == "success" else Shape.NEWAPI_ERROR


def extract(body: dict[str, Any], draft: Draft) -> None:
    """Read a new-api wrapper or a new-api/one-hub task error."""
    code = read_code(body)
    if draft.shape is Shape.NEWAPI_ERROR:
        _read_task_error(draft, body, code)
        return
    if code.text != "success":
        draft.note(f"code {code.text!r} is not exactly 'success'")
    data = body.get("data")
    if isinstance(data, dict):
        read_task_dto(draft, data)
    elif isinstance(data, list):
        read_task_list(draft, data)
    else:
        draft.note("success wrapper without a data object")
    draft.offer_reason(REASON_MESSAGE, body.get("message"))


def read_task_dto(draft: Draft, dto: dict[str, Any]) -> None:
    """Read new-api's TaskDto (or the Gemini realtime flat task it wraps)."""
    draft.task_id = read_id(draft, dto.get("task_id"), "data.task_id")
    if draft.task_id is None and isinstance(dto.get("id"), str):  # an OpenAI video object inside the wrapper
        draft.task_id = read_id(draft, dto.get("id"), "data.id")
        if draft.task_id is not None:
            draft.note("task id sent as data.id, not data.task_id")
    read_task_status(draft, dto.get("status"), "data.status")
    created_key, created = first_timestamp(dto, "created_at", "submit_time")
    updated_key, updated = first_timestamp(dto, "updated_at", "finish_time")
    read_timestamps(draft, created, updated, created_name=created_key, updated_name=updated_key)
    read_common_urls(draft, dto)
    read_error_object(draft, dto.get("error"))
    nested = dto.get("data")
    if isinstance(nested, str):
        unwrapped = parse_wrapped_json(nested)
        if unwrapped is not None:
            draft.note("raw upstream body stored as a JSON string")
            nested = unwrapped
    if isinstance(nested, dict):
        _read_nested_upstream(draft, nested)
    read_legacy_fail_reason(draft, dto.get("fail_reason"))


def _read_nested_upstream(draft: Draft, nested: dict[str, Any]) -> None:
    """The raw upstream body at ``data.data``: a Kling envelope, a bare Kling task, or another wrapper."""
    code = read_code(nested)
    inner = as_dict(nested.get("data"))
    if code.kind is CodeKind.INT and code.number != 0:
        draft.note(f"nested upstream body is a Kling error (code {code.number})")
        draft.offer_reason(REASON_MESSAGE, nested.get("message"))
        return
    if inner is not None and ("code" in nested or "task_id" not in nested):
        read_kling_task(draft, inner, nested=True)
    elif "task_id" in nested or "task_status" in nested:
        read_kling_task(draft, nested, nested=True)


def _read_task_error(draft: Draft, body: dict[str, Any], code: Code) -> None:
    if code.text.strip():
        draft.error_code = code.text
    else:
        draft.note("code is empty (the upstream error code was lost)")
    message = body.get("message")
    if isinstance(message, str) and message:
        draft.error_message = message
        wrapped = parse_wrapped_json(message)
        if isinstance(wrapped, dict):
            _unwrap(draft, wrapped, code)
        if draft.status_code == 429 and SATURATED_MESSAGE in message:
            draft.note("rate-limit message rewritten by the gateway (upstream code and message lost)")
    elif message is None or message == "":
        draft.note("error message is empty")
    else:
        draft.note(f"message is {json_type(message)}, not a string")
    if body.get("data") is not None:
        draft.note("error body carries data")
    draft.offer_reason(REASON_MESSAGE, draft.error_message)


def _unwrap(draft: Draft, wrapped: dict[str, Any], outer: Code) -> None:
    """An upstream error body that the gateway passed on as a JSON string inside ``message``."""
    inner_code = read_code(wrapped)
    inner_error = as_dict(wrapped.get("error"))
    if inner_code.kind is CodeKind.INT:
        draft.note(f"Kling error wrapped as a JSON string in message (gateway code {outer.text!r})")
        draft.error_code = str(inner_code.number)
        draft.error_message = text(wrapped.get("message")) or draft.error_message
    elif inner_error is not None:
        draft.note(f"upstream error object wrapped as a JSON string in message (gateway code {outer.text!r})")
        draft.error_message = text(inner_error.get("message")) or draft.error_message
    else:
        draft.note(f"upstream body wrapped as a JSON string in message (gateway code {outer.text!r})")
        detail = text(wrapped.get("detail")) or text(wrapped.get("message"))
        if detail is not None:
            draft.error_message = detail


NORMALIZERS.add(
    "newapi",
    Recognizer(
        family="newapi",
        order=20,
        shapes=(Shape.NEWAPI_TASK, Shape.NEWAPI_ERROR),
        classify=classify,
        extract=extract,
        description='new-api/one-hub: string code ("success" wrapper around TaskDto, or an error code)',
    ),
)
