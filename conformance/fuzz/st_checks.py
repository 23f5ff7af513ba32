"""Normalizer-aware Kling checks, registered as schemathesis custom checks.

Importing this module registers them with ``@schemathesis.check``; ``kling-conformance fuzz`` runs them
on every response, and ``st run`` users get them too::

    SCHEMATHESIS_HOOKS=conformance.fuzz.st_checks \\
    KLING_CONFORMANCE_GATEWAY=yibuapi \\
    st run specs/kling.openapi.yaml --url https://yibuapi.com/kling \\
        --header "Authorization: Bearer $YIBU_API_KEY" \\
        --checks not_a_server_error,kling_response_recognized,kling_error_body,kling_task_fields

``--url`` is the gateway's base URL *with* its path prefix (the spec's paths start at ``/v1``);
``kling-conformance serve`` prints that URL for every emulated gateway.

``KLING_CONFORMANCE_GATEWAY`` (optional) names the built-in profile (or a profile TOML path) the
normalizer reads responses with; without it responses are read the official Kling way. The checks see
through every envelope gateways use (Kling, new-api, OpenAI-video, flat), so they judge what a client
integration actually gets: a recognisable body, an error that says what went wrong, a task id that is
a string and a status word in Kling's vocabulary.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import orjson
import schemathesis

from conformance.models import TaskStatus

if TYPE_CHECKING:
    from conformance.normalize.result import NormalizedResponse
    from conformance.profiles.model import GatewayProfile

#: Environment variable naming the profile the checks read responses with (``st run`` users).
GATEWAY_ENV = "KLING_CONFORMANCE_GATEWAY"

#: The check names this module registers (the ``--checks`` list for ``st run``).
KLING_CHECKS: tuple[str, ...] = ("kling_response_recognized", "kling_error_body", "kling_task_fields")

_state: dict[str, Any] = {"profile": None, "resolved": False}


def use_profile(profile: GatewayProfile | None) -> None:
    """Read responses as ``profile`` says (``kling-conformance fuzz`` sets it per gateway)."""
    _state["profile"] = profile
    _state["resolved"] = True


def current_profile() -> GatewayProfile | None:
    """The profile set by :func:`use_profile`, else the one :data:`GATEWAY_ENV` names, else ``None``."""
    if not _state["resolved"]:
        name = os.environ.get(GATEWAY_ENV, "").strip()
        if name:
            from conformance.profiles import load_profile

            _state["profile"] = load_profile(name)
        _state["resolved"] = True
    profile: GatewayProfile | None = _state["profile"]
    return profile


def _normalized(response: Any) -> NormalizedResponse:
    from conformance.normalize import normalize

    return normalize(response.content or b"", status_code=response.status_code, profile=current_profile())


def _is_json(response: Any) -> bool:
    value = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return "json" in str(value).lower()


def _foreign_method(case: Any) -> bool:
    """The request used a method the operation does not have (schemathesis's TRACE/unsupported-method probes)."""
    sent = str(getattr(case, "method", "") or "").upper()
    declared = str(getattr(getattr(case, "operation", None), "method", "") or "").upper()
    return bool(sent and declared and sent != declared)


def _operation_id(case: Any) -> str:
    definition = getattr(getattr(case, "operation", None), "definition", None)
    raw = getattr(definition, "raw", None)
    value = raw.get("operationId") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else ""


def _is_list_body(response: Any) -> bool:
    """A JSON body whose ``data`` is an array: a page of tasks, not one task."""
    try:
        body = orjson.loads(response.content or b"")
    except orjson.JSONDecodeError:
        return False
    return isinstance(body, dict) and isinstance(body.get("data"), list)


def _not_ours_to_judge(response: Any, case: Any) -> bool:
    """A non-JSON answer to a method the operation lacks (e.g. TRACE -> plain-text 405) says nothing about Kling."""
    return _foreign_method(case) and not _is_json(response)


@schemathesis.check
def kling_response_recognized(ctx: Any, response: Any, case: Any) -> bool | None:
    """The body is one of the shapes Kling clients can read (Kling envelope, new-api, OpenAI-video, flat)."""
    if not response.content or _not_ours_to_judge(response, case):
        return None
    norm = _normalized(response)
    if norm.shape.value in ("unknown", "not-json") and (_is_json(response) or response.status_code < 300):
        notes = "; ".join(norm.notes[:3])
        raise AssertionError(
            f"HTTP {response.status_code} body is not a shape a Kling client can read ({norm.shape.value})"
            + (f": {notes}" if notes else "")
        )
    return None


@schemathesis.check
def kling_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx/5xx answer carries an error body with a code and a message (Kling: integer code + message)."""
    if response.status_code < 400 or _not_ours_to_judge(response, case):
        return None
    norm = _normalized(response)
    missing = [name for name, value in (("code", norm.error_code), ("message", norm.error_message)) if not value]
    if not norm.is_error or missing:
        what = ", ".join(missing) if missing else "an error shape"
        raise AssertionError(
            f"HTTP {response.status_code} error body lacks {what} (shape {norm.shape.value}); a client cannot "
            f"tell the user what went wrong"
        )
    return None


@schemathesis.check
def kling_task_fields(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 2xx task body has a string task id, a Kling status word and millisecond timestamps.

    List answers (a ``*.list`` operation, or a body whose ``data`` is an array) are pages of tasks, not a
    task, and answers to a method the operation does not have are not task bodies: both are skipped.
    """
    if not 200 <= response.status_code < 300 or not response.content:
        return None
    if _foreign_method(case) or _operation_id(case).endswith(".list") or _is_list_body(response):
        return None
    norm = _normalized(response)
    if norm.is_error or norm.shape.value in ("unknown", "not-json", "empty"):
        return None
    problems: list[str] = []
    if not norm.task_id:
        problems.append("no task id")
    if norm.status is None or norm.status is TaskStatus.UNKNOWN:
        problems.append(f"status word {norm.raw_status!r} is not in Kling's vocabulary")
    if norm.timestamp_unit not in (None, "ms"):
        problems.append(f"timestamps in {norm.timestamp_unit}, not milliseconds")
    if problems:
        raise AssertionError(f"task body ({norm.shape.value}): " + "; ".join(problems))
    return None
