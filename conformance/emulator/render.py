"""Body builders shared by every family: the Kling task object, its envelope and the error shapes."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.emulator.lifecycle import new_request_id
from conformance.emulator.state import Task
from conformance.models import TaskStatus


@dataclass(slots=True)
class Answer:
    """A response the emulator sends: status, JSON-ready body (or raw bytes) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RenderContext:
    """What a renderer needs besides the task: the clock, the media origin, and the seeded generator."""

    now: float
    origin: str  # e.g. http://127.0.0.1:8123 (result URLs are served by the emulator itself)
    rng: random.Random

    def request_id(self) -> str:
        """A fresh request id."""
        return new_request_id(self.rng)


def stamp(seconds: float, unit: str) -> int:
    """A wall time in the profile's unit (``ms`` or ``s``)."""
    return int(seconds * 1000) if unit == "ms" else int(seconds)


def video_id(url: str) -> str:
    """A result video's id: derived from its path alone, so it does not change with the emulator's port."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, urlsplit(url).path))


def media_urls(task: Task, origin: str) -> list[str]:
    """Result URLs of a succeeded task (served under ``/_media/``)."""
    if task.is_image:
        return [f"{origin}/_media/{task.gateway}/{task.upstream_id}/{i}.png" for i in range(task.image_count)]
    return [f"{origin}/_media/{task.gateway}/{task.upstream_id}/0.mp4"]


def video_duration(task: Task) -> str:
    """The duration string Kling reports for a result video ("5.1" for a 5 s one): what the video lasts."""
    return f"{task.media.video.seconds}.1" if task.media.video is not None else "5.1"


def kling_task_object(
    task: Task,
    ctx: RenderContext,
    unit: str,
    *,
    word: str | None = None,
    with_info: bool = True,
    upstream_id: bool = False,
    creating: bool = False,
) -> dict[str, Any]:
    """The official task object (``data`` of a query, or the bare callback body)."""
    phase = task.timeline[0] if creating else task.phase(ctx.now)
    entered = task.created if creating else task.entered_at(ctx.now)
    obj: dict[str, Any] = {
        "task_id": task.upstream_id if upstream_id else task.task_id,
        "task_status": word if word is not None else phase.word,
    }
    if phase.status is TaskStatus.FAILED:
        obj["task_status_msg"] = task.failure_reason
    elif phase.status is TaskStatus.SUCCEED:
        obj["task_status_msg"] = ""
    if with_info:
        obj["task_info"] = {"external_task_id": task.external_task_id} if task.external_task_id else {}
    if phase.status is TaskStatus.SUCCEED:
        urls = media_urls(task, ctx.origin)
        if task.is_image:
            obj["task_result"] = {"images": [{"index": i, "url": url} for i, url in enumerate(urls)]}
        else:
            obj["task_result"] = {
                "videos": [{"id": video_id(url), "url": url, "duration": video_duration(task)} for url in urls]
            }
    elif phase.status is TaskStatus.FAILED:
        obj["task_result"] = {}
    obj["created_at"] = stamp(task.created, unit)
    obj["updated_at"] = stamp(entered, unit)
    if phase.status.is_terminal and not creating:
        obj["final_unit_deduction"] = "1" if phase.status is TaskStatus.SUCCEED else "0"
    return obj


def kling_envelope(data: Any, ctx: RenderContext) -> dict[str, Any]:
    """``{"code":0,"message":"SUCCEED","request_id":…,"data":…}``."""
    return {"code": 0, "message": "SUCCEED", "request_id": ctx.request_id(), "data": data}


def error_body(shape: str, code: str, message: str, ctx: RenderContext, *, openai_type: str = "new_api_error") -> Any:
    """An error body in one of the error shapes (``kling-error``, ``newapi-error``, ``openai-error``)."""
    if shape == "openai-error":
        return {"error": {"message": message, "type": openai_type, "code": code}}
    if shape == "newapi-error":
        return {"code": code, "message": message, "data": None}
    value: Any = int(code) if code.lstrip("-").isdigit() else code
    return {"code": value, "message": message, "request_id": ctx.request_id()}
