"""``normalize()``: parse defensively, ask each family in order, read the fields, never raise."""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.normalize import families as _families  # noqa: F401  (registers the families)
from conformance.normalize.codes import read_code
from conformance.normalize.departures import find_departures
from conformance.normalize.families.kling import read_kling_task
from conformance.normalize.fields import (
    REASON_MESSAGE,
    Draft,
    as_dict,
    first_present,
    first_timestamp,
    json_type,
    read_common_urls,
    read_id,
    read_status,
    read_timestamps,
)
from conformance.normalize.parse import parse_body, parse_wrapped_json
from conformance.normalize.recognizer import recognizers_in_order
from conformance.normalize.result import ERROR_SHAPES, NormalizedResponse, Shape

_SUCCESS_SHAPES = frozenset({Shape.KLING, Shape.NEWAPI_TASK, Shape.OPENAI_VIDEO, Shape.FLAT_TASK})
_STRING_FIELDS = (
    "raw_status",
    "task_id",
    "upstream_task_id",
    "external_task_id",
    "failure_reason",
    "error_code",
    "error_message",
)


def normalize(
    body: Any,
    status_code: int | None = None,
    profile: Any = None,
    *,
    operation: str | None = None,
) -> NormalizedResponse:
    """Classify one gateway response body and read what it means. Never raises.

    ``body`` is the raw bytes (preferred: exactly as the gateway sent them), the decoded text, or an
    already-parsed JSON value. ``status_code`` is the HTTP status, when known. ``profile`` is a
    :class:`~conformance.profiles.model.GatewayProfile` or a profile id/path; with it the result's
    ``departures`` say where the body departs from what that gateway's profile expects, narrowed to
    one operation id (``image2video.get``) when ``operation`` is given.
    """
    code, code_note = _read_status_code(status_code)
    try:
        result = _normalize(body, code)
    except Exception as exc:  # a family bug must never escape: report it as a note instead
        result = NormalizedResponse(
            shape=Shape.UNKNOWN,
            is_error=code is not None and code >= 400,
            status_code=code,
            notes=(f"normalizer failed on this body ({type(exc).__name__}); nothing was read",),
        )
    if code_note:
        result = dataclasses.replace(result, notes=(code_note, *result.notes))
    if profile is not None:
        departures, notes = find_departures(result, profile, operation)
        if departures or notes:
            result = dataclasses.replace(result, departures=tuple(departures), notes=(*result.notes, *notes))
    return result


def _read_status_code(status_code: Any) -> tuple[int | None, str]:
    if status_code is None:
        return None, ""
    if isinstance(status_code, int) and not isinstance(status_code, bool):
        return status_code, ""
    try:
        return int(str(status_code).strip()), ""
    except ValueError:
        return None, f"HTTP status {str(status_code)[:20]!r} is not a number; ignored"


def _normalize(body: Any, status_code: int | None) -> NormalizedResponse:
    parsed = parse_body(body)
    draft = Draft(shape=Shape.UNKNOWN, status_code=status_code, notes=parsed.notes)
    if parsed.shape is not None:
        draft.shape = parsed.shape
    else:
        _classify_value(draft, parsed.value)
    if status_code is not None:
        if status_code >= 400 and draft.shape in _SUCCESS_SHAPES:
            draft.note(f"HTTP {status_code} with a success-shaped body")
        elif status_code < 400 and draft.shape in ERROR_SHAPES:
            draft.note(f"error body with HTTP {status_code}")
    result = draft.finish()
    return _clean_strings(result) if parsed.dirty_strings else result


def _classify_value(draft: Draft, value: Any) -> None:
    if isinstance(value, str):
        inner = parse_wrapped_json(value)
        if inner is None or isinstance(inner, str):
            draft.note("body is a JSON string, not an object")
            return
        draft.note("body is a JSON string holding JSON (double-encoded)")
        value = inner
    if isinstance(value, dict):
        if not value:
            draft.shape = Shape.EMPTY
            return
        _dispatch(draft, value)
    elif value is None:
        draft.shape = Shape.EMPTY
        draft.note("body is JSON null")
    elif isinstance(value, list):
        draft.note(f"top-level JSON array ({len(value)} items), not an object")
    elif isinstance(value, bool | int | float):
        draft.note(f"top-level JSON value is {json_type(value)}, not an object")
    else:
        draft.note(f"not a JSON value: {type(value).__name__}")


def _dispatch(draft: Draft, body: dict[str, Any]) -> None:
    for recognizer in recognizers_in_order():
        try:
            shape = recognizer.classify(body)
        except Exception as exc:
            draft.note(f"normalizer {recognizer.family!r} failed to classify ({type(exc).__name__})")
            continue
        if shape is None:
            continue
        draft.shape = shape
        try:
            recognizer.extract(body, draft)
        except Exception as exc:
            draft.note(f"normalizer {recognizer.family!r} failed to read the body ({type(exc).__name__})")
        return
    _read_unknown(draft, body)


def _read_unknown(draft: Draft, body: dict[str, Any]) -> None:
    """No family matched: say which keys were there, and read what is unambiguous anyway."""
    keys = ", ".join(str(key) for key in list(body)[:8])
    draft.note(f"no known shape (keys: {keys})")
    code = read_code(body)
    if code.note:
        draft.note(code.note)
    if isinstance(body.get("error"), str):
        draft.note("error is a string, not an object")
        draft.offer_reason(REASON_MESSAGE, body["error"])
    draft.offer_reason(REASON_MESSAGE, body.get("message"))
    draft.offer_reason(REASON_MESSAGE, body.get("detail"))
    if draft.is_error:  # e.g. CometAPI {code: null, message: "404"}: the text is all the error there is
        draft.error_message = _unknown_error_text(body)
    id_key, id_value = first_present(body, "task_id", "id")
    draft.task_id = read_id(draft, id_value, id_key)
    status_key, status = first_present(body, "task_status", "status")
    if isinstance(status, str):  # a number here is usually an echo of the HTTP status
        read_status(draft, status, status_key)
    created_key, created = first_timestamp(body, "created_at")
    updated_key, updated = first_timestamp(body, "updated_at", "finished_at", "completed_at")
    read_timestamps(draft, created, updated, created_name=created_key, updated_name=updated_key)
    read_common_urls(draft, body)
    data = as_dict(body.get("data"))
    if (
        data is not None
        and draft.task_id is None
        and draft.status is None
        and ("task_id" in data or "task_status" in data)
    ):
        draft.note("Kling task object in data, but the envelope has no code")
        read_kling_task(draft, data)
    elif data is not None:
        read_common_urls(draft, data)


def _unknown_error_text(body: dict[str, Any]) -> str | None:
    for key in ("message", "error", "detail", "msg"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _clean(value: str | None) -> str | None:
    return value.encode("utf-8", "replace").decode("utf-8") if value is not None else None


def _clean_strings(result: NormalizedResponse) -> NormalizedResponse:
    """Replace lone surrogates (from ``\\ud800`` escapes) so every string can be printed and encoded."""
    changes: dict[str, Any] = {name: _clean(getattr(result, name)) for name in _STRING_FIELDS}
    for name in ("video_urls", "image_urls", "video_durations", "notes"):
        changes[name] = tuple(_clean(item) or "" for item in getattr(result, name))
    return dataclasses.replace(result, **changes)
