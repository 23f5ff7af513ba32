"""The Starlette application: every profile mounted under ``/{gateway-id}`` (or one at the root), health, media."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Sequence

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.emulator.account import account_costs
from conformance.emulator.callbacks import CallbackDispatcher
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.coverage import refuse_unemulable
from conformance.emulator.extended import MEDIA_ROUTE as EXTENDED_MEDIA_ROUTE
from conformance.emulator.extended import media_response as extended_media
from conformance.emulator.fault_middleware import FaultMiddleware
from conformance.emulator.gateway import Gateway
from conformance.emulator.limits import RateLimiter
from conformance.emulator.media import IMAGE_TYPE, VIDEO_TYPE, VideoSpec, mp4_bytes, png_bytes, ranged_response
from conformance.emulator.render import Answer, RenderContext
from conformance.emulator.state import TaskStore
from conformance.models import TaskStatus
from conformance.profiles.model import GatewayProfile

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _json(answer: Answer) -> Response:
    body = answer.body if isinstance(answer.body, bytes) else orjson.dumps(answer.body)
    return Response(body, answer.status, headers=answer.headers or None, media_type="application/json")


def _origin(request: Request) -> str:
    host = request.headers.get("host")
    if not host:
        server = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{request.scope.get('scheme', 'http')}://{host}"


class EmulatorState:
    """Everything the running app shares: gateways, the task store, callbacks."""

    def __init__(self, profiles: Sequence[GatewayProfile], config: EmulatorConfig) -> None:
        self.config = config
        self.store = TaskStore(config.max_tasks)
        self.callbacks = CallbackDispatcher(config)
        rng = random.Random(f"emulator:{config.seed}")
        limiter = RateLimiter(config.rate_limit, config.rate_burst) if config.rate_limit else None
        refuse_unemulable(list(profiles))
        self.gateways: dict[str, Gateway] = {}
        for profile in profiles:
            if profile.id in self.gateways:
                raise ValueError(f"profile {profile.id!r} given twice")
            self.gateways[profile.id] = Gateway(profile, config, self.store, rng, self.callbacks, limiter)

    def error_body(self, gateway_id: str, situation: str) -> tuple[int, bytes]:
        """A gateway's own error body for a fault (``rate-limit``)."""
        gateway = self.gateways.get(gateway_id) or next(iter(self.gateways.values()))
        answer = gateway.family.rate_limited(gateway.profile, False, gateway.context(""))
        return answer.status, orjson.dumps(answer.body)

    async def healthz(self, request: Request) -> Response:
        """``GET /healthz``: liveness, mounted gateways and task count."""
        body = {
            "status": "ok",
            "gateways": sorted(self.gateways),
            "tasks": len(self.store),
            "callbacks_pending": self.callbacks.pending,
        }
        return Response(orjson.dumps(body), media_type="application/json")

    async def media(self, request: Request) -> Response:
        """``/_media/{gateway}/{task_id}/{n}.mp4|png``: result media of a succeeded task, with Range."""
        params = request.path_params
        gateway = self.gateways.get(params["gateway"])
        task = self.store.find_media(gateway.id, params["task_id"]) if gateway is not None else None
        name: str = params["name"]
        if gateway is None or task is None or task.phase(gateway.now()).status is not TaskStatus.SUCCEED:
            return Response(b"not found", 404, media_type="text/plain")
        stem, _, suffix = name.partition(".")
        plan = task.media
        if task.is_image and suffix == "png" and stem.isdigit() and int(stem) < task.image_count:
            return ranged_response(request, png_bytes(*plan.image), IMAGE_TYPE)
        if not task.is_image and name == "0.mp4":
            return ranged_response(request, mp4_bytes(plan.video or VideoSpec()), VIDEO_TYPE)
        return Response(b"not found", 404, media_type="text/plain")

    async def gateway(self, request: Request) -> Response:
        """Every request below ``/{gateway-id}/``."""
        return await self._serve(request.path_params["gateway"], request)

    async def root_gateway(self, request: Request) -> Response:
        """Every request when one gateway is served at the root of its port (``serve --root``)."""
        return await self._serve(self.config.root, request)

    async def _serve(self, gateway_id: str, request: Request) -> Response:
        gateway = self.gateways.get(gateway_id)
        if gateway is None:
            body = {"error": f"no gateway {gateway_id!r}", "gateways": sorted(self.gateways)}
            return Response(orjson.dumps(body), 404, media_type="application/json")
        path = "/" + request.path_params["rest"]
        method = request.method
        ctx: RenderContext = gateway.context(_origin(request))
        endpoint = gateway.endpoint_at(method, path)
        if endpoint is not None:  # beyond the task families (account.costs): same auth and limits
            refused = gateway.authenticate(request.headers, ctx, request.query_params) or gateway.rate_limit(ctx)
            return _json(refused or account_costs(gateway.profile, request.query_params, ctx))
        v3_route = gateway.v3.match(method, path) if gateway.v3 is not None else None
        if gateway.v3 is not None and v3_route is not None:  # the 3.x contract (profile family kling-v3)
            refused = gateway.authenticate(request.headers, ctx, request.query_params) or gateway.rate_limit(ctx)
            return _json(refused or await gateway.v3.serve(v3_route, request, ctx))
        extended = gateway.extended.match(method, path)
        if extended is not None:  # the extended families the profile documents (issue 17)
            refused = gateway.authenticate(request.headers, ctx, request.query_params) or gateway.rate_limit(ctx)
            return _json(refused or await gateway.extended.serve(extended, request, ctx))
        described = gateway.described.match(method, path, request.query_params) if gateway.described else None
        if gateway.described is not None and described is not None:  # routes only the description implies
            refused = gateway.authenticate(request.headers, ctx, request.query_params) or gateway.rate_limit(ctx)
            return _json(refused or gateway.described.serve(described, ctx))
        match = gateway.routes.match(method, path)
        if match is None or match.operation is None or not match.operation.supported:
            operation = match.operation if match is not None else None
            return _json(gateway.unsupported(method, path, ctx, operation))
        headers = request.headers
        refused = gateway.authenticate(headers, ctx, request.query_params) or gateway.rate_limit(ctx)
        if refused is not None:
            return _json(refused)
        operation = match.operation
        kind = operation.kind
        if kind == "create":
            answer = await gateway.create(operation, await request.body(), headers, ctx)
        elif kind == "get":
            answer = gateway.query(operation, match.task_id, ctx)
        else:
            answer = gateway.list(operation, request.query_params, ctx)
        return _json(answer)


