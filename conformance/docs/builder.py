"""Per-gateway extraction + departures → an OpenAPI 3.1 document, rendered as deterministic YAML.

Output is a pure function of the documents and the canonical spec: no run timestamps, sorted paths,
methods, statuses, example names and departures; example bodies keep the document's key order.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from conformance.docs.departures import Departure
from conformance.docs.extraction import GatewayExtraction, NamedExample, OperationExtraction
from conformance.docs.fieldlist import schema_from_fields
from conformance.docs.shapes import classify_shape

OPENAPI_VERSION = "3.1.0"
UNDATED = "undated"
_ORIGIN_LABEL = {
    "body-example": "request body example",
    "curl-data-raw": "curl sample body",
    "response-example": "response example",
}


def build_gateway_openapi(extraction: GatewayExtraction, departures: list[Departure]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for one gateway (a plain dict, ready for YAML)."""
    gateway = extraction.gateway
    documents = sorted(extraction.documents, key=lambda d: d.file)
    files = ", ".join(d.file for d in documents)
    dates = sorted(d.modified for d in documents if d.modified)
    version = dates[-1].split(" ")[0] if dates else UNDATED
    host = extraction.host
    servers: list[dict[str, Any]] = (
        [{"url": f"https://{host}"}]
        if host
        else [{"url": "/", "description": "The document names no host; set the base URL in the gateway profile."}]
    )
    auth = {"scheme": "bearer", "header": "Authorization"} if any(d.bearer_auth for d in documents) else None
    x_gateway: dict[str, Any] = {
        "id": gateway.id,
        "title": gateway.title,
        "host": host,
        "path_prefix": extraction.path_prefix,
    }
    if auth is not None:
        x_gateway["auth"] = auth
    x_gateway["sources"] = [{"file": d.file, "modified": d.modified} for d in documents]
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{gateway.title}: Kling task API as documented",
            "version": version,
            "description": f"Derived by kling-conformance docs extract from {files}. Do not edit by hand.",
        },
        "servers": servers,
        "x-gateway": x_gateway,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": _paths(extraction),
        "x-departures": [_departure(departure) for departure in departures],
    }
    return document


def _departure(departure: Departure) -> dict[str, Any]:
    data = departure.to_dict()
    data["provenance"]["lines"] = FlowList(data["provenance"]["lines"])
    if "examples" in data:
        data["examples"] = FlowList(data["examples"])
    return data


def _paths(extraction: GatewayExtraction) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op_id in sorted(extraction.operations):
        operation = extraction.operations[op_id]
        item = paths.setdefault(operation.resolved.path, {})
        item[operation.resolved.method.lower()] = _operation(operation)
    return {path: dict(sorted(item.items())) for path, item in sorted(paths.items())}


def _operation(operation: OperationExtraction) -> dict[str, Any]:
    resolved = operation.resolved
    data: dict[str, Any] = {"operationId": resolved.operation_id}
    if operation.summary:
        data["summary"] = operation.summary
    shape = documented_shape(operation)
    if shape is not None:
        data["x-documented-shape"] = shape
    data["x-provenance"] = {"file": operation.file, "lines": FlowList([operation.first_line, operation.last_line])}
    if resolved.template is not None:
        data["x-path-template"] = resolved.template
        data["x-template-values"] = dict(sorted(operation.template_values.items()))
    if "{task_id}" in resolved.path:
        data["parameters"] = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    if operation.request_examples:
        fields = sorted(
            {key for n in operation.request_examples if isinstance(n.example.value, dict) for key in n.example.value}
        )
        data["x-documented-request-fields"] = fields
        data["requestBody"] = {
            "content": {"application/json": {"examples": _examples(operation.request_examples)}},
        }
    data["responses"] = _responses(operation)
    return data


def documented_shape(operation: OperationExtraction) -> str | None:
    """Shape id of the first documented success example (``None`` when the document shows none)."""
    for named in sorted(operation.response_examples, key=lambda n: n.name):
        status = named.example.status or 200
        if 200 <= status < 300:
            return classify_shape(named.example.value)
    return None


def _responses(operation: OperationExtraction) -> dict[str, Any]:
    statuses = set(operation.statuses) | {n.example.status or 200 for n in operation.response_examples}
    responses: dict[str, Any] = {}
    for status in sorted(statuses):
        doc = operation.statuses.get(status)
        response: dict[str, Any] = {"description": (doc.label if doc and doc.label else f"HTTP {status}")}
        examples = [n for n in operation.response_examples if (n.example.status or 200) == status]
        placed = operation.response_fields.get(status)
        if examples or placed:
            media: dict[str, Any] = {}
            if placed:
                media["schema"] = schema_from_fields(placed)
                media["x-schema-source"] = "field-list"
            if examples:
                media["examples"] = _examples(examples)
            content_type = doc.content_type if doc and doc.content_type else "application/json"
            response["content"] = {content_type: media}
        responses[str(status)] = response
    if not responses:
        responses["default"] = {"description": "The document shows no response."}
    return responses


def _examples(named_examples: list[NamedExample]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for named in sorted(named_examples, key=lambda n: n.name):
        example = named.example
        label = _ORIGIN_LABEL.get(example.origin, example.origin)
        entry: dict[str, Any] = {
            "summary": f"{label}, {named.file} {_line_range(example.first_line, example.last_line)}",
            "value": example.value,
            "x-origin": example.origin,
            "x-provenance": {
                "file": named.file,
                "lines": FlowList([example.first_line, example.last_line]),
                "repairs": list(example.repairs),
            },
        }
        if example.commented_out:
            entry["x-commented-out"] = {item.key: item.value for item in example.commented_out}
        out[named.name] = entry
    return out


def _line_range(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


class FlowList(list[Any]):
    """A short list written inline (``lines: [143, 151]``)."""


class _Dumper(yaml.SafeDumper):
    """Safe YAML without anchors/aliases (a shared example must be written out at each use)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_flow(dumper: yaml.SafeDumper, data: FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


_Dumper.add_representer(FlowList, _represent_flow)


def render_yaml(document: dict[str, Any]) -> str:
    """Deterministic YAML text for ``document`` (UTF-8 text, keys in construction order)."""
    text = yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=120,
    )
    return "# Generated by `kling-conformance docs extract`. Do not edit by hand.\n" + text


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
