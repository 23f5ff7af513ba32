"""The Kling 3.x contract (``specs/kling-v3.openapi.yaml``): its operations, validation and webhook signatures.

A second contract, kept apart from the /v1 one: the model is in the path (``/text-to-video/{model}``), the
body carries ``settings{}``/``options{}``, the answer ``data.id``/``data.status``, a finished task is
``succeeded`` and notifications are signed. The signature scheme is in the spec's
``x-kling-webhook-signature`` (Standard Webhooks assumed, marked UNC there); signing uses the
``standardwebhooks`` reference library, verification adds a caller-supplied clock so a recorded
notification can be judged later at the time it was received.

Public API::

    load_v3(), operation_ids(), operation(op_id), validate_request(op_id, body), validate_response(...)
    webhook_scheme(), sign_webhook(secret, msg_id, timestamp, body), verify_webhook(secret, headers, body, now)
    v3_problems(document)   # the rules `spec check` applies to a 3.x document
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from conformance.errors import SpecError, UsageError, did_you_mean
from conformance.paths import v3_spec_path
from conformance.spec.loading import load_yaml
from conformance.spec.operations import OperationInfo, iter_operations
from conformance.spec.validation import SchemaIssue, compiled

#: The statuses of the 3.x family, in lifecycle order (``succeeded``, not /v1's ``succeed``).
V3_STATUSES = ("submitted", "processing", "succeeded", "failed")
#: Create operations: the model is in their path.
CREATE_OPERATIONS = ("text-to-video.create", "image-to-video.create")


@lru_cache(maxsize=1)
def load_v3() -> dict[str, Any]:
    """The 3.x spec as a dict, parsed once per process (treat it as read-only)."""
    document = load_yaml(v3_spec_path())
    if not isinstance(document, dict):
        raise SpecError("the 3.x spec is not a YAML mapping", where=str(v3_spec_path()))
    return document


@lru_cache(maxsize=1)
def _operations() -> dict[str, OperationInfo]:
    return {op.operation_id: op for op in iter_operations(load_v3(), where=str(v3_spec_path()))}


def operation_ids() -> list[str]:
    """The 3.x operationIds, in spec order."""
    return list(_operations())


def operation(op_id: str) -> OperationInfo:
    """The 3.x operation ``op_id``; an unknown id raises ``UsageError`` with a suggestion."""
    try:
        return _operations()[op_id]
    except KeyError:
        raise UsageError(
            f"unknown 3.x operation {op_id!r}.{did_you_mean(op_id, _operations())}",
            field="operation",
            fix="use an operationId of specs/kling-v3.openapi.yaml, e.g. text-to-video.create",
        ) from None


def validate_request(op_id: str, body: Any) -> list[SchemaIssue]:
    """Why ``body`` is not a valid 3.x request body for ``op_id`` (``[]`` when it is)."""
    schema = operation(op_id).request_schema
    if schema is None:
        return [] if body is None else [SchemaIssue("$", f"{op_id} takes no request body", "requestBody", "")]
    return compiled(schema).issues(body)


def validate_response(op_id: str, status_code: int, body: Any) -> list[SchemaIssue]:
    """Why ``body`` with HTTP ``status_code`` is not what ``op_id`` documents."""
    schema = operation(op_id).response_schemas.get(str(status_code))
    if schema is None:
        return [SchemaIssue("$", f"HTTP {status_code} is not documented for {op_id}", "status", "")]
    return compiled(schema).issues(body)


@dataclass(frozen=True, slots=True)
class WebhookScheme:
    """How notifications are signed (``x-kling-webhook-signature``)."""

    id_header: str
    timestamp_header: str
    signature_header: str
    tolerance_seconds: int
    confidence: str


@lru_cache(maxsize=1)
def webhook_scheme() -> WebhookScheme:
    """The signing scheme the 3.x spec declares."""
    raw = load_v3().get("x-kling-webhook-signature") or {}
    headers = raw.get("headers") or {}
    return WebhookScheme(
        id_header=str(headers.get("id", "webhook-id")),
        timestamp_header=str(headers.get("timestamp", "webhook-timestamp")),
        signature_header=str(headers.get("signature", "webhook-signature")),
        tolerance_seconds=int(raw.get("tolerance_seconds", 300)),
        confidence=str(raw.get("confidence", "UNC")),
    )


def _key(secret: str | bytes) -> bytes:
    """The HMAC key: raw bytes, or a Standard Webhooks secret (``whsec_`` + base64)."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_") :] + "==")
    return secret.encode("utf-8")


