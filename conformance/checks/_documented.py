"""What a gateway document says an operation returns, and how runtime bodies compare with it.

The gateway spec (``conformance.docs.load_gateway_spec``) is read defensively: mappings or objects,
operations keyed by operationId or listed with an ``operation_id`` member, response examples under
``responses``/``examples``/``response_examples``. Only success (2xx or status-less) response examples
count. Comparison, per operation:

1. a documented JSON Schema (``schema``), when present, validates every runtime success body;
2. the shape of the documented example (through the run's normalizer) equals the runtime shape;
3. every leaf path of the documented example exists in some runtime body, with the same JSON type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from conformance.checks._bodies import OperationBodies
from conformance.checks._support import (
    JsonBody,
    failed,
    iter_paths,
    json_type,
    parse_json_bytes,
    passed,
    read_json,
)
from conformance.checks.base import CheckContext, Verdict
from conformance.models import Evidence, EvidenceKind, Exchange, RecordedRequest, RecordedResponse


@dataclass(frozen=True, slots=True)
class DocumentedResponse:
    """One documented success response: an example body and/or a schema, with where it was documented."""

    body: Any = None
    has_body: bool = False
    schema: dict[str, Any] | None = None
    source: str = ""


def _member(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _operation(spec: Any, operation_id: str) -> Any:
    operations = _member(spec, "operations")
    if isinstance(operations, Mapping):
        if operation_id in operations:
            return operations[operation_id]
        operations = list(operations.values())
    if isinstance(operations, list | tuple):
        for item in operations:
            if _member(item, "operation_id", "operationId", "id") == operation_id:
                return item
    return None


def _source(item: Any) -> str:
    provenance = _member(item, "provenance", "source", "evidence")
    if isinstance(provenance, str):
        return provenance
    label = getattr(provenance, "label", None)
    if callable(label):
        return str(label())
    if provenance is not None:
        file = _member(provenance, "file", "document")
        lines = _member(provenance, "lines", "line_range")
        first, last = _member(provenance, "first_line"), _member(provenance, "last_line")
        if lines is None and first is not None:
            lines = f"{first}-{last}" if last is not None else str(first)
        if file:
            return f"{file}:{lines}" if lines else str(file)
    return ""


def _status(value: Any) -> int | None:
    try:
        return int(str(value).strip()[:3]) if value is not None else None
    except ValueError:
        return None


def _as_response(item: Any, status_hint: Any = None) -> DocumentedResponse | None:
    direction = _member(item, "direction", "kind")
    if direction is not None and str(direction) != "response":
        return None
    status = _status(_member(item, "status", "status_code", "http_status")) or _status(status_hint)
    if status is not None and not 200 <= status < 300:
        return None
    schema = _member(item, "schema")
    body_found = False
    body: Any = None
    for name in ("value", "body", "example", "json"):
        present = name in item if isinstance(item, Mapping) else hasattr(item, name)
        if present:
            body, body_found = _member(item, name), True
            break
    if isinstance(body, bytes | str) and body_found:
        parsed = parse_json_bytes(body)
        body = parsed.value if parsed.ok else body
    if not body_found and not isinstance(schema, Mapping):
        return None
    return DocumentedResponse(
        body=body,
        has_body=body_found,
        schema=dict(schema) if isinstance(schema, Mapping) else None,
        source=_source(item),
    )


def documented_responses(spec: Any, operation_id: str) -> list[DocumentedResponse]:
    """The documented success responses of ``operation_id`` in a gateway spec (may be empty)."""
    operation = _operation(spec, operation_id)
    if operation is None:
        return []
    if hasattr(operation, "response_examples") and hasattr(operation, "response_schemas"):
        return _typed_responses(operation)
    found: list[DocumentedResponse] = []
    responses = _member(operation, "responses")
    if isinstance(responses, Mapping):
        for status, item in responses.items():
            items = item if isinstance(item, list | tuple) else [item]
            for entry in items:
                doc = _as_response(entry, status)
                if doc is not None:
                    found.append(doc)
    elif isinstance(responses, list | tuple):
        found.extend(doc for doc in (_as_response(entry) for entry in responses) if doc is not None)
    for name in ("response_examples", "examples"):
        examples = _member(operation, name)
        if isinstance(examples, list | tuple):
            for entry in examples:
                direction = _member(entry, "direction", "kind")
                if name == "examples" and str(direction) != "response":
                    continue
                doc = _as_response(entry)
                if doc is not None:
                    found.append(doc)
    return found


def _typed_responses(operation: Any) -> list[DocumentedResponse]:
    """Documented success responses of a ``conformance.docs.DocumentedOperation``."""
    found: list[DocumentedResponse] = []
    with_examples: set[int] = set()
    for example in operation.response_examples:
        status = example.status
        if status is not None and not 200 <= status < 300:
            continue
        if status is not None:
            with_examples.add(status)
        schema = dict(example.schema) if isinstance(example.schema, Mapping) else None
        found.append(DocumentedResponse(body=example.value, has_body=True, schema=schema, source=_source(example)))
    for status, schema in dict(operation.response_schemas).items():
        if 200 <= int(status) < 300 and int(status) not in with_examples and isinstance(schema, Mapping):
            source = _source(operation)
            found.append(DocumentedResponse(schema=dict(schema), source=f"{source} (field list)" if source else ""))
    return found


def _doc_exchange(operation: str, index: int, body: Any, gateway: str) -> Exchange:
    import orjson

    try:
        raw = orjson.dumps(body)
    except TypeError:
        raw = str(body).encode()
    return Exchange(
        ref=f"{gateway}/documented/{operation}#{index}",
        gateway=gateway,
        operation_id=operation,
        scenario="documented",
        request=RecordedRequest(method="GET", url="documented://example"),
        response=RecordedResponse(status_code=200, headers=(("content-type", "application/json"),), body=raw),
        evidence=Evidence(kind=EvidenceKind.DOC_DERIVED, source=gateway),
    )


def _leaf_types(value: Any) -> dict[str, str]:
    """Leaf path → JSON type, with array indexes collapsed to ``[]``."""
    leaves: dict[str, str] = {}
    for path, child in iter_paths(value, max_depth=12):
        if isinstance(child, dict | list) and child:
            continue
        collapsed = _collapse(path)
        leaves.setdefault(collapsed, json_type(child))
    return leaves


def _collapse(path: str) -> str:
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[]")
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _compatible(documented: str, runtime: str) -> bool:
    if "null" in (documented, runtime) or documented == runtime:
        return True
    return {documented, runtime} <= {"integer", "number"}


def _check_schemas(
    group: OperationBodies, documented: list[DocumentedResponse], bodies: list[tuple[Exchange, JsonBody]]
) -> Verdict | None:
    """The first runtime departure from a documented schema, ignoring where the document contradicts itself.

    A field list that says ``code: string`` next to an example showing ``0`` contradicts itself; such
    paths are judged by the example (shape and leaf comparison below), not by the field list.
    """
    validated: set[str] = set()
    for doc in documented:
        if doc.schema is None:
            continue
        key = repr(sorted(doc.schema.items(), key=lambda item: item[0]))
        if key in validated:
            continue
        validated.add(key)
        validator = jsonschema.Draft202012Validator(doc.schema)
        contradicted = {
            error.json_path
            for example in documented
            if example.has_body and example.schema == doc.schema
            for error in validator.iter_errors(example.body)
        }
        for exchange, body in bodies:
            if not body.ok:
                continue
            errors = [e for e in validator.iter_errors(body.value) if e.json_path not in contradicted]
            error = jsonschema.exceptions.best_match(errors)
            if error is not None:
                return failed(
                    f"runtime body departs from the documented schema ({doc.source or 'gateway spec'}): "
                    f"{error.message}",
                    operation=group.operation,
                    exchange=exchange,
                    expected=error.schema if isinstance(error.schema, dict | bool) else str(error.schema),
                    actual=error.instance,
                    json_path=error.json_path,
                )
    return None


def compare(
    ctx: CheckContext,
    group: OperationBodies,
    documented: list[DocumentedResponse],
    documented_shape: str,
) -> Verdict:
    """Judge the runtime success bodies of one operation against its documented responses."""
    exchanges = [ex for _, ex in group.exchanges]
    bodies = [(ex, read_json(ex)) for ex in exchanges]
    schema_verdict = _check_schemas(group, documented, bodies)
    if schema_verdict is not None:
        return schema_verdict
    runtime_shapes = {ctx.normalized(ex).shape.value for ex in exchanges}
    examples = [doc for doc in documented if doc.has_body]
    expected_shapes: dict[str, str] = {}
    for index, doc in enumerate(examples):
        shape = ctx.normalized(_doc_exchange(group.operation, index, doc.body, ctx.gateway)).shape.value
        expected_shapes.setdefault(shape, doc.source)
    if not expected_shapes and documented_shape:
        expected_shapes[documented_shape] = "profile documented_shape"
    stray = sorted(runtime_shapes - set(expected_shapes))
    if stray:
        offender = next(ex for ex in exchanges if ctx.normalized(ex).shape.value in stray)
        where = "; ".join(f"{shape} ({src or 'gateway spec'})" for shape, src in expected_shapes.items())
        return failed(
            f"documentation-vs-runtime drift: the document shows {where}, the gateway returns {', '.join(stray)}",
            operation=group.operation,
            exchange=offender,
            expected=sorted(expected_shapes),
            actual=stray,
            json_path="$",
        )
    runtime_leaves: list[dict[str, str]] = [_leaf_types(body.value) for _, body in bodies if body.ok]
    for doc in examples:
        if not isinstance(doc.body, dict | list):
            continue
        for path, doc_type in _leaf_types(doc.body).items():
            if path == "$":
                continue
            seen = [leaves[path] for leaves in runtime_leaves if path in leaves]
            if not seen:
                if any(_has_prefix(leaves, path) for leaves in runtime_leaves):
                    continue  # documented as a scalar/empty container, runtime has a filled one
                return failed(
                    f"documented field {path} ({doc.source or 'gateway spec'}) never appears at runtime",
                    operation=group.operation,
                    exchange=exchanges[-1],
                    expected=f"{path} ({doc_type})",
                    actual="absent",
                    json_path=path.replace("[]", "[0]"),
                )
            clash = [t for t in seen if not _compatible(doc_type, t)]
            if clash and len(clash) == len(seen):
                return failed(
                    f"documented field {path} is {doc_type} ({doc.source or 'gateway spec'}), runtime sends {clash[0]}",
                    operation=group.operation,
                    exchange=exchanges[-1],
                    expected=doc_type,
                    actual=clash[0],
                    json_path=path.replace("[]", "[0]"),
                )
    shapes = ", ".join(sorted(runtime_shapes))
    return passed(f"runtime bodies ({shapes}) match the gateway's documented responses", operation=group.operation)


def _has_prefix(leaves: dict[str, str], path: str) -> bool:
    return any(key.startswith((path + ".", path + "[]")) for key in leaves)
