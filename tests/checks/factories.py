"""Synthetic bodies, exchanges, traces and contexts for the check tests.

Bodies follow the families of ``shared/reference/gateways.md`` §0 (official envelope, new-api wrapper,
OpenAI video object, flat task, the error envelopes, HTML, truncated JSON). The context's normalizer is
``conformance.normalize.normalize`` when that function exists, else a small faithful fallback of the
issue-3 rules, so the check tests do not depend on the normalizer's progress.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from conformance.checks.base import CallbackDelivery, CheckContext, ScenarioTrace
from conformance.models import Evidence, EvidenceKind, Exchange, RecordedRequest, RecordedResponse, TaskStatus
from conformance.normalize.result import ERROR_SHAPES, NormalizedResponse, Shape
from conformance.profiles.model import ErrorProfile, GatewayProfile, OperationProfile

EVIDENCE = Evidence(kind=EvidenceKind.EMULATOR, source="test", recorded_at="2026-11-22")
MS = 1_732_000_000_000  # a plausible Unix-ms timestamp
SECONDS = 1_732_000_000
TASK_ID = "867283741759111202"
VIDEO_URL = "https://cdn.klingai.com/bs2/upload-kling-api/video.mp4"
JSON_HEADERS = (("content-type", "application/json"),)
_refs = itertools.count()


# --------------------------------------------------------------------------- bodies


def kling_task(
    status: str = "submitted",
    task_id: str = TASK_ID,
    *,
    videos: list[dict[str, Any]] | None = None,
    images: list[dict[str, Any]] | None = None,
    msg: str | None = None,
    external_task_id: str | None = None,
    created_at: Any = MS,
    updated_at: Any = MS,
) -> dict[str, Any]:
    """An official task object (``data`` of the envelope, or a bare callback body)."""
    task: dict[str, Any] = {
        "task_id": task_id,
        "task_status": status,
        "task_info": {"external_task_id": external_task_id} if external_task_id else {},
        "created_at": created_at,
        "updated_at": updated_at,
    }
    if msg is not None:
        task["task_status_msg"] = msg
    if videos is not None or images is not None:
        task["task_result"] = {k: v for k, v in (("videos", videos), ("images", images)) if v is not None}
    return task


def video(url: str = VIDEO_URL, duration: str | None = "5.1") -> dict[str, Any]:
    """One ``task_result.videos[]`` item."""
    item: dict[str, Any] = {"id": "v1", "url": url}
    if duration is not None:
        item["duration"] = duration
    return item


def kling_envelope(data: Any) -> dict[str, Any]:
    """The official success envelope around ``data``."""
    return {"code": 0, "message": "SUCCEED", "request_id": "c0656403-1b1c-4c48-9d7e-ae1c6b6f7a10", "data": data}


def kling_error(code: int = 1201, message: str = "Invalid parameters") -> dict[str, Any]:
    """The official error envelope (no data)."""
    return {"code": code, "message": message, "request_id": "c0656403-1b1c-4c48-9d7e-ae1c6b6f7a11"}


def newapi_wrapper(status: str = "SUCCESS", task_id: str = "task_" + "a" * 32, raw: Any = None) -> dict[str, Any]:
    """new-api's ``{code:"success", data: TaskDto}`` query wrapper (family B), raw Kling body nested."""
    return {
        "code": "success",
        "message": "",
        "data": {
            "task_id": task_id,
            "action": "generate",
            "status": status,
            "fail_reason": "",
            "submit_time": SECONDS,
            "progress": "100%",
            "data": raw,
        },
    }


def newapi_error(code: str = "task_not_exist", message: str = "task_not_exist") -> dict[str, Any]:
    """new-api's TaskError body."""
    return {"code": code, "message": message, "data": None}


def openai_video(task_id: str = "task_" + "a" * 32, status: str = "queued") -> dict[str, Any]:
    """new-api's submit answer: an OpenAI video object (family C), created_at in seconds."""
    return {
        "id": task_id,
        "task_id": task_id,
        "object": "video",
        "model": "kling-v1",
        "status": status,
        "progress": 0,
        "created_at": SECONDS,
    }


def openai_error(message: str = "无效的令牌") -> dict[str, Any]:
    """OpenAI-style error object (new-api auth middleware)."""
    return {"error": {"message": message, "type": "new_api_error", "code": ""}}


def flat_task(task_id: str = "vid_1", status: str = "completed", url: str = VIDEO_URL) -> dict[str, Any]:
    """The documented-only flat VideoTaskResponse (family D)."""
    return {"task_id": task_id, "status": status, "url": url, "format": "mp4", "metadata": {"duration": 5}}


