"""A gateway served from its own profile description: answers written by its reading shapes, its protocol.

A ``family = "custom"`` profile that describes its own answers (``[[reading.shapes]]`` or a bundled shape
named by ``response_shape`` / ``[errors]``), request dialect (``.request``) or task protocol (``.task``)
is served as itself: every body is written from the shape the profile says that answer has
(:mod:`conformance.emulator.writer`), status words come from its ``[reading.statuses]``, the create body
carries the task protocol's own places (task id, poll and result URLs, as paths below the base URL, which
the harness follows like a gateway's own absolute URLs), and the poll and result endpoints
are routed (a query-string get such as ``recordInfo?taskId={task_id}``, or ``<get path>/status`` when the
get answer has no status place). So ``run --emulator --profile my.toml`` runs the catalog against a stub
that reads exactly as the profile says. Nothing here names a gateway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.emulator.families import KlingFamily
from conformance.emulator.lifecycle import KLING_WORD
from conformance.emulator.render import Answer, RenderContext, error_body, media_urls, video_duration
from conformance.emulator.state import Task
from conformance.emulator.validation import RequestProblem
from conformance.emulator.writer import find_shape, http_of, place_value, write_shape
from conformance.models import TaskStatus
from conformance.profiles.model import GatewayProfile, OperationProfile

if TYPE_CHECKING:
    from conformance.emulator.gateway import Gateway

#: Response shapes the Kling family itself renders.
KLING_SHAPES = frozenset({"kling", "kling-error"})
_AUTH_TEXT = {"missing": "missing API key", "invalid": "invalid API key"}


def is_described(profile: GatewayProfile) -> bool:
    """Whether ``profile`` is served from its own description (a custom profile that is not Kling-shaped)."""
    if profile.family != "custom":
        return False
    return any(
        op.request is not None or op.task is not None or op.response_shape not in KLING_SHAPES
        for op in profile.operations.values()
        if op.supported
    )


def description_gaps(profile: GatewayProfile) -> list[str]:
    """What of a described profile's answers no shape says (empty: it can be served as itself)."""
    gaps: list[str] = []
    own = bool((profile.reading_data or {}).get("shapes"))
    for op_id, op in profile.operations.items():
        if not op.supported or op.kind == "list":
            continue
        if op.response_shape in KLING_SHAPES and not own:
            declared = [w for w, on in (("its own request body", op.request), ("its own task protocol", op.task)) if on]
            gaps.append(
                f"{op_id} declares {' and '.join(declared) or 'a custom family'} but documents no answer of its "
                f"own (response_shape {op.response_shape!r}, no [[reading.shapes]])"
            )
        elif find_shape(op.response_shape, profile.reading_data or {}) is None:
            gaps.append(f"{op_id} answers {op.response_shape!r}, which no shape describes")
    return gaps


def raw_word(profile: GatewayProfile, status: TaskStatus) -> str:
    """The gateway's own word for ``status``: the first ``[reading.statuses]`` word mapping to it."""
    for word, canonical in ((profile.reading_data or {}).get("statuses") or {}).items():
        if canonical == status.value:
            return str(word)
    return KLING_WORD[status]


@dataclass(frozen=True, slots=True)
class DescribedRoute:
    """A route only the description implies: a get by query parameter, or a synthesized status endpoint."""

    operation: OperationProfile
    purpose: str  # "get" | "poll"
    task_id: str