def sign_webhook(secret: str | bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for ``body`` sent as ``msg_id`` at ``timestamp`` (s)."""
    try:
        from standardwebhooks.webhooks import Webhook  # the reference implementation of the signed form
    except ImportError:  # an environment installed before the dependency was added: the same construction
        digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, "sha256").digest()
        return "v1," + base64.b64encode(digest).decode()
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    signer = Webhook(_key(secret))
    return str(signer.sign(msg_id=msg_id, timestamp=moment, data=body.decode("utf-8")))


def signed_headers(secret: str | bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers a signed notification carries."""
    scheme = webhook_scheme()
    return {
        scheme.id_header: msg_id,
        scheme.timestamp_header: str(timestamp),
        scheme.signature_header: sign_webhook(secret, msg_id, timestamp, body),
    }


@dataclass(frozen=True, slots=True)
class WebhookVerdict:
    """The outcome of :func:`verify_webhook`: ``ok``, or why not (``reason``)."""

    ok: bool
    reason: str = ""


def verify_webhook(secret: str | bytes, headers: dict[str, str], body: bytes, now: float) -> WebhookVerdict:
    """Whether ``body`` with ``headers`` is signed with ``secret`` and fresh at ``now`` (Unix seconds).

    Never raises on content: a missing or malformed header, a stale or future timestamp, an unknown
    version or a wrong signature are each a verdict with its reason.
    """
    scheme = webhook_scheme()
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    msg_id = lowered.get(scheme.id_header, "")
    stamp = lowered.get(scheme.timestamp_header, "")
    signatures = lowered.get(scheme.signature_header, "")
    missing = [
        name
        for name, value in (
            (scheme.id_header, msg_id),
            (scheme.timestamp_header, stamp),
            (scheme.signature_header, signatures),
        )
        if not value
    ]
    if missing:
        return WebhookVerdict(False, f"missing header(s): {', '.join(missing)}")
    if not stamp.isdigit() or len(stamp) > 12:
        return WebhookVerdict(False, f"{scheme.timestamp_header} is not Unix seconds: {stamp[:40]!r}")
    age = now - int(stamp)
    if abs(age) > scheme.tolerance_seconds:
        when = "old" if age > 0 else "in the future"
        return WebhookVerdict(False, f"timestamp {int(abs(age))} s {when} (tolerance {scheme.tolerance_seconds} s)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return WebhookVerdict(False, "the body is not UTF-8")
    expected = sign_webhook(secret, msg_id, int(stamp), text.encode("utf-8")).split(",", 1)[1]
    versions: set[str] = set()
    for item in signatures.split(" ")[:16]:
        version, _, value = item.partition(",")
        versions.add(version)
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return WebhookVerdict(True)
    if "v1" not in versions:
        return WebhookVerdict(False, f"no v1 signature in {scheme.signature_header}")
    return WebhookVerdict(False, "no signature matches the body (wrong secret, or the body was changed)")


def v3_problems(document: dict[str, Any], operations: list[OperationInfo]) -> list[str]:
    """The project's rules for a 3.x document (``x-kling-contract: kling-v3``); ``[]`` when it holds them."""
    problems: list[str] = []
    found = {op.operation_id: op for op in operations}
    for op_id in CREATE_OPERATIONS:
        op = found.get(op_id)
        if op is None:
            problems.append(f"missing {op_id}")
            continue
        if "{model}" not in op.path:
            problems.append(f"{op_id}: the model must be in the path ({op.path})")
        if op.example_request is None or compiled(op.request_schema or {}).issues(op.example_request):
            problems.append(f"{op_id}: needs a request example that validates")
        for v1_name in ("model_name", "callback_url"):
            body = dict(op.example_request or {}, **{v1_name: "x"})
            if op.request_schema is not None and not compiled(op.request_schema).issues(body):
                problems.append(f"{op_id}: the /v1 spelling {v1_name!r} must be refused")
    if "tasks.get" not in found:
        problems.append("missing tasks.get (GET /tasks)")
    status = ((document.get("components") or {}).get("schemas") or {}).get("TaskStatus") or {}
    if tuple(status.get("enum") or ()) != V3_STATUSES:
        problems.append(f"components.schemas.TaskStatus must be {list(V3_STATUSES)} (succeeded, not succeed)")
    signature = document.get("x-kling-webhook-signature")
    if not isinstance(signature, dict) or not {"scheme", "headers", "tolerance_seconds", "confidence"} <= set(
        signature
    ):
        problems.append("x-kling-webhook-signature needs scheme, headers, tolerance_seconds and confidence")
    for op in operations:
        for status_code, examples in op.response_examples.items():
            schema = op.response_schemas.get(status_code)
            if schema is None:
                continue
            for name, body in examples.items():
                if compiled(schema).issues(body):
                    problems.append(f"{op.operation_id}: {status_code} example {name} does not validate")
    return problems
