"""Behaviour families: how a Kling pass-through, a new-api and a one-hub gateway answer.

Statuses, codes and shapes come from the profile (``profile.errors``, operation shapes, lifecycle); a
family only adds what the profile data cannot say: message texts and the wrapper bodies of its engine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import orjson

from conformance.emulator.lifecycle import KLING_WORD
from conformance.emulator.render import (
    Answer,
    RenderContext,
    error_body,
    kling_envelope,
    kling_task_object,
    media_urls,
    stamp,
)
from conformance.emulator.state import Task
from conformance.emulator.validation import RequestProblem, emulator_extra
from conformance.models import TaskStatus
from conformance.profiles.model import GatewayProfile
from conformance.registry import Registry

#: What new-api's web router serves for any path it does not route (its single-page UI).
WEB_UI_PAGE = (
    b'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>New API</title></head>'
    b'<body><div id="root"></div><script type="module" src="/assets/index.js"></script></body></html>'
)


#: Characters of the random tails of new-api's and one-hub's request ids (GetRandomString).
_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Kling's own auth codes (§7/§8) by refusal reason.
_KLING_AUTH = {
    "missing": ("1001", "Authorization is empty"),
    "invalid": ("1002", "Authorization is invalid"),
    "not-yet-valid": ("1003", "Authorization is not yet valid"),
    "expired": ("1004", "Authorization has expired"),
}


class KlingFamily:
    """Official Kling and the pass-through gateways (family A)."""

    name = "kling"
    openai_type = "new_api_error"
    #: new-api looks a task up by id alone; Kling only finds it under its own action.
    query_ignores_action = False
    #: whether the gateway hands out its own ids and keeps the Kling id upstream.
    own_ids = False
    with_task_info = True
    #: whether a non-JSON Content-Type is refused (new-api decodes the body whatever the header says).
    checks_content_type = True

    # -- errors -------------------------------------------------------------------------------------
    def auth_error(self, profile: GatewayProfile, reason: str, ctx: RenderContext) -> Answer:
        """A refused key; ``reason`` is ``missing``, ``invalid``, ``not-yet-valid`` or ``expired``."""
        errors = profile.errors
        missing = reason == "missing"
        code = errors.auth_code if missing else errors.auth_invalid_code
        if errors.auth_shape == "kling-error":
            kling_code, message = _KLING_AUTH.get(reason, _KLING_AUTH["invalid"])
            if reason in ("not-yet-valid", "expired"):  # the profile names only the missing/invalid codes
                code = kling_code
        else:
            message = f"{'未提供令牌' if missing else '无效的令牌'} (request id: {self._openai_request_id(ctx)})"
        body = error_body(errors.auth_shape, code, message, ctx, openai_type=self.openai_type)
        return Answer(errors.auth_status, body)

    def request_error(self, profile: GatewayProfile, problem: RequestProblem, ctx: RenderContext) -> Answer:
        """A request the gateway refuses before creating a task."""
        errors = profile.errors
        if problem.kind == "type":
            return Answer(
                errors.type_mismatch_status, error_body(errors.shape, errors.type_mismatch_code, problem.message, ctx)
            )
        if problem.kind == "not-json":
            return Answer(400, error_body(errors.shape, "1200", "Invalid request parameters", ctx))
        code = errors.invalid_param_code
        if problem.kind == "prompt" and errors.missing_prompt_code:
            code = errors.missing_prompt_code
        return Answer(errors.invalid_param_status, error_body(errors.shape, code, problem.message, ctx))

    def submit_refused(self, profile: GatewayProfile, ctx: RenderContext) -> Answer | None:
        """The answer to a create that passed validation when the engine refuses it all the same, from
        ``[emulator] submit_error = {status, code, message}`` (one-hub: no Kling provider is registered);
        ``None`` creates the task."""
        refusal = _knob_error(profile, "submit_error")
        if refusal is None:
            return None
        status, code, message = refusal
        return Answer(status, error_body(profile.errors.shape, code, message, ctx))

    def unknown_task(self, profile: GatewayProfile, task_id: str, ctx: RenderContext) -> Answer:
        """A query for an id the gateway does not know."""
        errors = profile.errors
        return Answer(
            errors.unknown_task_status,
            error_body(errors.unknown_task_shape, errors.unknown_task_code, "task not found", ctx),
        )

    def unsupported(self, profile: GatewayProfile, method: str, path: str, status: int, ctx: RenderContext) -> Answer:
        """A route or operation the gateway does not serve (``errors.unsupported_*``)."""
        errors = profile.errors
        if errors.unsupported_shape in ("not-json", "empty"):
            body = WEB_UI_PAGE if errors.unsupported_shape == "not-json" else b""
            return Answer(status, body, {"content-type": "text/html; charset=utf-8"})
        message = (
            "Invalid request method" if errors.unsupported_shape == "kling-error" else f"unsupported: {method} {path}"
        )
        return Answer(
            status,
            error_body(errors.unsupported_shape, errors.unsupported_code, message, ctx, openai_type=self.openai_type),
        )

    def rate_limited(self, profile: GatewayProfile, concurrency: bool, ctx: RenderContext) -> Answer:
        """Rate (1302) or concurrency (1303) limit."""
        errors = profile.errors
        if concurrency and errors.shape == "kling-error":
            code, message = "1303", "parallel task over resource pack limit"
        else:
            code, message = errors.rate_limit_code, errors.rate_limit_message
        return Answer(errors.rate_limit_status, error_body(errors.shape, code, message, ctx))

    # -- success ------------------------------------------------------------------------------------
    def create_answer(self, profile: GatewayProfile, task: Task, status: int, ctx: RenderContext) -> Answer:
        """The answer to an accepted create."""
        data = kling_task_object(
            task, ctx, profile.lifecycle.timestamp_unit, with_info=self.with_task_info, creating=True
        )
        return Answer(status, kling_envelope(data, ctx))

    def query_answer(self, profile: GatewayProfile, task: Task, ctx: RenderContext) -> Answer:
        """The answer to a single query."""
        data = kling_task_object(task, ctx, profile.lifecycle.timestamp_unit, with_info=self.with_task_info)
        return Answer(200, kling_envelope(data, ctx))

    def list_answer(self, profile: GatewayProfile, tasks: Sequence[Task], ctx: RenderContext) -> Answer:
        """The answer to a list query (``data`` is an array)."""
        unit = profile.lifecycle.timestamp_unit
        data = [kling_task_object(t, ctx, unit, with_info=self.with_task_info) for t in tasks]
        return Answer(200, kling_envelope(data, ctx))

    def callback_body(self, profile: GatewayProfile, task: Task, ctx: RenderContext) -> dict[str, Any]:
        """The official bare task object POSTed to ``callback_url`` (Kling words, upstream id)."""
        word = KLING_WORD[task.phase(ctx.now).status]
        return kling_task_object(task, ctx, "ms", word=word, upstream_id=True)

    @staticmethod
    def _openai_request_id(ctx: RenderContext) -> str:
        return time.strftime("%Y%m%d%H%M%S", time.gmtime(ctx.now)) + "".join(
            str(ctx.rng.randrange(10)) for _ in range(12)
        )


def _knob_error(profile: GatewayProfile, name: str) -> tuple[int, str, str] | None:
    """``[emulator] <name> = {status, code, message}`` of the profile, or ``None``."""
    knob = emulator_extra(profile).get(name)
    if not isinstance(knob, dict):
        return None
    return int(knob.get("status", 500)), str(knob.get("code", "")), str(knob.get("message", ""))


class OneHubFamily(KlingFamily):
    """MartialBE/one-hub (and deanxv/done-hub): the upstream envelope re-marshalled (task_info dropped),
    own error texts, as recorded through one-hub 387f8bf1 (``cassettes/engines/one-hub/onehub/``).

    Its own checks come first: the JSON bind into ``KlingTask`` (a wrong type is 400 ``invalid_request``
    with Go's message) and ``actionValidate`` (duration "5"/"10"); the profile's ``[emulator]`` knobs say
    what follows them (``submit_error``: every other create is refused because no Kling provider is
    registered; ``content_type_error``: a non-JSON Content-Type panics in the form binder).
    """

    name = "onehub"
    openai_type = "one_hub_error"
    with_task_info = False

    def auth_error(self, profile: GatewayProfile, reason: str, ctx: RenderContext) -> Answer:
        """middleware/auth.go:116-130: 401 ``{"error":{"message":"无效的令牌 (request id: …)","type":…}}``,
        no ``code`` key, the same text for a missing and an unknown key."""
        errors = profile.errors
        if errors.auth_shape != "openai-error":
            return super().auth_error(profile, reason, ctx)
        stamp_digits = time.strftime("%Y%m%d%H%M%S", time.gmtime(ctx.now))
        tail = "".join(str(ctx.rng.randrange(10)) for _ in range(10)) + "".join(
            ctx.rng.choice(_ALNUM) for _ in range(7)
        )
        message = f"无效的令牌 (request id: {stamp_digits}{tail})"
        return Answer(errors.auth_status, {"error": {"message": message, "type": self.openai_type}})

    def unknown_task(self, profile: GatewayProfile, task_id: str, ctx: RenderContext) -> Answer:
        errors = profile.errors
        body: dict[str, Any] = {"code": errors.unknown_task_code, "message": ""}
        return Answer(errors.unknown_task_status, body)

    def request_error(self, profile: GatewayProfile, problem: RequestProblem, ctx: RenderContext) -> Answer:
        errors = profile.errors
        knobs = emulator_extra(profile)
        panic = _knob_error(profile, "content_type_error")
        if panic is not None and problem.kind == "not-json" and problem.message.startswith("unsupported Content-Type"):
            return Answer(panic[0], {"code": panic[1], "message": panic[2]})
        if problem.kind == "type" and knobs.get("go_struct"):
            message = problem.go_message.replace("requestPayload.", f"{knobs['go_struct']}.")
            return Answer(errors.type_mismatch_status, {"code": errors.type_mismatch_code, "message": message})
        if problem.kind == "invalid" and problem.field == "duration" and knobs.get("duration_message"):
            message = str(knobs["duration_message"])  # submit.go:92-109 actionValidate
            return Answer(errors.type_mismatch_status, {"code": errors.type_mismatch_code, "message": message})
        refused = self.submit_refused(profile, ctx)
        if refused is not None and problem.kind not in ("type", "not-json"):
            return refused  # one-hub's own checks passed; the Kling checks would come from upstream
        if problem.kind in ("type", "not-json"):
            code, status = errors.type_mismatch_code, errors.type_mismatch_status
        else:
            code, status = errors.invalid_param_code, errors.invalid_param_status
        return Answer(status, {"code": code, "message": problem.message})

    def submit_refused(self, profile: GatewayProfile, ctx: RenderContext) -> Answer | None:
        refusal = _knob_error(profile, "submit_error")
        return None if refusal is None else Answer(refusal[0], {"code": refusal[1], "message": refusal[2]})

    def unsupported(self, profile: GatewayProfile, method: str, path: str, status: int, ctx: RenderContext) -> Answer:
        errors = profile.errors
        return Answer(
            status, {"code": errors.unsupported_code, "message": f"unsupported kling action: {method} {path}"}
        )

    def rate_limited(self, profile: GatewayProfile, concurrency: bool, ctx: RenderContext) -> Answer:
        errors = profile.errors
        return Answer(errors.rate_limit_status, {"code": errors.rate_limit_code, "message": errors.rate_limit_message})


_PROGRESS = {
    TaskStatus.SUBMITTED: "10%",
    TaskStatus.PROCESSING: "30%",
    TaskStatus.SUCCEED: "100%",
    TaskStatus.FAILED: "100%",
}


class NewApiFamily(KlingFamily):
    """QuantumNous/new-api: OpenAI-video on submit, ``{code:"success",data:TaskDto}`` on query.

    Texts are the engine's English defaults since c44474608 (2026-02-05), as recorded through new-api
    2d8e50bf (``cassettes/engines/new-api/newapi/``): one ``Invalid token`` for a missing or a bad key,
    ``Model name not specified…`` when the raw body has no ``model`` (``middleware/distributor.go:80-83``).
    """

    name = "newapi"
    query_ignores_action = True
    own_ids = True
    checks_content_type = False

    def auth_error(self, profile: GatewayProfile, reason: str, ctx: RenderContext) -> Answer:
        """middleware/auth.go:409-425: the same 401 text whether the key is missing, unknown or expired."""
        errors = profile.errors
        if errors.auth_shape != "openai-error":
            return super().auth_error(profile, reason, ctx)
        code = errors.auth_code if reason == "missing" else errors.auth_invalid_code
        message = f"Invalid token (request id: {self._openai_request_id(ctx)})"
        return Answer(errors.auth_status, error_body("openai-error", code, message, ctx, openai_type=self.openai_type))

    @staticmethod
    def _openai_request_id(ctx: RenderContext) -> str:
        """common/utils.go:268-283: 14 time digits, 9 nanosecond digits, 8 hex and 8 random characters."""
        stamp_digits = time.strftime("%Y%m%d%H%M%S", time.gmtime(ctx.now))
        nanos = "".join(str(ctx.rng.randrange(10)) for _ in range(9))
        hexes = "".join(ctx.rng.choice("0123456789abcdef") for _ in range(8))
        return stamp_digits + nanos + hexes + "".join(ctx.rng.choice(_ALNUM) for _ in range(8))

    def request_error(self, profile: GatewayProfile, problem: RequestProblem, ctx: RenderContext) -> Answer:
        errors = profile.errors
        routes_on_model = bool(emulator_extra(profile).get("requires_model_field"))
        if problem.kind == "not-json" and routes_on_model:  # distributor.go:37-40, 218-220
            request_id = self._openai_request_id(ctx)
            message = f"Invalid request: Invalid request: invalid JSON request body (request id: {request_id})"
            return Answer(400, error_body("openai-error", "", message, ctx, openai_type=self.openai_type))
        if problem.kind == "type":
            message = f"unmarshal metadata failed: unmarshal metadata failed: {problem.go_message or problem.message}"
            return Answer(
                errors.type_mismatch_status, error_body("newapi-error", errors.type_mismatch_code, message, ctx)
            )
        if problem.kind in ("prompt", "not-json"):
            code = profile.errors.missing_prompt_code or "invalid_request"
            return Answer(400, error_body("newapi-error", code, problem.message, ctx))
        if problem.kind == "model":
            message = (
                f"Model name not specified, model name cannot be empty (request id: {self._openai_request_id(ctx)})"
            )
            return Answer(400, error_body("openai-error", "", message, ctx, openai_type=self.openai_type))
        # Forwarded: Kling refuses it and new-api relays the upstream body as a string.
        upstream = orjson.dumps({"code": 1201, "message": problem.message, "request_id": ctx.request_id()}).decode()
        return Answer(errors.invalid_param_status, error_body("newapi-error", errors.invalid_param_code, upstream, ctx))

    def unknown_task(self, profile: GatewayProfile, task_id: str, ctx: RenderContext) -> Answer:
        errors = profile.errors
        code = errors.unknown_task_code
        return Answer(errors.unknown_task_status, error_body(errors.unknown_task_shape, code, code, ctx))

    def unsupported(self, profile: GatewayProfile, method: str, path: str, status: int, ctx: RenderContext) -> Answer:
        if path.startswith(("/v1/", "/api/")) or profile.errors.unsupported_shape not in ("not-json", "empty"):
            body = {
                "error": {
                    "message": f"Invalid URL ({method} {path})",
                    "type": "invalid_request_error",
                    "param": "",
                    "code": "",
                }
            }
            return Answer(404, body)
        return super().unsupported(profile, method, path, status, ctx)

    def rate_limited(self, profile: GatewayProfile, concurrency: bool, ctx: RenderContext) -> Answer:
        errors = profile.errors
        body = error_body("newapi-error", errors.rate_limit_code, errors.rate_limit_message, ctx)
        return Answer(errors.rate_limit_status, body)

    def create_answer(self, profile: GatewayProfile, task: Task, status: int, ctx: RenderContext) -> Answer:
        body = {
            "id": task.task_id,
            "task_id": task.task_id,
            "object": "video",
            "model": task.model_name,
            "status": "queued",
            "progress": 0,
            "created_at": int(task.created),
        }
        return Answer(status, body)

    def query_answer(self, profile: GatewayProfile, task: Task, ctx: RenderContext) -> Answer:
        phase_index = task.phase_index(ctx.now)
        phase = task.timeline[phase_index]
        unit = profile.lifecycle.timestamp_unit
        started = next((p.at for p in task.timeline if p.status is TaskStatus.PROCESSING), None)
        # The stored raw body is the last upstream answer: the submit envelope until the first poll.
        upstream = kling_task_object(
            task, ctx, "ms", word=KLING_WORD[phase.status], upstream_id=True, creating=phase_index == 0
        )
        succeeded = phase.status is TaskStatus.SUCCEED
        dto: dict[str, Any] = {
            "id": task.row,
            "created_at": stamp(task.created, unit),
            "updated_at": stamp(task.entered_at(ctx.now), unit),
            "task_id": task.task_id,
            "platform": "50",
            "user_id": 1,
            "group": "default",
            "channel_id": 1,
            "quota": 0,
            "action": "generate" if task.has_image else "textGenerate",
            "status": phase.word,
            "fail_reason": task.failure_reason if phase.status is TaskStatus.FAILED else "",
            "submit_time": stamp(task.created, unit),
            "start_time": stamp(task.created + started, unit) if started is not None and phase_index > 0 else 0,
            "finish_time": stamp(task.entered_at(ctx.now), unit) if phase.status.is_terminal else 0,
            "progress": "0%" if phase_index == 0 else _PROGRESS.get(phase.status, "0%"),
            "properties": {"input": "", "upstream_model_name": task.model_name, "origin_model_name": task.model_name},
            "data": kling_envelope(upstream, ctx),
        }
        if succeeded:
            dto["result_url"] = media_urls(task, ctx.origin)[0]
        return Answer(200, {"code": "success", "message": "", "data": dto})

    def list_answer(self, profile: GatewayProfile, tasks: Sequence[Task], ctx: RenderContext) -> Answer:
        return Answer(
            200,
            {
                "code": "success",
                "message": "",
                "data": [self.query_answer(profile, t, ctx).body["data"] for t in tasks],
            },
        )


FAMILIES: Registry[KlingFamily] = Registry("emulator family")
FAMILIES.add("kling", KlingFamily())
FAMILIES.add("custom", KlingFamily())
FAMILIES.add("newapi", NewApiFamily())
FAMILIES.add("onehub", OneHubFamily())


def family_for(profile: GatewayProfile) -> KlingFamily:
    """The behaviour family modelling ``profile`` (``profile.family``; unknown families act as Kling)."""
    return FAMILIES.get(profile.family) if profile.family in FAMILIES else FAMILIES.get("kling")