class DescribedFamily(KlingFamily):
    """Answers of one described gateway, written from its profile's shapes (one instance per gateway)."""

    name = "described"
    with_task_info = False
    #: ids are unique per gateway, and families may share one get path (``/requests/{task_id}``)
    query_ignores_action = True

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    # -- places -----------------------------------------------------------------------------------
    def _shape(self, profile: GatewayProfile, shape_id: str, needs: tuple[str, ...]) -> Any:
        return find_shape(shape_id, profile.reading_data or {}, needs=needs)

    def _error(
        self, profile: GatewayProfile, shape_id: str, status: int, code: str, message: str, ctx: RenderContext
    ) -> Answer:
        source = self._shape(profile, shape_id, ("error_code", "error_message"))
        if source is None:  # an error shape no description writes: the Kling family's builders
            return Answer(status, error_body(shape_id, code, message, ctx))
        body = write_shape(source, {"error_code": code, "error_message": message, "failure_reason": message})
        return Answer(http_of(source, status), body)

    def values(self, task: Task, ctx: RenderContext, *, creating: bool = False) -> dict[str, Any]:
        """The canonical values of ``task`` now (timestamps in seconds)."""
        profile = self.gateway.profile
        phase = task.timeline[0] if creating else task.phase(ctx.now)
        values: dict[str, Any] = {
            "task_id": task.task_id,
            "status": raw_word(profile, phase.status),
            "external_task_id": task.external_task_id,
            "created_at": task.created,
            "updated_at": task.created if creating else task.entered_at(ctx.now),
        }
        if phase.status is TaskStatus.SUCCEED:
            urls = media_urls(task, ctx.origin)
            values["image_urls" if task.is_image else "video_urls"] = urls
            if not task.is_image:
                values["video_durations"] = [video_duration(task)]
        elif phase.status is TaskStatus.FAILED:
            values["failure_reason"] = task.failure_reason
        return values

    def _protocol(self, op: OperationProfile | None) -> Any:
        return op.task if op is not None else None

    def poll_path(self, task: Task) -> str:
        """Where this gateway's status endpoint for ``task`` is (below the base URL)."""
        get_op = self.gateway.profile.operation(f"{task.family}.get")
        path = get_op.path.replace("{task_id}", task.task_id) if get_op is not None else f"/tasks/{task.task_id}"
        if get_op is not None and _places(self.gateway.profile, get_op.response_shape, "status"):
            return path
        return path.split("?", 1)[0] + "/status"

    def _with_protocol(self, body: Any, task: Task, ctx: RenderContext, word: str) -> Any:
        create_op = self.gateway.profile.operation(task.operation)
        protocol = self._protocol(create_op)
        if protocol is None or not isinstance(body, dict):
            return body
        get_op = self.gateway.profile.operation(f"{task.family}.get")
        if protocol.task_id:
            body = place_value(body, protocol.task_id, task.task_id)
        if protocol.poll_url:
            body = place_value(body, protocol.poll_url, self.poll_path(task))
        if protocol.result_url and get_op is not None:
            body = place_value(body, protocol.result_url, get_op.path.replace("{task_id}", task.task_id))
        if protocol.status:
            body = place_value(body, protocol.status, word)
        return body

    # -- answers ----------------------------------------------------------------------------------
    def create_answer(self, profile: GatewayProfile, task: Task, status: int, ctx: RenderContext) -> Answer:
        op = profile.operation(task.operation)
        shape_id = op.response_shape if op is not None else ""
        values = self.values(task, ctx, creating=True)
        source = self._shape(profile, shape_id, ("task_id",))
        body = write_shape(source, values) if source is not None else {}
        body = self._with_protocol(body, task, ctx, values["status"])
        return Answer(http_of(source, status) if source is not None else status, body)

    def poll_answer(self, task: Task, ctx: RenderContext) -> Answer:
        """The status endpoint: the create shape with the task's status now."""
        profile = self.gateway.profile
        op = profile.operation(task.operation)
        values = self.values(task, ctx)
        source = self._shape(profile, op.response_shape if op is not None else "", ("status",))
        body = write_shape(source, values) if source is not None else {}
        return Answer(200, self._with_protocol(body, task, ctx, values["status"]))

    def query_answer(self, profile: GatewayProfile, task: Task, ctx: RenderContext) -> Answer:
        get_op = profile.operation(f"{task.family}.get")
        shape_id = get_op.response_shape if get_op is not None else ""
        done = task.phase(ctx.now).status is TaskStatus.SUCCEED
        if not _places(profile, shape_id, "status") and not done:
            return self.poll_answer(task, ctx)  # a result endpoint without status: the status until the result
        source = self._shape(profile, shape_id, ("status", "video_urls"))
        values = self.values(task, ctx)
        body = write_shape(source, values) if source is not None else {}
        return Answer(
            200,
            self._with_protocol(body, task, ctx, values["status"]) if _places(profile, shape_id, "status") else body,
        )

    def list_answer(self, profile: GatewayProfile, tasks: Sequence[Task], ctx: RenderContext) -> Answer:
        return Answer(200, [self.query_answer(profile, task, ctx).body for task in tasks])

    def callback_body(self, profile: GatewayProfile, task: Task, ctx: RenderContext) -> dict[str, Any]:
        body = self.query_answer(profile, task, ctx).body
        return body if isinstance(body, dict) else {"data": body}

    # -- errors -----------------------------------------------------------------------------------
    def auth_error(self, profile: GatewayProfile, reason: str, ctx: RenderContext) -> Answer:
        errors = profile.errors
        code = errors.auth_code if reason == "missing" else errors.auth_invalid_code
        return self._error(profile, errors.auth_shape, errors.auth_status, code, _AUTH_TEXT.get(reason, reason), ctx)

    def request_error(self, profile: GatewayProfile, problem: RequestProblem, ctx: RenderContext) -> Answer:
        errors = profile.errors
        if problem.kind in ("type", "not-json"):
            return self._error(profile, errors.shape, errors.type_mismatch_status, errors.type_mismatch_code,
                               problem.message, ctx)  # fmt: skip
        code = errors.missing_prompt_code if problem.kind == "prompt" and errors.missing_prompt_code else None
        return self._error(
            profile, errors.shape, errors.invalid_param_status, code or errors.invalid_param_code, problem.message, ctx
        )

    def submit_refused(self, profile: GatewayProfile, ctx: RenderContext) -> Answer | None:
        return None

    def unknown_task(self, profile: GatewayProfile, task_id: str, ctx: RenderContext) -> Answer:
        errors = profile.errors
        return self._error(profile, errors.unknown_task_shape, errors.unknown_task_status, errors.unknown_task_code,
                           "task not found", ctx)  # fmt: skip

    def unsupported(self, profile: GatewayProfile, method: str, path: str, status: int, ctx: RenderContext) -> Answer:
        errors = profile.errors
        if errors.unsupported_shape in ("not-json", "empty"):
            return super().unsupported(profile, method, path, status, ctx)
        return self._error(profile, errors.unsupported_shape, status, errors.unsupported_code,
                           f"unsupported: {method} {path}", ctx)  # fmt: skip

    def rate_limited(self, profile: GatewayProfile, concurrency: bool, ctx: RenderContext) -> Answer:
        errors = profile.errors
        return self._error(profile, errors.shape, errors.rate_limit_status, errors.rate_limit_code,
                           errors.rate_limit_message, ctx)  # fmt: skip


