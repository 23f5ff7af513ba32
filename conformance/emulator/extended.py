"""The extended families (issue 17) on an emulated gateway, driven by the spec's family table.

A gateway serves the extended families its profile documents (``[extended_families]``; kling-official:
all of them); every other gateway answers them as routes it does not have. What each family does comes
from ``x-kling-families`` and the operations of ``specs/kling.openapi.yaml``, not from code per family:

- ``task`` families: create (validated against the spec's request schema) / get / list, on the
  gateway's own schedule, with results by the table's ``result``: videos (MP4), images (PNG), audios
  (MP3, ``task_result.audios[{id, url, duration}]``) or ``data`` (``{}``: those result fields were not
  read, so nothing is invented);
- ``sync`` calls answer at once with the spec's documented 200 example, a fresh request id and every
  result URL pointing at emulator media;
- ``opens_session`` calls (identify-face, multi-elements' init-selection) hand out a session id; the
  steps that follow and the task that ``needs`` it refuse an unknown session with 1201 (the emulator's
  choice: the official wording of that refusal was not read).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from conformance.emulator.audio import AUDIO_TYPE, mp3_bytes
from conformance.emulator.lifecycle import KLING_WORD, new_id
from conformance.emulator.media import (
    IMAGE_TYPE,
    VIDEO_TYPE,
    MediaPlan,
    VideoSpec,
    mp4_bytes,
    png_bytes,
    ranged_response,
)
from conformance.emulator.media_plan import plan_media
from conformance.emulator.render import Answer, RenderContext, kling_envelope, kling_task_object, video_id
from conformance.emulator.state import Task
from conformance.emulator.validation import RequestProblem, parse_body
from conformance.models import TaskStatus

if TYPE_CHECKING:
    from conformance.emulator.gateway import Gateway
    from conformance.spec import FamilyInfo, OperationInfo

#: Media route of the extended families' results: ``/_media-x/{gateway}/{token}/{n}.{ext}``.
MEDIA_ROUTE = "/_media-x/{gateway}/{token}/{name}"
_SESSIONS_KEPT = 1000
_SYNC_MEDIA_KEPT = 1000
_TYPES = {"mp4": VIDEO_TYPE, "png": IMAGE_TYPE, "mp3": AUDIO_TYPE, "json": "application/json"}
_RESULT_EXT = {"video": "mp4", "image": "png", "audio": "mp3"}
_DOC_MEDIA_HOST = "https://cdn.klingai.com/"


@dataclass(frozen=True, slots=True)
class ExtendedRoute:
    """A matched extended operation (and the task id of a ``.../{task_id}`` path)."""

    operation_id: str
    family: FamilyInfo
    task_id: str = ""


class ExtendedFamilies:
    """The extended families one gateway documents: routes, sessions, sync media."""

    def __init__(self, gateway: Gateway) -> None:
        from conformance import spec

        self._gateway = gateway
        self._exact: dict[tuple[str, str], tuple[str, FamilyInfo]] = {}
        self._by_prefix: dict[tuple[str, str], tuple[str, FamilyInfo]] = {}
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._sync_media: OrderedDict[str, bool] = OrderedDict()
        self._counter = 0
        prefix = gateway.profile.path_prefix
        for name in gateway.profile.extended_families.families:
            info = spec.family(name)
            for op_id in info.all_operations:
                op = spec.operation(op_id)
                template = prefix + op.path
                if template.endswith("/{task_id}"):
                    self._by_prefix[(op.method, template[: -len("/{task_id}")])] = (op_id, info)
                else:
                    self._exact[(op.method, template)] = (op_id, info)

    def __bool__(self) -> bool:
        return bool(self._exact)

    def match(self, method: str, path: str) -> ExtendedRoute | None:
        """The extended operation at ``method path`` (``None``: not one of them)."""
        if not self._exact:
            return None
        method = "GET" if method == "HEAD" else method
        path = path.rstrip("/") or "/"
        found = self._exact.get((method, path))
        if found is not None:
            return ExtendedRoute(*found)
        base, _, last = path.rpartition("/")
        found = self._by_prefix.get((method, base))
        if found is not None and last:
            return ExtendedRoute(found[0], found[1], task_id=last)
        return None

    # -- serving ----------------------------------------------------------------------------------
    async def serve(self, route: ExtendedRoute, request: Request, ctx: RenderContext) -> Answer:
        """Answer one call of an extended family (auth and rate limits were applied by the caller)."""
        from conformance import spec

        op = spec.operation(route.operation_id)
        kind = route.operation_id.rsplit(".", 1)[1]
        gateway = self._gateway
        if op.method == "GET" and kind == "get":
            return self._query(route, ctx)
        if op.method == "GET" and kind == "list":
            tasks = list(gateway.store.of_gateway(gateway.id, route.family.name))[:30]
            return Answer(200, kling_envelope([self._task_object(t, ctx) for t in tasks], ctx))
        body: dict[str, Any] = {}
        if op.request_schema is not None:
            raw = await request.body()
            parsed, problem = parse_body(raw, request.headers.get("content-type", ""), checks_content_type=True)
            if problem is None and parsed is not None:
                problem = _schema_problem(route.operation_id, parsed)
            if problem is not None or parsed is None:
                missing = problem or RequestProblem("not-json", "", "no body")
                return gateway.family.request_error(gateway.profile, missing, ctx)
            body = parsed
        session = body.get("session_id")
        if isinstance(session, str) and session not in self._sessions:
            problem = RequestProblem("invalid", "session_id", "session_id is invalid or expired")
            return gateway.family.request_error(gateway.profile, problem, ctx)
        if kind == "create":
            return await self._create(route, body, request.headers, ctx)
        return self._sync(route, op, body, ctx)

    async def _create(
        self, route: ExtendedRoute, body: dict[str, Any], headers: Mapping[str, str], ctx: RenderContext
    ) -> Answer:
        gateway = self._gateway
        started = await gateway.start_task(route.operation_id, body, headers, ctx, callback_body=self._callback_body)
        if isinstance(started, Answer):
            return started
        image = route.family.result == "image"
        started.media = plan_media(gateway.profile, body, image=image)  # i18's plan: sizes, seconds, audio
        data = self._task_object(started, ctx, creating=True)
        return Answer(200, kling_envelope(data, ctx))

    def _query(self, route: ExtendedRoute, ctx: RenderContext) -> Answer:
        gateway = self._gateway
        task = gateway.store.get(gateway.id, route.task_id)
        if task is None or task.family != route.family.name:
            return gateway.family.unknown_task(gateway.profile, route.task_id, ctx)
        return Answer(200, kling_envelope(self._task_object(task, ctx), ctx))

    def _sync(self, route: ExtendedRoute, op: OperationInfo, body: dict[str, Any], ctx: RenderContext) -> Answer:
        """The documented 200 example, made this call's own: request id, session, media URLs."""
        answer = copy.deepcopy(op.example_response) if isinstance(op.example_response, dict) else {"code": 0}
        answer["request_id"] = ctx.request_id()
        data = answer.get("data")
        if isinstance(data, dict) and "session_id" in data:
            if route.family.opens_session and route.operation_id == route.family.all_operations[0]:
                session = new_id("kling-numeric", ctx.rng)
                self._remember(self._sessions, session, route.family.name, _SESSIONS_KEPT)
                data["session_id"] = session
            elif isinstance(body.get("session_id"), str):
                data["session_id"] = body["session_id"]
        self._counter += 1
        token = f"s{self._counter}"
        self._remember(self._sync_media, token, True, _SYNC_MEDIA_KEPT)
        answer["data"] = _rehost(data, f"{ctx.origin}/_media-x/{self._gateway.id}/{token}")
        return Answer(200, answer)

    @staticmethod
    def _remember(store: OrderedDict[str, Any], key: str, value: Any, limit: int) -> None:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)

    # -- rendering --------------------------------------------------------------------------------
    def _result(self, task: Task, ctx: RenderContext) -> dict[str, Any]:
        from conformance import spec

        result = spec.family(task.family).result
        base = f"{ctx.origin}/_media-x/{task.gateway}/{task.upstream_id}"
        if result == "image":
            return {"images": [{"index": i, "url": f"{base}/{i}.png"} for i in range(task.image_count)]}
        if result == "video":
            url = f"{base}/0.mp4"
            video: dict[str, Any] = {"id": video_id(url), "url": url, "duration": f"{_seconds(task):g}"}
            return {"videos": [video]}
        if result == "audio":
            url = f"{base}/0.mp3"
            return {"audios": [{"id": video_id(url), "url": url, "duration": f"{_seconds(task):.1f}"}]}
        return {}  # `data` families: the result fields were not read

    def _task_object(self, task: Task, ctx: RenderContext, *, creating: bool = False) -> dict[str, Any]:
        unit = self._gateway.profile.lifecycle.timestamp_unit
        obj = kling_task_object(task, ctx, unit, creating=creating)
        if not creating and task.phase(ctx.now).status is TaskStatus.SUCCEED:
            obj["task_result"] = self._result(task, ctx)
        return obj

    def _callback_body(self, task: Task, ctx: RenderContext) -> dict[str, Any]:
        obj = kling_task_object(task, ctx, "ms", word=KLING_WORD[task.phase(ctx.now).status], upstream_id=True)
        if task.phase(ctx.now).status is TaskStatus.SUCCEED:
            obj["task_result"] = self._result(task, ctx)
        return obj

    # -- media ------------------------------------------------------------------------------------
    def media(self, request: Request, token: str, name: str) -> Response:
        """Result media of a succeeded extended task, or of a sync answer; Range honoured."""
        from conformance import spec

        stem, _, ext = name.partition(".")
        media_type = _TYPES.get(ext)
        if media_type is None or not stem.isdigit():
            return Response(b"not found", 404, media_type="text/plain")
        if token in self._sync_media:
            return ranged_response(request, _bytes(ext, MediaPlan(video=VideoSpec()), 5.0), media_type)
        gateway = self._gateway
        task = gateway.store.find_media(gateway.id, token)
        if task is None or task.phase(gateway.now()).status is not TaskStatus.SUCCEED:
            return Response(b"not found", 404, media_type="text/plain")
        result = spec.family(task.family).result if task.family in spec.families() else ""
        if _RESULT_EXT.get(result) != ext or int(stem) >= (task.image_count if ext == "png" else 1):
            return Response(b"not found", 404, media_type="text/plain")
        return ranged_response(request, _bytes(ext, task.media, _seconds(task)), media_type)


