"""``normalize()``: parse defensively, ask each family in order, read the fields, never raise."""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.normalize.departures import find_departures, resolve_profile
from conformance.normalize.fields import Draft, json_type
from conformance.normalize.parse import parse_body, parse_wrapped_json
from conformance.normalize.reading.engine import ReadingModel, auto_model, dispatch, model_for
from conformance.normalize.result import NormalizedResponse, Shape, result_from_fields

#: Shapes that say nothing about success or failure (a body read by conventions, or no shape at all).
_NEUTRAL_SHAPES = frozenset({Shape.EMPTY, Shape.NOT_JSON, Shape.UNKNOWN, "task"})
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
    if status_code is None or type(status_code) is int:
        code, code_note = status_code, ""
    else:
        code, code_note = _read_status_code(status_code)
    if profile is None:
        resolved = None
        model = auto_model()
    else:
        resolved, _ = resolve_profile(profile)
        model = model_for(getattr(resolved, "reading", None)) if resolved is not None else auto_model()
    try:
        result = _normalize(body, code, model, operation)
    except Exception as exc:  # a family bug must never escape: report it as a note instead
        result = NormalizedResponse(
            shape=Shape.UNKNOWN,
            is_error=code is not None and code >= 400,
            status_code=code,
            notes=(f"normalizer failed on this body ({type(exc).__name__}); nothing was read",),
        )
    if code_note:
        result = result_from_fields({**vars(result), "notes": (code_note, *result.notes)})
    if profile is not None:
        departures, notes = find_departures(result, resolved if resolved is not None else profile, operation)
        if departures or notes:
            changed = {"notes": (*result.notes, *notes), "departures": tuple(departures)}
            result = result_from_fields({**vars(result), **changed})
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


def _normalize(body: Any, status_code: int | None, model: ReadingModel, operation: str | None) -> NormalizedResponse:
    parsed = parse_body(body)
    draft = Draft(shape=Shape.UNKNOWN, status_code=status_code, notes=parsed.notes)
    if parsed.shape is not None:
        draft.shape = parsed.shape
    else:
        _classify_value(draft, parsed.value, model, operation)
    if status_code is not None:
        if status_code >= 400 and not draft.error_shape and draft.shape not in _NEUTRAL_SHAPES:
            draft.note(f"HTTP {status_code} with a success-shaped body")
        elif status_code < 400 and draft.error_shape:
            draft.note(f"error body with HTTP {status_code}")
    result = draft.finish()
    return _clean_strings(result) if parsed.dirty_strings else result


def _classify_value(draft: Draft, value: Any, model: ReadingModel, operation: str | None) -> None:
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
        dispatch(draft, value, model, operation)
    elif value is None:
        draft.shape = Shape.EMPTY
        draft.note("body is JSON null")
    elif isinstance(value, list):
        draft.note(f"top-level JSON array ({len(value)} items), not an object")
    elif isinstance(value, bool | int | float):
        draft.note(f"top-level JSON value is {json_type(value)}, not an object")
    else:
        draft.note(f"not a JSON value: {type(value).__name__}")


def _clean(value: str | None) -> str | None:
    return value.encode("utf-8", "replace").decode("utf-8") if value is not None else None


def _clean_strings(result: NormalizedResponse) -> NormalizedResponse:
    """Replace lone surrogates (from ``\\ud800`` escapes) so every string can be printed and encoded."""
    changes: dict[str, Any] = {name: _clean(getattr(result, name)) for name in _STRING_FIELDS}
    for name in ("video_urls", "image_urls", "video_durations", "notes"):
        changes[name] = tuple(_clean(item) or "" for item in getattr(result, name))
    return dataclasses.replace(result, **changes)