def _constants_match(op: OperationProfile, body: dict[str, Any]) -> bool:
    """Whether ``body`` holds every literal constant the operation's request mapping sets (its model name)."""
    for path, value in op.request.set.items() if op.request is not None else ():
        if "{" in repr(value):  # a template filled from the request: not a constant
            continue
        node: Any = body
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node != value:
            return False
    return True


def _places(profile: GatewayProfile, shape_id: str, field: str) -> bool:
    from conformance.emulator.writer import _plain_fields

    source = find_shape(shape_id, profile.reading_data or {}, needs=(field,))
    return source is not None and field in _plain_fields(source.table, source.readers)


class DescribedRoutes:
    """The routes a description implies beyond the route table: gets by query parameter, status endpoints."""

    def __init__(self, gateway: Gateway, family: DescribedFamily) -> None:
        self.gateway = gateway
        self.family = family
        self._by_query: dict[str, tuple[OperationProfile, str]] = {}
        self._status_prefixes: list[tuple[str, str, OperationProfile]] = []
        for op in gateway.profile.operations.values():
            if not op.supported or op.kind != "get":
                continue
            path, _, query = op.path.partition("?")
            name = next((k for k, _, v in (p.partition("=") for p in query.split("&")) if v == "{task_id}"), "")
            if name:
                self._by_query[path.rstrip("/")] = (op, name)
            head, _, tail = path.partition("{task_id}")
            self._status_prefixes.append((head, tail.rstrip("/") + "/status", op))

    def accepting(
        self, operation: OperationProfile, body: dict[str, Any]
    ) -> tuple[OperationProfile, dict[str, Any], RequestProblem | None]:
        """The create operation that accepts ``body`` (read back from the gateway's dialect), its canonical
        body and ``None``; else the routed one with its problem. Operations sharing one path (one
        ``/api/v1/task`` for every family) are told apart by which of them accepts the body."""
        from conformance.emulator.validation import check_create
        from conformance.profiles.writing import unmap_request

        sharing = [operation] + [
            op for op in self.gateway.profile.operations.values()
            if op is not operation and op.supported and op.kind == "create" and op.path == operation.path
            and op.method == operation.method
        ]  # fmt: skip
        sharing.sort(key=lambda op: not _constants_match(op, body))  # stable: the routed one first among equals
        first: tuple[OperationProfile, dict[str, Any], RequestProblem | None] | None = None
        for op in sharing:
            canonical = unmap_request(op.request, body)
            problem = check_create(self.gateway.profile, op.operation_id, canonical)
            if problem is None:
                return op, canonical, None
            first = first or (op, canonical, problem)
        assert first is not None
        return first

    def match(self, method: str, path: str, query: Mapping[str, str]) -> DescribedRoute | None:
        """A described route for ``method path?query``, or ``None``."""
        if method not in ("GET", "HEAD"):
            return None
        found = self._by_query.get(path.rstrip("/"))
        if found is not None and query.get(found[1]):
            return DescribedRoute(found[0], "get", query[found[1]])
        for head, tail, op in self._status_prefixes:
            if path.startswith(head) and path.endswith(tail) and len(path) > len(head) + len(tail):
                task_id = path[len(head) : len(path) - len(tail)]
                if "/" not in task_id:
                    return DescribedRoute(op, "poll", task_id)
        return None

    def serve(self, route: DescribedRoute, ctx: RenderContext) -> Answer:
        """Answer a described route (auth and limits are the caller's)."""
        if route.purpose == "get":
            return self.gateway.query(route.operation, route.task_id, ctx)
        task = self.gateway.store.get(self.gateway.id, route.task_id)
        if task is None or task.family != route.operation.family:
            return self.family.unknown_task(self.gateway.profile, route.task_id, ctx)
        return self.family.poll_answer(task, ctx)
