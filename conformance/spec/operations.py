"""The canonical operations: metadata, resolved schemas, examples, the error-code table, validation.

Everything is derived from ``specs/kling.openapi.yaml`` once per process and cached; the validators of
every operation are compiled on first use and reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from conformance.errors import SpecError, UsageError, did_you_mean
from conformance.paths import canonical_spec_path
from conformance.spec.families import families
from conformance.spec.loading import load_canonical
from conformance.spec.resolve import RefResolver
from conformance.spec.validation import SchemaIssue, compiled

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = "application/json"
#: Prefix under which gateways resell the official ``/v1`` paths.
GATEWAY_PREFIX = "/kling"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One row of the official error table (``x-kling-error-codes``)."""

    code: int
    http_status: int
    definition: str
    explanation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationInfo:
    """One canonical operation, with self-contained (``$ref``-free) Draft 2020-12 schemas.

    ``path`` is the official template (``/v1/videos/image2video/{task_id}``); gateways serve it below
    :data:`GATEWAY_PREFIX` (:attr:`gateway_path`). ``response_schemas`` maps the HTTP status as a string
    (``"200"``, ``"429"``) to the JSON body schema. ``example_request`` is the first documented request
    body (``None`` for GET); ``example_response`` the first documented 200 body;
    ``response_examples`` every documented response body by status then example name;
    ``example_parameters`` the documented example of each path/query parameter.
    """

    operation_id: str
    method: str
    path: str
    summary: str
    description: str = ""
    request_schema: dict[str, Any] | None = None
    response_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    parameters: tuple[dict[str, Any], ...] = ()
    example_request: Any = None
    example_response: Any = None
    response_examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    example_parameters: dict[str, Any] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def family(self) -> str:
        """``image2video`` for ``image2video.create``."""
        return self.operation_id.rsplit(".", 1)[0]

    @property
    def kind(self) -> str:
        """``create``, ``get`` or ``list``."""
        return self.operation_id.rsplit(".", 1)[1]

    @property
    def gateway_path(self) -> str:
        """The template as gateways serve it: ``/kling/v1/videos/image2video``."""
        return GATEWAY_PREFIX + self.path


def _first_example(media: dict[str, Any], resolver: RefResolver) -> Any:
    examples = media.get("examples") or {}
    for example in examples.values():
        resolved = resolver.deref(example)
        if isinstance(resolved, dict) and "value" in resolved:
            return resolved["value"]
    return media.get("example")


def _all_examples(media: dict[str, Any], resolver: RefResolver) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, example in (media.get("examples") or {}).items():
        resolved = resolver.deref(example)
        if isinstance(resolved, dict) and "value" in resolved:
            found[str(name)] = resolved["value"]
    if "example" in media:
        found["example"] = media["example"]
    return found


def _build_operation(
    path: str, method: str, path_item: dict[str, Any], op: dict[str, Any], resolver: RefResolver
) -> OperationInfo:
    op_id = str(op["operationId"])
    raw_parameters = [*path_item.get("parameters", []), *op.get("parameters", [])]
    parameters = tuple(resolver.inline(resolver.deref(param)) for param in raw_parameters)
    example_parameters = {
        str(param["name"]): param["example"] for param in parameters if "example" in param and "name" in param
    }
    request_schema = None
    example_request = None
    body = resolver.deref(op.get("requestBody")) if op.get("requestBody") else None
    if isinstance(body, dict):
        media = (body.get("content") or {}).get(JSON_MEDIA)
        if isinstance(media, dict) and "schema" in media:
            standalone = resolver.standalone(media["schema"])
            request_schema = standalone if isinstance(standalone, dict) else None
            example_request = _first_example(media, resolver)
    response_schemas: dict[str, dict[str, Any]] = {}
    response_examples: dict[str, dict[str, Any]] = {}
    links: dict[str, dict[str, Any]] = {}
    for status, response in (op.get("responses") or {}).items():
        resolved = resolver.deref(response)
        media = ((resolved or {}).get("content") or {}).get(JSON_MEDIA)
        if isinstance(media, dict) and "schema" in media:
            standalone = resolver.standalone(media["schema"])
            if isinstance(standalone, dict):
                response_schemas[str(status)] = standalone
            response_examples[str(status)] = _all_examples(media, resolver)
        for name, link in ((resolved or {}).get("links") or {}).items():
            links[str(name)] = resolver.deref(link)
    ok_examples = response_examples.get("200", {})
    return OperationInfo(
        operation_id=op_id,
        method=method.upper(),
        path=path,
        summary=str(op.get("summary", "")),
        description=str(op.get("description", "")),
        request_schema=request_schema,
        response_schemas=response_schemas,
        parameters=parameters,
        example_request=example_request,
        example_response=next(iter(ok_examples.values()), None),
        response_examples=response_examples,
        example_parameters=example_parameters,
        links=links,
    )


