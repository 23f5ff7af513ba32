"""Family C and OpenAI-style errors.

``openai-video``: ``{id, object: "video…", status, progress, created_at, completed_at?, seconds?,
metadata{url}?, error{message, code}?}`` as new-api answers submits and ``/v1/videos/{id}``; qnaigc adds
``object: "video.generation"``, the status ``initializing`` and a Kling ``task_result`` at top level.
``created_at`` is seconds on submit and milliseconds on new-api's ``GET /v1/videos/{id}``.

``openai-error``: a top-level ``error`` object (new-api/one-api middleware, ``/content`` errors,
ModelSell's doc-only ``{error: {code, message, request_id}}``). It is tried last of all families,
because task objects (families C and D) carry an ``error`` object too.
"""

from __future__ import annotations

from typing import Any

from conformance.normalize.families._common import note_code, read_task_outcome, read_task_status
from conformance.normalize.fields import (
    REASON_ERROR_MESSAGE,
    Draft,
    add_duration,
    first_timestamp,
    read_id,
    read_timestamps,
    text,
)
from conformance.normalize.recognizer import NORMALIZERS, Recognizer
from conformance.normalize.result import Shape


def classify_video(body: dict[str, Any]) -> Shape | None:
    """``openai-video`` for ``object: "video…"``, or ``id`` + ``status`` + ``progress`` without a code."""
    kind = body.get("object")
    if isinstance(kind, str) and kind.lower().startswith("video"):
        return Shape.OPENAI_VIDEO
    if "id" in body and "status" in body and "progress" in body:
        if "task_id" in body and not isinstance(body["id"], str):
            return None  # a bare new-api TaskDto: its integer id is a database row, task_id is the task
        return Shape.OPENAI_VIDEO
    return None


def extract_video(body: dict[str, Any], draft: Draft) -> None:
    """Read an OpenAI-style video object."""
    note_code(draft, body)
    video_id = read_id(draft, body.get("id"), "id")
    task_id = read_id(draft, body.get("task_id"), "task_id")
    draft.task_id = video_id or task_id
    if video_id and task_id and video_id != task_id:
        draft.note("id and task_id differ")
        draft.upstream_task_id = task_id
    read_task_status(draft, body.get("status"))
    updated_key, updated = first_timestamp(body, "updated_at", "completed_at", "finished_at")
    read_timestamps(draft, body.get("created_at"), updated, created_name="created_at", updated_name=updated_key)
    add_duration(draft, body.get("seconds"))
    if isinstance(body.get("progress"), str):
        draft.note("progress is a string, not a number")
    if "task_result" in body:
        draft.note("Kling task_result at top level")
    read_task_outcome(draft, body)


def classify_error(body: dict[str, Any]) -> Shape | None:
    """``openai-error`` for a top-level ``error`` object."""
    return Shape.OPENAI_ERROR if isinstance(body.get("error"), dict) else None


def extract_error(body: dict[str, Any], draft: Draft) -> None:
    """Read ``{error: {message, type, code}}``."""
    error = body["error"]
    code = error.get("code")
    draft.error_code = text(code)
    if code == "":
        draft.note("error.code is empty")
    elif isinstance(code, int | float) and not isinstance(code, bool):
        draft.note("error.code is a number")
    message = error.get("message")
    draft.error_message = message if isinstance(message, str) and message else None
    if draft.error_message is None:
        draft.note("error.message is empty")
    draft.offer_reason(REASON_ERROR_MESSAGE, message)


NORMALIZERS.add(
    "openai-video",
    Recognizer(
        family="openai-video",
        order=30,
        shapes=(Shape.OPENAI_VIDEO,),
        classify=classify_video,
        extract=extract_video,
        description='OpenAI video object: object "video…", or id + status + progress without a code',
    ),
)
NORMALIZERS.add(
    "openai-error",
    Recognizer(
        family="openai-error",
        order=90,
        shapes=(Shape.OPENAI_ERROR,),
        classify=classify_error,
        extract=extract_error,
        description="OpenAI-style error: a top-level error object",
    ),
)
