"""One emulated gateway: routing, auth, limits, validation, task creation and queries for one profile."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from conformance.emulator.auth import KeyChecker
from conformance.emulator.callbacks import CallbackDispatcher
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.described import DescribedFamily, DescribedRoutes, is_described
from conformance.emulator.extended import ExtendedFamilies
from conformance.emulator.families import family_for
from conformance.emulator.lifecycle import FAILURE_REASONS, base_schedule, build_timeline, new_id, new_request_id
from conformance.emulator.limits import RateLimiter
from conformance.emulator.media_plan import plan_media
from conformance.emulator.render import Answer, RenderContext
from conformance.emulator.routing import RouteTable
from conformance.emulator.state import Task, TaskStore
from conformance.emulator.v3 import V3Service
from conformance.emulator.validation import RequestProblem, check_create, emulator_extra, parse_body
from conformance.profiles.auth import read_token
from conformance.profiles.model import EndpointProfile, GatewayProfile, OperationProfile

OUTCOME_HEADER = "x-emulator-outcome"
_IMAGE_FIELDS = ("image", "image_tail", "human_image", "image_url")
PAGE_NUM_BOUNDS = (1, 1000)
PAGE_SIZE_BOUNDS = (1, 500)


class Gateway:
    """A profile brought to life. Shared state (store, generator, callbacks) comes from the app."""

    def __init__(
        self,
        profile: GatewayProfile,
        config: EmulatorConfig,
        store: TaskStore,
        rng: random.Random,
        callbacks: CallbackDispatcher,
        limiter: RateLimiter | None,
    ) -> None:
        self.profile = profile
        self.family = family_for(profile)
        self.described: DescribedRoutes | None = None
        if is_described(profile):  # a custom profile served from its own description
            described = DescribedFamily(self)
            self.family, self.described = described, DescribedRoutes(self, described)
        self.routes = RouteTable(profile)
        self._config = config
        self._store = store
        self._rng = rng
        self._callbacks = callbacks
        self._limiter = limiter
        self._endpoints = {(e.method, e.path.rstrip("/")): e for e in profile.endpoints.values() if e.supported}
        self.accepts = tuple(config.auth_accepts.get(profile.id, profile.auth.accepted))
        self._keys = KeyChecker(config.keys, self.accepts)
        self._schedule = base_schedule(profile, config)
        create_ops = [op for op in profile.operations.values() if op.kind == "create"]
        self._id_format = create_ops[0].id_format if create_ops else "kling-numeric"
        self._upstream_format = emulator_extra(profile).get("upstream_id_format", "kling-numeric")
        self.extended = ExtendedFamilies(self)  # the extended families the profile documents (issue 17)
        self.v3 = V3Service(self) if profile.family == "kling-v3" else None  # the 3.x contract

    @property
    def id(self) -> str:
        """The gateway id (its mount point)."""
        return self.profile.id

    def context(self, origin: str) -> RenderContext:
        """A render context for a request arriving now."""
        return RenderContext(now=self.now(), origin=origin, rng=self._rng)

    def now(self) -> float:
        """Current wall time: the configured clock, else ``time.time()``."""
        clock = self._config.clock
        return clock() if clock is not None else time.time()

    def endpoint_at(self, method: str, path: str) -> EndpointProfile | None:
        """The supported non-task endpoint (``account.costs``) at ``method path``, if any."""
        if not self._endpoints:
            return None
        return self._endpoints.get(("GET" if method == "HEAD" else method, path.rstrip("/") or "/"))

    # -- gatekeeping -------------------------------------------------------------------------------
    def authenticate(
        self, headers: Mapping[str, str], ctx: RenderContext, query: Mapping[str, str] | None = None
    ) -> Answer | None:
        """``None`` when the credential is accepted, else the gateway's own auth error.

        The token is read where the profile's ``[auth]`` puts it (header with its prefix, or a query
        parameter) and must be of a kind the gateway accepts (``accepts``, or ``serve --auth``).
        """
        token = read_token(self.profile.auth, headers, query or {})
        if token is None:
            return self.family.auth_error(self.profile, "missing", ctx)
        if not token:
            return self.family.auth_error(self.profile, "invalid", ctx)
        verdict = self._keys.check(token, ctx.now)
        return None if verdict is None else self.family.auth_error(self.profile, verdict.reason, ctx)

    def rate_limit(self, ctx: RenderContext) -> Answer | None:
        """``None`` when under the rate limit, else 429 with ``Retry-After``."""
        if self._limiter is None:
            return None
        wait = self._limiter.acquire(self.id, ctx.now)
        if wait is None:
            return None
        answer = self.family.rate_limited(self.profile, False, ctx)
        answer.headers["retry-after"] = str(wait)
        return answer

    def unsupported(self, method: str, path: str, ctx: RenderContext, operation: OperationProfile | None) -> Answer:
        """What the gateway answers for a route or operation it does not serve."""
        status = self.profile.errors.unsupported_status
        if operation is not None and operation.unsupported_status != 404:  # set explicitly on the operation
            status = operation.unsupported_status
        return self.family.unsupported(self.profile, method, path, status, ctx)

    # -- operations --------------------------------------------------------------------------------
    async def create(
        self, operation: OperationProfile, raw: bytes, headers: Mapping[str, str], ctx: RenderContext
    ) -> Answer:
        """Validate, then create a task on this gateway's schedule."""
        body, problem = parse_body(
            raw, headers.get("content-type", ""), checks_content_type=self.family.checks_content_type
        )
        if problem is None and body is not None and self.described is not None:
            operation, body, problem = self.described.accepting(operation, body)
        elif problem is None and body is not None:
            problem = check_create(self.profile, operation.operation_id, body)
        if problem is not None or body is None:
            return self.family.request_error(self.profile, problem or RequestProblem("not-json", "", "no body"), ctx)
        refused = self.family.submit_refused(self.profile, ctx)
        if refused is not None:  # the engine refuses every submit its own checks let through
            return refused
        started = await self.start_task(operation.operation_id, body, headers, ctx)
        if isinstance(started, Answer):
            return started
        return self.family.create_answer(self.profile, started, operation.success_status, ctx)

    async def start_task(
        self,
        operation_id: str,
        body: dict[str, Any],
        headers: Mapping[str, str],
        ctx: RenderContext,
        callback_body: Any = None,
    ) -> Task | Answer:
        """Create a task of ``operation_id`` from a validated ``body`` on this gateway's schedule.

        The concurrency limit answers 429 instead (an :class:`Answer`). ``callback_body(task, ctx)``
        renders the notification (default: the family's own); the extended families pass theirs.
        """
        forced = headers.get(OUTCOME_HEADER, "").lower()
        async with self._store.lock:
            if self._config.max_running_tasks is not None:
                running = self._store.running(self.id, ctx.now)
                if len(running) >= self._config.max_running_tasks:
                    answer = self.family.rate_limited(self.profile, True, ctx)
                    wait = min(t.finishes_at for t in running) - ctx.now
                    answer.headers["retry-after"] = str(max(1, int(wait + 0.999)))
                    return answer
            task = self._new_task(operation_id, body, ctx, forced)
            self._store.add_locked(task)
        if task.callback_url:
            body_for = callback_body or (lambda t, c: self.family.callback_body(self.profile, t, c))
            self._callbacks.schedule(task, ctx.origin, body_for)
        return task

    @property
    def store(self) -> TaskStore:
        """The shared task store."""
        return self._store

    def _new_task(self, operation_id: str, body: dict[str, Any], ctx: RenderContext, forced: str) -> Task:
        fail = forced == "failed" if forced in ("failed", "succeed") else self._rng.random() < self._config.fail_share
        task_id = new_id(self._id_format, self._rng)
        while self._store.contains(self.id, task_id):
            task_id = new_id(self._id_format, self._rng)
        upstream_id = task_id
        if self.family.own_ids:
            upstream_id = new_id(self._upstream_format, self._rng)
            while self._store.contains(self.id, upstream_id):
                upstream_id = new_id(self._upstream_format, self._rng)
        external = body.get("external_task_id")
        if "external_task_id" in self.profile.drops_fields:
            external = None
        callback = body.get("callback_url")
        if "callback_url" in self.profile.drops_fields or self.profile.lifecycle.callback == "none":
            callback = None
        raw_input = body.get("input")
        inner: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
        duration = body.get("duration", inner.get("duration", "5"))
        count = body.get("n", 1)
        task = Task(
            gateway=self.id,
            task_id=task_id,
            upstream_id=upstream_id,
            operation=operation_id,
            created=self.now(),  # after validation: the schedule starts when the task exists
            timeline=build_timeline(self._schedule, self._config.time_scale, self.profile.lifecycle.failed_word, fail),
            request_id=new_request_id(self._rng),
            row=len(self._store) + self._store.evicted + 1,
            model_name=str(body.get("model_name") or body.get("model") or "kling-v1"),
            duration=str(duration),
            image_count=count if isinstance(count, int) and 1 <= count <= 9 else 1,
            has_image=any(body.get(name) for name in _IMAGE_FIELDS),
            external_task_id=external if isinstance(external, str) and external else None,
            callback_url=callback if isinstance(callback, str) and callback else None,
            failure_reason=self._rng.choice(FAILURE_REASONS) if fail else "",
        )
        task.media = plan_media(self.profile, body, image=task.is_image)
        return task

    def query(self, operation: OperationProfile, task_id: str, ctx: RenderContext) -> Answer:
        """A single query by task id (or, where the gateway allows it, by external_task_id)."""
        task = self._store.get(self.id, task_id)
        if task is None and self.profile.external_id_query and not self.family.own_ids:
            task = self._store.by_external(self.id, task_id)
        if task is None or (not self.family.query_ignores_action and task.family != operation.family):
            return self.family.unknown_task(self.profile, task_id, ctx)
        return self.family.query_answer(self.profile, task, ctx)

    def list(self, operation: OperationProfile, params: Mapping[str, str], ctx: RenderContext) -> Answer:
        """The list query: ``pageNum``/``pageSize`` within the official bounds, optional external_task_id."""
        values: dict[str, int] = {}
        for name, default, (low, high) in (("pageNum", 1, PAGE_NUM_BOUNDS), ("pageSize", 30, PAGE_SIZE_BOUNDS)):
            text = params.get(name)
            try:
                value = default if text is None or text == "" else int(text)
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                problem = RequestProblem("invalid", name, f"{name}: must be an integer within [{low}, {high}]")
                return self.family.request_error(self.profile, problem, ctx)
            values[name] = value
        external = params.get("external_task_id")
        if external and self.profile.external_id_query:
            found = self._store.by_external(self.id, external)
            tasks = [found] if found is not None and found.family == operation.family else []
        else:
            start = (values["pageNum"] - 1) * values["pageSize"]
            tasks = []
            for index, task in enumerate(self._store.of_gateway(self.id, operation.family)):
                if index >= start + values["pageSize"]:
                    break
                if index >= start:
                    tasks.append(task)
        return self.family.list_answer(self.profile, tasks, ctx)
