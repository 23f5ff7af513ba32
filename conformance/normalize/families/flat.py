"""Family D: the flat task ``{task_id, status, url?, format?, metadata{duration,…}?, error{code,message}?}``.

Documented by new-api's OpenAPI file (``VideoTaskResponse``) and the resellers that republish it; at
runtime new-api produces it only for Gemini/Vertex (inside a ``success`` wrapper). new-api#7194's newer
``{task_id, status: "SUCCESS", fail_reason, progress, created_at, finished_at}`` reads here too, and so
does the bare Kling task object (``task_id`` + ``task_status``, no envelope) that Kling POSTs to callbacks,
and new-api's first submit answer (2025-06, commit aaf7c88e0): ``{"task_id": "<upstream id>"}`` alone, a
flat task without a status (noted).
"""

from __future__ import annotations

from typing import Any

from conformance.normalize.families._common import note_code, read_task_outcome, read_task_status
from conformance.normalize.families.kling import read_kling_task
from conformance.normalize.families.newapi import read_task_dto
from conformance.normalize.fields import (
    Draft,
    first_timestamp,
    read_id,
    read_timestamps,
)
from conformance.normalize.recognizer import NORMALIZERS, Recognizer
from conformance.normalize.result import Shape


def classify(body: dict[str, Any]) -> Shape | None:
    """``flat-task`` for ``task_id`` + ``status`` (or Kling's ``task_status``) without a code, or a
    body that is nothing but a ``task_id`` (new-api's 2025-06 submit answer)."""
    if "task_id" in body and ("status" in body or "task_status" in body):
        return Shape.FLAT_TASK
    if (
        len(body) == 1
        and "task_id" in body
        and isinstance(body["task_id"], str | int)
        and not isinstance(body["task_id"], bool)
    ):
        return Shape.FLAT_TASK
    return None


def extract(body: dict[str, Any], draft: Draft) -> None:
    """Read a flat task object (or a bare Kling task object, the shape of Kling's callback body)."""
    note_code(draft, body)
    if len(body) == 1:
        draft.task_id = read_id(draft, body.get("task_id"), "task_id")
        draft.note("body is only a task_id, with no status (new-api 2025-06 submit answer)")
        return
    if "status" not in body:
        draft.note("bare Kling task object without the envelope (the callback body shape)")
        read_kling_task(draft, body)
        return
    if _is_bare_task_dto(body):
        draft.note("bare new-api TaskDto without the {code: 'success'} wrapper")
        read_task_dto(draft, body)
        return
    draft.task_id = read_id(draft, body.get("task_id"), "task_id")
    read_task_status(draft, body.get("status"))
    created_key, created = first_timestamp(body, "created_at", "submit_time")
    updated_key, updated = first_timestamp(body, "updated_at", "finished_at", "finish_time", "completed_at")
    read_timestamps(draft, created, updated, created_name=created_key, updated_name=updated_key)
    read_task_outcome(draft, body)
    external = read_id(draft, body.get("external_task_id"), "external_task_id")
    if external is not None:
        draft.external_task_id = external


def _is_bare_task_dto(body: dict[str, Any]) -> bool:
    """new-api's TaskDto served without its wrapper: a row id or the raw upstream body next to the task."""
    nested = body.get("data")
    return ("action" in body or "platform" in body or "submit_time" in body) and (
        isinstance(body.get("id"), int) or isinstance(nested, dict | str)
    )


NORMALIZERS.add(
    "flat",
    Recognizer(
        family="flat",
        order=40,
        shapes=(Shape.FLAT_TASK,),
        classify=classify,
        extract=extract,
        description="flat task: task_id + status without a code",
    ),
)