def create_app(profiles: Sequence[GatewayProfile], config: EmulatorConfig | None = None) -> Starlette:
    """The emulator app: each profile under ``/{gateway-id}`` (or ``config.root`` at ``/``), ``GET /healthz``,
    media under ``/_media/``."""
    config = config or EmulatorConfig()
    state = EmulatorState(profiles, config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await state.callbacks.start()
        try:
            yield
        finally:
            await state.callbacks.stop()

    if config.root and config.root not in state.gateways:
        raise ValueError(f"root gateway {config.root!r} is not among the served profiles")
    routes = [
        Route("/healthz", state.healthz, methods=["GET"]),
        Route("/_media/{gateway}/{task_id}/{name}", state.media, methods=["GET", "HEAD"]),
        Route(EXTENDED_MEDIA_ROUTE, lambda r: extended_media(state.gateways, r), methods=["GET", "HEAD"]),
        Route("/{rest:path}", state.root_gateway, methods=_METHODS)
        if config.root
        else Route("/{gateway}/{rest:path}", state.gateway, methods=_METHODS),
    ]
    middleware = [
        Middleware(
            FaultMiddleware,
            plan=config.faults,
            seed=config.seed,
            gateways=list(state.gateways),
            error_body=state.error_body,
        )
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.emulator = state
    return app
