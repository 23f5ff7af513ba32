"""Families A, A′ and E: the official Kling envelope ``{code: int, message, request_id, data}``.

``code == 0`` is the ``kling`` shape (``data`` a task object, or an array for list queries); any other
integer code is ``kling-error``. Gateway twists read here: numeric-string codes, an extra top-level
``task_id`` (new-api 2025, xmsmartlink), ``task_…``/``video_…`` ids, seconds timestamps, hybrids that
say ``data.id``/``data.status`` instead of ``data.task_id``/``data.task_status``.
"""

from __future__ import annotations

from typing import Any

from conformance.models import TaskStatus
from conformance.normalize.codes import CodeKind, read_code
from conformance.normalize.fields import (
    REASON_MESSAGE,
    REASON_TASK_STATUS_MSG,
    Draft,
    add_url,
    as_dict,
    first_present,
    json_type,
    read_common_urls,
    read_id,
    read_status,
    read_timestamps,
)
from conformance.normalize.parse import parse_wrapped_json
from conformance.normalize.recognizer import NORMALIZERS, Recognizer
from conformance.normalize.result import Shape
from conformance.normalize.vocab import is_success_message


def classify(body: dict[str, Any]) -> Shape | None:
    """``kling`` for an integer code 0, ``kling-error`` for any other integer code."""
    code = read_code(body)
    if code.kind is not CodeKind.INT:
        return None
    return Shape.KLING if code.number == 0 else Shape.KLING_ERROR


def extract(body: dict[str, Any], draft: Draft) -> None:
    """Read an official envelope (success or error)."""
    code = read_code(body)
    if code.note:
        draft.note(code.note)
    if "request_id" not in body:
        draft.note("envelope has no request_id")
    message = body.get("message")
    data = body.get("data")
    if draft.shape is Shape.KLING_ERROR:
        draft.error_code = str(code.number)
        draft.error_message = message if isinstance(message, str) and message else None
        draft.offer_reason(REASON_MESSAGE, message)
        if data not in (None, {}, []):
            draft.note("error envelope carries data")
        return
    if isinstance(data, str):
        unwrapped = parse_wrapped_json(data)
        if isinstance(unwrapped, dict | list):
            draft.note("data is a JSON string holding JSON (double-encoded)")
            data = unwrapped
    if isinstance(data, dict):
        read_kling_task(draft, data)
    elif isinstance(data, list):
        read_task_list(draft, data)
    elif data is None:
        draft.note("code 0 without data")
    else:
        draft.note(f"data is {json_type(data)}, not an object")
    _read_top_level_id(draft, body)
    if draft.status is TaskStatus.FAILED and isinstance(message, str) and is_success_message(message):
        draft.note(f"message is {message} but task failed")


def read_kling_task(draft: Draft, data: dict[str, Any], *, nested: bool = False) -> None:
    """Read a Kling task object; ``nested`` (a raw upstream body inside a gateway wrapper) only adds the
    upstream id, the reason, the external id and result URLs, never the outer status or timestamps."""
    id_key, id_value = first_present(data, "task_id", "id")
    task_id = read_id(draft, id_value, f"data.{id_key}")
    if task_id is None and id_key == "task_id" and data.get("id") is not None:  # task_id "" next to an id
        id_key = "id"
        task_id = read_id(draft, data.get("id"), "data.id")
    draft.offer_reason(REASON_TASK_STATUS_MSG, data.get("task_status_msg"))
    if nested:
        draft.upstream_task_id = task_id
    else:
        draft.task_id = task_id
        if id_key == "id" and task_id is not None:
            draft.note("task id sent as data.id, not data.task_id")
        status_key, status_value = first_present(data, "task_status", "status")
        if status_value is None:
            draft.note("no task status")
        else:
            read_status(draft, status_value, f"data.{status_key}")
            if status_key == "status":
                draft.note("status sent as data.status, not data.task_status")
        read_timestamps(
            draft, data.get("created_at"), data.get("updated_at"), created_name="created_at", updated_name="updated_at"
        )
        if "platform_id" in data:
            platform_id = data.get("platform_id")
            shown = f" {platform_id[:40]!r}" if isinstance(platform_id, str) else ""
            draft.note(f"gateway adds data.platform_id{shown} next to the Kling task_id")
    info = as_dict(data.get("task_info"))
    if info is not None:
        external = read_id(draft, info.get("external_task_id"), "external_task_id")
        if external is not None and draft.external_task_id is None:
            draft.external_task_id = external
        if info.get("video_url"):
            draft.note("video URL carried in task_info.video_url")
            add_url(draft, info.get("video_url"))
    elif data.get("task_info") is not None:
        draft.note("task_info is not an object")
    if "external_task_id" in data and draft.external_task_id is None:
        external = read_id(draft, data.get("external_task_id"), "external_task_id")
        if external is not None:
            draft.note("external_task_id sent at the task's top level, not in task_info")
            draft.external_task_id = external
    read_common_urls(draft, data)


def read_task_list(draft: Draft, tasks: list[Any]) -> None:
    """A list query: collect the result URLs of every task (images and videos across all items).

    A list has no single task, so ``task_id`` and ``status`` stay null; the note says how many tasks
    came back and how many of them are in each raw status.
    """
    draft.note(f"data is a list of {len(tasks)} tasks")
    words: dict[str, int] = {}
    for task in tasks:
        if isinstance(task, dict):
            read_common_urls(draft, task)
            word = task.get("task_status", task.get("status"))
            if isinstance(word, str):
                words[word] = words.get(word, 0) + 1
    if words:
        counts = ", ".join(f"{count} {word}" for word, count in sorted(words.items()))
        draft.note(f"list statuses: {counts}")


def _read_top_level_id(draft: Draft, body: dict[str, Any]) -> None:
    if "task_id" not in body:
        return
    top = read_id(draft, body.get("task_id"), "task_id")
    if top is None:
        return
    draft.note("extra top-level task_id next to data")
    if draft.task_id is None:
        draft.task_id = top
    elif top != draft.task_id:
        draft.note("top-level task_id differs from data.task_id")
        draft.upstream_task_id = draft.task_id
        draft.task_id = top


NORMALIZERS.add(
    "kling",
    Recognizer(
        family="kling",
        order=10,
        shapes=(Shape.KLING, Shape.KLING_ERROR),
        classify=classify,
        extract=extract,
        description="official envelope: integer code (0 = success), message, request_id, data",
    ),
)