HTML_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
TRUNCATED = b'{"code":0,"message":"SUCCEED","data":{"task_id":"8672837417591'


# --------------------------------------------------------------------------- exchanges and traces


def exchange(
    body: Any,
    *,
    status: int = 200,
    scenario: str = "image2video.create.minimal",
    operation: str = "image2video.create",
    purpose: str = "create",
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS,
    method: str = "POST",
    url: str = "http://127.0.0.1/kling/v1/videos/image2video",
    error: str | None = None,
    truncated: bool = False,
    gateway: str = "testgw",
) -> Exchange:
    """One exchange; ``body`` may be JSON-able data or raw bytes."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    response = None if error else RecordedResponse(status_code=status, headers=headers, body=raw, truncated=truncated)
    return Exchange(
        ref=f"{gateway}/{scenario}#{next(_refs)}",
        gateway=gateway,
        operation_id=operation,
        scenario=scenario,
        request=RecordedRequest(method=method, url=url, headers=(("content-type", "application/json"),)),
        response=response,
        evidence=EVIDENCE,
        error=error,
        meta={"purpose": purpose},
    )


def poll(body: Any, *, status: int = 200, family: str = "image2video", scenario: str = "", **kw: Any) -> Exchange:
    """A poll of a created task (``<family>.get``)."""
    return exchange(
        body,
        status=status,
        scenario=scenario or f"{family}.create.minimal",
        operation=f"{family}.get",
        purpose="poll",
        method="GET",
        url=f"http://127.0.0.1/kling/v1/videos/{family}/{TASK_ID}",
        **kw,
    )


def trace(
    scenario: str,
    *exchanges: Exchange,
    operation: str | None = None,
    skipped_reason: str = "",
    error: str = "",
    deadline_exceeded: bool = False,
    callbacks: tuple[CallbackDelivery, ...] = (),
    request_body: Any = None,
    meta: dict[str, Any] | None = None,
    paid: bool = False,
) -> ScenarioTrace:
    """A scenario trace; the operation defaults to the scenario's ``<family>.<kind>`` prefix."""
    if operation is None:
        parts = scenario.split(".")
        operation = ".".join(parts[:2]) if len(parts) >= 2 and parts[0] != "auth" else "image2video.get"
    return ScenarioTrace(
        scenario=scenario,
        operation_id=operation,
        gateway="testgw",
        evidence=EVIDENCE,
        exchanges=tuple(exchanges),
        paid=paid,
        skipped_reason=skipped_reason,
        error=error,
        deadline_exceeded=deadline_exceeded,
        callbacks=callbacks,
        request_body=request_body,
        meta=meta or {},
    )