def iter_operations(document: dict[str, Any], *, where: str = "spec") -> list[OperationInfo]:
    """Every operation with an ``operationId`` in ``document`` (any OpenAPI 3.1 document), in file order."""
    resolver = RefResolver(document, where=where)
    found: list[OperationInfo] = []
    for path, path_item in (document.get("paths") or {}).items():
        path_item = resolver.deref(path_item)
        if not isinstance(path_item, dict):
            continue
        for method in HTTP_METHODS:
            op = path_item.get(method)
            if isinstance(op, dict) and op.get("operationId"):
                found.append(_build_operation(str(path), method, path_item, op, resolver))
    return found


@lru_cache(maxsize=1)
def _canonical_operations() -> dict[str, OperationInfo]:
    return {op.operation_id: op for op in iter_operations(load_canonical(), where=str(canonical_spec_path()))}


def operation_ids() -> list[str]:
    """The 24 operationIds of the core task families (``<family>.create|get|list``), in spec order.

    The extended families' operations (issue 17) are in :func:`extended_operation_ids`.
    """
    core = {name for name, info in families().items() if info.tier == "core"}
    return [op_id for op_id, op in _canonical_operations().items() if op.family in core]


def extended_operation_ids() -> list[str]:
    """The operationIds of the extended families (``x-kling-families`` tier extended), in spec order."""
    core = set(operation_ids())
    return [op_id for op_id in _canonical_operations() if op_id not in core]


def all_operation_ids() -> list[str]:
    """Every operationId of the canonical spec, core and extended, in spec order."""
    return list(_canonical_operations())


def operation(op_id: str) -> OperationInfo:
    """The canonical operation ``op_id``; an unknown id raises ``UsageError`` with a suggestion."""
    operations = _canonical_operations()
    try:
        return operations[op_id]
    except KeyError:
        raise UsageError(
            f"unknown operation {op_id!r}.{did_you_mean(op_id, operations)}",
            field="operation",
            fix="use an operationId of the canonical spec, e.g. image2video.create",
        ) from None


@lru_cache(maxsize=1)
def error_codes() -> dict[int, ErrorCode]:
    """The official error table from the spec's ``x-kling-error-codes``: code → :class:`ErrorCode`."""
    table = load_canonical().get("x-kling-error-codes")
    where = str(canonical_spec_path())
    if not isinstance(table, dict):
        raise SpecError("missing the x-kling-error-codes table", where=where, field="x-kling-error-codes")
    codes: dict[int, ErrorCode] = {}
    for raw_code, row in table.items():
        try:
            code = int(raw_code)
            codes[code] = ErrorCode(
                code=code,
                http_status=int(row["http_status"]),
                definition=str(row["definition"]),
                explanation=str(row.get("explanation", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise SpecError(
                "each error code needs an integer key, http_status and definition",
                where=where,
                field=f"x-kling-error-codes.{raw_code}",
            ) from None
    return dict(sorted(codes.items()))


@lru_cache(maxsize=1)
def _callback_schema() -> dict[str, Any]:
    document = load_canonical()
    resolver = RefResolver(document, where=str(canonical_spec_path()))
    schema = resolver.standalone({"$ref": "#/components/schemas/CallbackTaskObject"})
    assert isinstance(schema, dict)
    return schema


def callback_schema() -> dict[str, Any]:
    """The self-contained schema of the body POSTed to ``callback_url`` (the bare task object)."""
    return _callback_schema()


def validate_request(op_id: str, body: Any) -> list[SchemaIssue]:
    """Why ``body`` is not a valid request body for ``op_id`` (``[]`` when it is)."""
    op = operation(op_id)
    if op.request_schema is None:
        if body is None:
            return []
        return [SchemaIssue("$", f"{op_id} takes no request body", "requestBody", "")]
    return compiled(op.request_schema).issues(body)


def validate_response(op_id: str, status_code: int, body: Any) -> list[SchemaIssue]:
    """Why ``body`` with HTTP ``status_code`` does not match ``op_id``'s documented response.

    A status the operation does not document is itself an issue (keyword ``status``). Ranges
    (``4XX``) and ``default`` are honoured when a spec uses them.
    """
    op = operation(op_id)
    status = str(status_code)
    schema = (
        op.response_schemas.get(status)
        or op.response_schemas.get(f"{status[:1]}XX")
        or op.response_schemas.get("default")
    )
    if schema is None:
        documented = ", ".join(sorted(op.response_schemas))
        return [SchemaIssue("$", f"HTTP {status_code} is not documented for {op_id} ({documented})", "status", "")]
    return compiled(schema).issues(body)


def validate_task_object(body: Any) -> list[SchemaIssue]:
    """Why ``body`` is not a valid callback body, i.e. a bare task object without the envelope."""
    return compiled(callback_schema()).issues(body)
