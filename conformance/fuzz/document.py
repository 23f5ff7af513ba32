"""The OpenAPI document schemathesis fuzzes: the canonical spec merged with one gateway's departures.

Starting from ``specs/kling.openapi.yaml`` (never modified; we deep-copy it), :func:`fuzz_document`

- keeps only the operations the fuzz run targets (create operations the profile supports, plus their
  ``get`` for the create → get step) and moves each to the path the gateway serves it at
  (``/kling/v1/videos/image2video`` on a gateway, ``/v1/...`` on the official host);
- points ``servers`` at the target base URL and drops ``security`` (our client adds the key itself,
  so schemathesis never mutates or sends the Authorization header);
- merges the profile's reviewed departures: a ``request`` departure on ``$.<field>`` that the canonical
  request schema does not declare adds that property (the gateway documents it, so positive examples may
  send it); a response shape other than Kling's (``newapi-task``, ``openai-video``...) or a success status
  other than 200 relaxes the response schema of that operation, because schemathesis would otherwise
  report the documented departure on every example. Our normalizer-aware checks judge those bodies
  instead. Every merge is listed in the document's ``x-departures`` block.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from conformance.profiles.model import GatewayProfile

_HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True, kw_only=True)
class FuzzTarget:
    """The merged document and what it contains."""

    document: dict[str, Any]
    create_operations: tuple[str, ...]
    get_operations: dict[str, str]  # create op id -> get op id (only where the gateway supports the get)
    departures: tuple[dict[str, str], ...] = field(default=())

    def departure_for(self, operation: str, json_path: str) -> dict[str, str] | None:
        """The merged departure (profile departure) covering ``json_path`` of ``operation``, if any."""
        for item in self.departures:
            if item.get("operation") in ("", operation) and item.get("json_path") == json_path:
                return item
        return None


def _canonical_operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation object) of the canonical document."""
    out: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and isinstance(op.get("operationId"), str):
                out[op["operationId"]] = (path, method, op)
    return out


def _fuzzable(profile: GatewayProfile, create_id: str) -> bool:
    create = profile.operation(create_id)
    get = profile.operation(create_id.rsplit(".", 1)[0] + ".get")
    if create is None or create.request is not None or create.task is not None:
        return False
    return get is None or "?" not in get.path


def select_create_operations(profile: GatewayProfile, wanted: list[str] | None = None) -> list[str]:
    """Create operations to fuzz: ``wanted`` (ids or families) or every create the profile supports."""
    # The fuzzer generates canonical bodies: an operation that writes its own body (a profile's writing, e.g. the
    # 3.x contract or a marketplace) or whose query path carries a query string cannot be fuzzed with them.
    supported = [op for op in profile.supported_operations() if op.endswith(".create") and _fuzzable(profile, op)]
    if not wanted:
        return supported
    chosen: list[str] = []
    for item in wanted:
        op_id = item if item.endswith(".create") else f"{item}.create"
        if op_id in supported and op_id not in chosen:
            chosen.append(op_id)
    return chosen


def _schema_ref(schema: Any, components: dict[str, Any]) -> dict[str, Any] | None:
    """The (copied) component schema a request body ``$ref`` points at, so a property can be added to it."""
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        target = components.get("schemas", {}).get(ref.rsplit("/", 1)[1])
        return target if isinstance(target, dict) else None
    return None  # inline schemas belong to the shared canonical document: never modify them


def _relax_success(op: dict[str, Any], status: int, shape: str) -> dict[str, str] | None:
    """Accept the gateway's own success body shape/status instead of the canonical envelope."""
    responses = op.setdefault("responses", {})
    if shape == "kling" and status == 200:
        return None
    canonical = responses.get("200")
    relaxed = {
        "description": f"Gateway departure: {shape} body" + (f", HTTP {status}" if status != 200 else ""),
        "content": {"application/json": {"schema": {}}},
    }
    if shape == "kling" and isinstance(canonical, dict):
        relaxed = copy.deepcopy(canonical)
    responses[str(status)] = relaxed
    if status != 200:
        responses.pop("200", None)
    elif shape != "kling":
        responses["200"] = relaxed
    return {
        "operation": str(op.get("operationId", "")),
        "json_path": "$",
        "kind": "response",
        "reason": f"the gateway answers with a {shape} body (HTTP {status}) instead of the Kling envelope",
        "source": "profile",
    }


def fuzz_document(profile: GatewayProfile, base_url: str, create_operations: list[str]) -> FuzzTarget:
    """Build the document schemathesis loads for ``profile`` served at ``base_url``."""
    from conformance.spec import load_canonical

    canonical = load_canonical()
    ops = _canonical_operations(canonical)
    document: dict[str, Any] = {
        key: copy.deepcopy(value) for key, value in canonical.items() if key not in ("paths", "security", "servers")
    }
    components = document.setdefault("components", {})
    components.pop("securitySchemes", None)
    components.pop("callbacks", None)
    document["servers"] = [{"url": base_url.rstrip("/")}]
    paths: dict[str, Any] = {}
    departures: list[dict[str, str]] = []
    gets: dict[str, str] = {}
    for create_id in create_operations:
        family = create_id.rsplit(".", 1)[0]
        for op_id in (create_id, f"{family}.get"):
            canonical_op = ops.get(op_id)
            op_profile = profile.operation(op_id)
            if canonical_op is None or op_profile is None or not op_profile.supported:
                continue
            _, method, op = canonical_op
            op = copy.deepcopy(op)
            op.pop("security", None)
            op.pop("callbacks", None)
            relaxed = _relax_success(op, op_profile.success_status, op_profile.response_shape)
            if relaxed:
                departures.append(relaxed)
            if profile.errors.shape != "kling-error":
                for status in list(op.get("responses", {})):
                    if str(status).startswith(("4", "5")):
                        op["responses"][status] = {
                            "description": f"Gateway departure: {profile.errors.shape} error body",
                            "content": {"application/json": {"schema": {}}},
                        }
            paths.setdefault(op_profile.path, {})[method] = op
            if op_id.endswith(".get"):
                gets[create_id] = op_id
        departures.extend(_merge_request_departures(profile, create_id, ops, components))
    document["paths"] = paths
    document["x-departures"] = departures
    return FuzzTarget(
        document=document,
        create_operations=tuple(c for c in create_operations if c in ops),
        get_operations=gets,
        departures=tuple(departures),
    )


def _merge_request_departures(
    profile: GatewayProfile, create_id: str, ops: dict[str, tuple[str, str, dict[str, Any]]], components: dict[str, Any]
) -> list[dict[str, str]]:
    """Request departures of ``create_id``: declare documented extra fields; list every one for waivers."""
    merged: list[dict[str, str]] = []
    canonical_op = ops.get(create_id)
    body_schema: dict[str, Any] | None = None
    if canonical_op is not None:
        content = (canonical_op[2].get("requestBody") or {}).get("content", {})
        body_schema = _schema_ref((content.get("application/json") or {}).get("schema"), components)
    for departure in profile.departures:
        if departure.operation not in ("", create_id) or departure.kind != "request":
            continue
        path = departure.json_path
        entry = {
            "operation": create_id,
            "json_path": path,
            "kind": departure.kind,
            "reason": departure.reason,
            "source": departure.id,
        }
        top = path[2:].split(".", 1)[0].split("[", 1)[0] if path.startswith("$.") else ""
        if top and body_schema is not None:
            properties = body_schema.setdefault("properties", {})
            if top not in properties:
                properties[top] = {"description": f"Gateway departure {departure.id}: {departure.reason}"}
        merged.append(entry)
    return merged