def callback(body: Any) -> CallbackDelivery:
    """One callback POST as the receiver saw it."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return CallbackDelivery(received_at_ms=float(MS), headers=JSON_HEADERS, body=raw)


def profile(**overrides: Any) -> GatewayProfile:
    """A kling-like gateway profile for image2video/text2video/generations."""
    operations = {
        op: OperationProfile(operation_id=op, method="POST" if op.endswith("create") else "GET", path="/x")
        for op in (
            "image2video.create",
            "image2video.get",
            "image2video.list",
            "text2video.create",
            "text2video.get",
            "generations.create",
            "generations.get",
        )
    }
    fields: dict[str, Any] = {
        "id": "testgw",
        "title": "Test gateway",
        "family": "kling",
        "evidence_kind": EvidenceKind.EMULATOR,
        "evidence_source": "tests",
        "base_url": "http://127.0.0.1",
        "operations": operations,
        "errors": ErrorProfile(),
    }
    fields.update(overrides)
    return GatewayProfile(**fields)


def context(
    *traces: ScenarioTrace, gateway_profile: GatewayProfile | None = None, mode: str = "replay"
) -> CheckContext:
    """A check context over ``traces`` with the test normalizer."""
    return CheckContext(
        profile=gateway_profile or profile(),
        traces={t.scenario: t for t in traces},
        normalizer=normalize_exchange,
        mode=mode,
    )


# --------------------------------------------------------------------------- normalizer


def normalize_exchange(ex: Exchange) -> NormalizedResponse:
    """The test normalizer: the real one when available, else :func:`fallback_normalize`."""
    body = ex.response.body if ex.response is not None else b""
    status = ex.response.status_code if ex.response is not None else None
    try:
        from conformance.normalize import normalize  # type: ignore[attr-defined]
    except ImportError:
        return fallback_normalize(body, status)
    return normalize(body, status_code=status)  # type: ignore[no-any-return]


_WORDS = {
    "submitted": TaskStatus.SUBMITTED,
    "queued": TaskStatus.SUBMITTED,
    "not_start": TaskStatus.SUBMITTED,
    "processing": TaskStatus.PROCESSING,
    "in_progress": TaskStatus.PROCESSING,
    "succeed": TaskStatus.SUCCEED,
    "succeeded": TaskStatus.SUCCEED,
    "success": TaskStatus.SUCCEED,
    "completed": TaskStatus.SUCCEED,
    "failed": TaskStatus.FAILED,
    "failure": TaskStatus.FAILED,
}


def fallback_normalize(body: bytes, status_code: int | None) -> NormalizedResponse:
    """Issue-3 rules for the families these tests use (classification, ids, status, URLs, errors)."""
    http_error = status_code is not None and status_code >= 400
    if not body.strip():
        return NormalizedResponse(shape=Shape.EMPTY, is_error=http_error, status_code=status_code)
    try:
        value = json.loads(body)
    except ValueError:
        return NormalizedResponse(shape=Shape.NOT_JSON, is_error=http_error, status_code=status_code)
    if not isinstance(value, dict):
        return NormalizedResponse(shape=Shape.UNKNOWN, is_error=http_error, status_code=status_code)
    if value == {}:
        return NormalizedResponse(shape=Shape.EMPTY, is_error=http_error, status_code=status_code)
    code = value.get("code", ...)
    fields: dict[str, Any] = {}
    task: dict[str, Any] | None = None
    if isinstance(code, int) and not isinstance(code, bool):
        if code != 0 and value.get("data") is None:
            shape = Shape.KLING_ERROR
            fields = {"error_code": str(code), "error_message": value.get("message")}
        else:
            shape = Shape.KLING
            task = value.get("data") if isinstance(value.get("data"), dict) else None
    elif code == "success":
        shape = Shape.NEWAPI_TASK
        dto = value.get("data") or {}
        raw = dto.get("data") if isinstance(dto.get("data"), dict) else {}
        inner = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        fields = {"upstream_task_id": inner.get("task_id")}
        task = {
            "task_id": dto.get("task_id"),
            "task_status": dto.get("status"),
            "task_result": inner.get("task_result"),
            "task_info": inner.get("task_info"),
            "task_status_msg": dto.get("fail_reason") or None,
        }
    elif isinstance(code, str) and code is not ...:
        shape = Shape.NEWAPI_ERROR
        fields = {"error_code": code, "error_message": value.get("message")}
    elif isinstance(value.get("error"), dict) and "status" not in value:
        shape = Shape.OPENAI_ERROR
        fields = {
            "error_code": str(value["error"].get("code") or "") or None,
            "error_message": value["error"].get("message"),
        }
    elif value.get("object", "").startswith("video") or {"id", "status", "progress"} <= set(value):
        shape = Shape.OPENAI_VIDEO
        task = {"task_id": value.get("id") or value.get("task_id"), "task_status": value.get("status")}
    elif {"task_id", "status"} <= set(value):
        shape = Shape.FLAT_TASK
        task = {"task_id": value.get("task_id"), "task_status": value.get("status")}
        fields = {"video_urls": (value["url"],) if value.get("url") else ()}
    else:
        shape = Shape.UNKNOWN
    if task is not None:
        raw_status = task.get("task_status")
        result = task.get("task_result") or {}
        videos = result.get("videos") or [] if isinstance(result, dict) else []
        images = result.get("images") or [] if isinstance(result, dict) else []
        info = task.get("task_info") if isinstance(task.get("task_info"), dict) else {}
        fields.update(
            task_id=str(task["task_id"]) if task.get("task_id") is not None else None,
            raw_status=raw_status,
            status=_WORDS.get(str(raw_status).lower(), TaskStatus.UNKNOWN) if raw_status is not None else None,
            video_urls=fields.get("video_urls") or tuple(v["url"] for v in videos if v.get("url")),
            image_urls=tuple(i["url"] for i in images if i.get("url")),
            video_durations=tuple(str(v["duration"]) for v in videos if v.get("duration")),
            failure_reason=task.get("task_status_msg") or None,
            external_task_id=(info or {}).get("external_task_id"),
        )
    return NormalizedResponse(
        shape=shape, is_error=http_error or shape in ERROR_SHAPES, status_code=status_code, **fields
    )


def run_check(name: str, ctx: CheckContext) -> list[Any]:
    """The verdicts of the registered check ``name`` on ``ctx``."""
    from conformance.checks import load_builtin_checks

    return list(load_builtin_checks().get(name).function(ctx))
