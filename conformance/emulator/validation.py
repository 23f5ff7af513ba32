"""Request validation: the canonical request schema plus the profile's departures and flags.

The canonical part is ``conformance.spec.validate_request``; on top of it the profile decides what a
gateway refuses on its own (new-api: a missing prompt, Go type errors), what it forwards untouched
(``accepts_data_uri``), what it drops (``drops_fields``), which body key it routes on
(``extra["emulator"]["requires_model_field"]``: new-api reads ``model`` from the client's raw body) and
what a planted variant wrongly accepts (``extra["emulator"]["relax_fields"]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from conformance import spec
from conformance.jsonpath import get_path
from conformance.profiles.model import GatewayProfile

DATA_URI_MESSAGE = "File is not in a valid base64 format"

_JSON_KIND = {bool: "bool", int: "number", float: "number", str: "string", list: "array", dict: "object"}
_GO_TYPE = {
    "string": "string",
    "number": "float64",
    "integer": "int",
    "boolean": "bool",
    "array": "[]interface {}",
    "object": "map[string]interface {}",
}


@dataclass(frozen=True, slots=True)
class RequestProblem:
    """Why a create request is refused.

    ``kind``: ``not-json`` (unparsable body or wrong content-type), ``model`` (no model name where the
    gateway needs one), ``prompt`` (empty prompt where the gateway needs one), ``type`` (a value of the
    wrong JSON type), ``data-uri`` (an image with a ``data:`` prefix) or ``invalid`` (any other schema
    violation). ``message`` names the field; ``go_message`` is what a Go gateway's JSON decoder says.
    """

    kind: str
    field: str
    message: str
    go_message: str = ""


def emulator_extra(profile: GatewayProfile) -> dict[str, Any]:
    """``profile.extra["emulator"]`` (planted departures and knobs), or ``{}``."""
    extra = profile.extra.get("emulator", {}) if isinstance(profile.extra, dict) else {}
    return extra if isinstance(extra, dict) else {}


def _top_field(json_path: str) -> str:
    path = json_path[2:] if json_path.startswith("$.") else json_path.lstrip("$")
    for stop in (".", "["):
        path = path.split(stop, 1)[0]
    return path


def parse_body(
    raw: bytes, content_type: str, *, checks_content_type: bool
) -> tuple[dict[str, Any] | None, RequestProblem | None]:
    """The JSON object in ``raw``, or the problem that stops it."""
    if checks_content_type and "json" not in content_type.lower():
        return None, RequestProblem("not-json", "", f"unsupported Content-Type {content_type or '(none)'!r}")
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError as exc:
        return None, RequestProblem("not-json", "", f"invalid JSON body: {exc}")
    if not isinstance(body, dict):
        return None, RequestProblem("not-json", "", "the request body must be a JSON object")
    return body, None


def check_create(profile: GatewayProfile, operation_id: str, body: dict[str, Any]) -> RequestProblem | None:
    """The first reason ``profile`` refuses ``body`` for ``operation_id``, or ``None`` when it accepts it."""
    knobs = emulator_extra(profile)
    model_field = knobs.get("requires_model_field")
    if isinstance(model_field, str) and model_field:
        value = body.get(model_field)
        if not isinstance(value, str) or not value:  # new-api: gjson "model" of the client's raw body
            return RequestProblem("model", model_field, f"{model_field} is required")
    if knobs.get("requires_model_name") and not (body.get("model_name") or body.get("model")):
        return RequestProblem("model", "model_name", "model_name is required")
    if profile.requires_prompt:
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return RequestProblem("prompt", "prompt", "prompt is required")
    ignored = set(knobs.get("relax_fields", ())) | set(profile.drops_fields)
    checked = body
    if isinstance(model_field, str) and model_field:  # the gateway consumes it (new-api sends its own upstream)
        checked = {key: value for key, value in body.items() if key != model_field}
    problems: list[RequestProblem] = []
    for issue in spec.validate_request(operation_id, checked):
        field = _top_field(issue.json_path)
        if field in ignored:
            continue
        value = get_path(body, issue.json_path)
        if (issue.keyword == "pattern" and "data:" in issue.message) or (
            isinstance(value, str) and value.startswith("data:")
        ):
            if profile.accepts_data_uri:
                continue
            problems.append(RequestProblem("data-uri", field, DATA_URI_MESSAGE))
            continue
        location = issue.json_path[2:] if issue.json_path.startswith("$.") else issue.json_path
        message = f"{location}: {issue.message}" if location and location != "$" else issue.message
        if issue.keyword == "type":
            expected = str(issue.message).rsplit("'", 2)[-2] if issue.message.count("'") >= 2 else "string"
            go_message = (
                f"json: cannot unmarshal {_JSON_KIND.get(type(value), 'value')} into Go struct field "
                f"requestPayload.{field} of type {_GO_TYPE.get(expected, expected)}"
            )
            problems.append(RequestProblem("type", field, message, go_message))
        else:
            problems.append(RequestProblem("invalid", field, message))
    if not problems:
        return None
    return next((p for p in problems if p.kind == "type"), problems[0])