def _seconds(task: Task) -> float:
    try:
        return float(task.duration)
    except ValueError:
        return 5.0


def _bytes(ext: str, plan: MediaPlan, seconds: float) -> bytes:
    if ext == "mp4":
        return mp4_bytes(plan.video or VideoSpec())
    if ext == "png":
        return png_bytes(*plan.image)
    if ext == "mp3":
        return mp3_bytes(seconds)
    return b"[]"


def _rehost(value: Any, base: str, counter: list[int] | None = None) -> Any:
    """``value`` with every documented result URL (cdn.klingai.com) moved to emulator media below ``base``."""
    counter = counter if counter is not None else [0]
    if isinstance(value, dict):
        return {key: _rehost(item, base, counter) for key, item in value.items()}
    if isinstance(value, list):
        return [_rehost(item, base, counter) for item in value]
    if isinstance(value, str) and value.startswith(_DOC_MEDIA_HOST):
        ext = value.rsplit(".", 1)[-1].lower()
        ext = ext if ext in _TYPES else "png"
        url = f"{base}/{counter[0]}.{ext}"
        counter[0] += 1
        return url
    return value


def _schema_problem(op_id: str, body: Any) -> RequestProblem | None:
    from conformance import spec

    issues = spec.validate_request(op_id, body)
    if not issues:
        return None
    first = issues[0]
    field = first.json_path.removeprefix("$.").split(".", 1)[0] if first.json_path != "$" else ""
    return RequestProblem("invalid", field, f"{first.render()}"[:300])


def media_response(gateways: Mapping[str, Gateway], request: Request) -> Response:
    """The ``/_media-x/`` route: dispatch to the gateway's extended families."""
    params = request.path_params
    gateway = gateways.get(params["gateway"])
    if gateway is None or not gateway.extended:
        return Response(orjson.dumps({"error": "not found"}), 404, media_type="application/json")
    return gateway.extended.media(request, params["token"], params["name"])
