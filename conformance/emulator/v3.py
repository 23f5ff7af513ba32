"""The Kling 3.x contract on an emulated gateway (profile family ``kling-v3``): routes, bodies, signed webhooks.

Everything follows ``specs/kling-v3.openapi.yaml`` (:mod:`conformance.spec.v3`): the model is in the path
(``POST {prefix}/text-to-video/{model}``, ``/image-to-video/{model}``), the body is validated against the
3.x schemas (the /v1 spellings are refused with 1201), the answer carries ``data.id``/``data.status``, a
finished task is ``succeeded`` with ``outputs[]`` and ``billing[]``, ``GET {prefix}/tasks?task_ids=`` (comma
separated, or ``external_task_ids=``) answers a list, and ``options.callback_url`` receives notifications
signed the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64>``).

The emulator signs with :data:`EMULATOR_WEBHOOK_SECRET`, a public test value (not a credential), or with the
secret in ``$KLING_WEBHOOK_SECRET`` when that is set, so a receiver can verify what it gets. What the
official service answers for an unknown id was not read: the emulator answers 404 with 1203.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request

from conformance.emulator.callbacks import RawCallback
from conformance.emulator.lifecycle import new_id
from conformance.emulator.media_plan import plan_media
from conformance.emulator.render import Answer, RenderContext, error_body, stamp
from conformance.emulator.state import Task
from conformance.emulator.validation import parse_body
from conformance.models import TaskStatus

if TYPE_CHECKING:
    from conformance.emulator.gateway import Gateway

#: The emulator's webhook secret (Standard Webhooks form): a fixed public test value, never a real key.
EMULATOR_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"kling-conformance-emulator-webhooks").decode()
SECRET_ENV = "KLING_WEBHOOK_SECRET"
_CREATE = re.compile(r"^/(?P<kind>text-to-video|image-to-video)/(?P<model>kling-[a-z0-9.-]+)$")
_GET = re.compile(r"^/text-to-video/(?P<model>kling-[a-z0-9.-]+)/(?P<id>[^/]+)$")
_MAX_IDS = 50


@dataclass(frozen=True, slots=True)
class V3Route:
    """A matched 3.x operation (operationId of the 3.x spec) and its path values."""

    operation_id: str
    model: str = ""
    task_id: str = ""


def webhook_secret() -> str:
    """The secret the emulator signs 3.x notifications with."""
    return os.environ.get(SECRET_ENV) or EMULATOR_WEBHOOK_SECRET


class V3Service:
    """The 3.x routes of one gateway whose profile family is ``kling-v3``."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway
        self._prefix = gateway.profile.path_prefix

    def match(self, method: str, path: str) -> V3Route | None:
        """The 3.x operation at ``method path`` below the gateway's prefix, if any."""
        if not path.startswith(self._prefix):
            return None
        rest = path[len(self._prefix) :].rstrip("/") or "/"
        if method == "POST" and (hit := _CREATE.match(rest)):
            return V3Route(f"{hit['kind']}.create", model=hit["model"])
        if method in ("GET", "HEAD") and (hit := _GET.match(rest)):
            return V3Route("text-to-video.get", model=hit["model"], task_id=hit["id"])
        if rest == "/tasks":
            return V3Route("tasks.get" if method in ("GET", "HEAD") else "tasks.list")
        return None

    async def serve(self, route: V3Route, request: Request, ctx: RenderContext) -> Answer:
        """Answer one 3.x call (auth and limits were applied by the caller)."""
        if route.operation_id.endswith(".create"):
            return await self._create(route, await request.body(), request.headers, ctx)
        store, gid = self._gateway.store, self._gateway.id
        if route.operation_id == "text-to-video.get":
            task = store.get(gid, route.task_id)
            if task is None or task.family != "text-to-video":
                return self._error(404, 1203, "task not found", ctx)
            return Answer(200, self._envelope(self.task_object(task, ctx), ctx))
        if route.operation_id == "tasks.list":
            tasks = list(store.of_gateway(gid))[:30]
            return Answer(200, self._envelope([self.task_object(t, ctx) for t in tasks], ctx))
        params = request.query_params
        ids = [i for i in (params.get("task_ids") or "").split(",") if i][:_MAX_IDS]
        externals = [i for i in (params.get("external_task_ids") or "").split(",") if i][:_MAX_IDS]
        if not ids and not externals:
            return self._error(400, 1201, "task_ids or external_task_ids is required", ctx)
        found = [t for t in (store.get(gid, i) for i in ids) if t is not None]
        found += [t for t in (store.by_external(gid, e) for e in externals) if t is not None]
        if not found:
            return self._error(404, 1203, "task not found", ctx)
        return Answer(200, self._envelope([self.task_object(t, ctx) for t in found], ctx))

    async def _create(self, route: V3Route, raw: bytes, headers: Mapping[str, str], ctx: RenderContext) -> Answer:
        from conformance.spec import v3

        body, problem = parse_body(raw, headers.get("content-type", ""), checks_content_type=True)
        if problem is not None:
            return self._error(400, 1200, "Invalid request parameters", ctx)
        issues = v3.validate_request(route.operation_id, body)
        if issues or not isinstance(body, dict):
            message = issues[0].render() if issues else "the body must be a JSON object"
            return self._error(400, 1201, message[:300], ctx)
        settings = body.get("settings") or {}
        options = body.get("options") or {}
        flat = {  # what the shared task store and media plan read, in their /v1 names
            "model_name": route.model,
            "duration": str(settings.get("duration", 5)),
            "aspect_ratio": settings.get("aspect_ratio"),
            "mode": "pro" if settings.get("resolution") == "1080p" else "std",
            "callback_url": options.get("callback_url"),
            "external_task_id": options.get("external_task_id"),
        }
        flat = {key: value for key, value in flat.items() if value is not None}
        started = await self._gateway.start_task(route.operation_id, flat, headers, ctx, callback_body=self._signed)
        if isinstance(started, Answer):
            return started
        started.media = plan_media(self._gateway.profile, flat, image=False)
        return Answer(200, self._envelope(self.task_object(started, ctx, creating=True), ctx))

    # -- bodies ------------------------------------------------------------------------------------
    def task_object(self, task: Task, ctx: RenderContext, *, creating: bool = False) -> dict[str, Any]:
        """The 3.x task: ``{id, status, message, create_time, update_time, outputs?, billing?}``."""
        phase = task.timeline[0] if creating else task.phase(ctx.now)
        entered = task.created if creating else task.entered_at(ctx.now)
        obj: dict[str, Any] = {
            "id": task.task_id,
            "status": phase.word,
            "message": task.failure_reason if phase.status is TaskStatus.FAILED else "",
            "create_time": stamp(task.created, "ms"),
            "update_time": stamp(entered, "ms"),
        }
        if task.external_task_id:
            obj["external_task_id"] = task.external_task_id
        if phase.status is TaskStatus.SUCCEED:
            url = f"{ctx.origin}/_media/{task.gateway}/{task.upstream_id}/0.mp4"
            obj["outputs"] = [{"type": "video", "url": url, "duration": f"{float(task.duration):.1f}"}]
        if phase.status.is_terminal:
            amount = 1 if phase.status is TaskStatus.SUCCEED else 0
            obj["billing"] = [{"charge_type": "unit", "amount": amount}]
        return obj

    def _envelope(self, data: Any, ctx: RenderContext) -> dict[str, Any]:
        return {"code": 0, "message": "SUCCEED", "request_id": ctx.request_id(), "data": data}

    def _error(self, status: int, code: int, message: str, ctx: RenderContext) -> Answer:
        return Answer(status, error_body("kling-error", str(code), message, ctx))

    def _signed(self, task: Task, ctx: RenderContext) -> RawCallback:
        """A notification: the task object, signed over its exact bytes."""
        from conformance.spec.v3 import signed_headers

        content = orjson.dumps(self.task_object(task, ctx))
        msg_id = "msg_" + new_id("kling-numeric", ctx.rng)
        return RawCallback(content, signed_headers(webhook_secret(), msg_id, int(ctx.now), content))
