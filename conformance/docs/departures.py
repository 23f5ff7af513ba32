"""Where a gateway's document departs from the canonical Kling spec.

Every documented request example is validated against the canonical request schema and every response
example against the canonical response schema of its status; each issue becomes a departure with a
reason and, where one applies, the id of the check it waives. On top of schema validation this module
reports what a schema cannot say on its own: a non-Kling response shape, a non-Kling status word,
fields the canonical spec marks uncertain, documented field types that contradict the canonical
types, documented error statuses without a body, an ``Authorization`` header documented as optional,
values cut off in the document, and curl samples that do not fill the documented path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.docs.extraction import GatewayExtraction, NamedExample, OperationExtraction
from conformance.docs.model import url_path
from conformance.docs.shapes import (
    KLING_STATUSES,
    classify_shape,
    schema_annotation_at,
    schema_types_at,
    status_word,
    type_compatible,
)
from conformance.docs.tolerant_json import is_shortened
from conformance.jsonpath import iter_paths, json_type, lookup, parse_path
from conformance.spec import operation as canonical_operation
from conformance.spec import validate_request, validate_response

PLACEHOLDER_VALUES = frozenset({"string", "str", "<string>"})
_STATUS_PATH_SUFFIXES = (".task_status", ".status")
_REQUIRED = re.compile(r"^'([^']+)' is a required property")
_UNEXPECTED = re.compile(r"\('([^']+)' was unexpected\)")


@dataclass(frozen=True, slots=True)
class Departure:
    """One departure of a gateway document from the canonical spec.

    ``kind`` is ``request`` (a documented request example), ``response`` (a documented response
    example) or ``documentation`` (what the document states around its examples). ``check`` is the
    check id the departure waives ("" when it waives none: request-example departures, curl and
    cut-off-value notes); ``examples`` names the examples that show it. A ``documentation`` departure
    (the document itself is defective: doc placeholders like ``"string"``, wrong documented types)
    waives only results judged on ``doc-derived`` evidence.
    """

    id: str
    kind: str
    operation: str
    json_path: str
    reason: str
    file: str
    lines: tuple[int, int]
    check: str = ""
    examples: tuple[str, ...] = ()

    def source(self) -> str:
        """``002_x.txt:205`` or ``002_x.txt:188-204``: where the document shows it."""
        first, last = self.lines
        return f"{self.file}:{first}" if first == last else f"{self.file}:{first}-{last}"

    def to_dict(self) -> dict[str, Any]:
        """The ``x-departures`` item written to the gateway spec."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "operation": self.operation,
            "json_path": self.json_path,
            "reason": self.reason,
            "provenance": {"file": self.file, "lines": list(self.lines)},
        }
        if self.check:
            data["check"] = self.check
        if self.examples:
            data["examples"] = list(self.examples)
        return data


@dataclass(frozen=True, slots=True)
class _Finding:
    kind: str
    code: str
    json_path: str
    reason: str
    file: str
    lines: tuple[int, int]
    check: str = ""
    example: str = ""


def find_departures(gateway: GatewayExtraction) -> list[Departure]:
    """Every departure of ``gateway``'s documents, grouped (one per operation, check and path), sorted."""
    grouped: dict[tuple[str, str, str, str, str, str], list[_Finding]] = {}
    for op_id in sorted(gateway.operations):
        operation = gateway.operations[op_id]
        for finding in _operation_findings(operation):
            key = (op_id, finding.kind, finding.code, finding.json_path, finding.check, finding.reason)
            grouped.setdefault(key, []).append(finding)
    departures: list[Departure] = []
    used: set[str] = set()
    for (op_id, kind, code, json_path, check, reason), findings in sorted(grouped.items()):
        first = findings[0]
        subject = _subject(json_path, reason)
        base = f"{gateway.gateway.id}.{op_id}.{code}" + (f".{subject}" if subject else "")
        ident, counter = base, 2
        while ident in used:
            ident, counter = f"{base}#{counter}", counter + 1
        used.add(ident)
        examples = tuple(sorted({f.example for f in findings if f.example}))
        departures.append(
            Departure(
                id=ident,
                kind=kind,
                operation=op_id,
                json_path=json_path,
                reason=reason,
                file=first.file,
                lines=first.lines,
                check=check,
                examples=examples,
            )
        )
    return departures


def _subject(json_path: str, reason: str) -> str:
    """The path a departure is about, for its id: a missing or unexpected property is named."""
    match = _REQUIRED.search(reason) or _UNEXPECTED.search(reason)
    if match and json_path:
        return f"{json_path}.{match.group(1)}"
    return json_path


def _operation_findings(operation: OperationExtraction) -> Iterator[_Finding]:
    op_id = operation.operation_id
    for named in operation.request_examples:
        yield from _request_findings(op_id, named)
    for named in operation.response_examples:
        yield from _response_findings(op_id, named)
    yield from _status_findings(operation)
    yield from _field_type_findings(operation)
    yield from _header_findings(operation)
    yield from _curl_findings(operation)


def _example_finding(
    named: NamedExample, *, kind: str, code: str, json_path: str, reason: str, check: str = ""
) -> _Finding:
    """A finding shown by a documented example (its provenance is the example's line range)."""
    return _Finding(
        kind=kind,
        code=code,
        json_path=json_path,
        reason=reason,
        check=check,
        file=named.file,
        lines=(named.example.first_line, named.example.last_line),
        example=named.name,
    )


def _is_placeholder(body: Any, path: str) -> bool:
    found, value = lookup(body, path)
    return found and isinstance(value, str) and value in PLACEHOLDER_VALUES


def _describe_value(body: Any, path: str) -> str:
    found, value = lookup(body, path)
    if not found:
        return ""
    if isinstance(value, str) and value in PLACEHOLDER_VALUES:
        return " (the example shows the placeholder value 'string')"
    if is_shortened(value):
        return " (the value is cut off in the document)"
    return ""


def _request_findings(op_id: str, named: NamedExample) -> Iterator[_Finding]:
    body = named.example.value
    for issue in validate_request(op_id, body):
        yield _example_finding(
            named,
            kind="request",
            code=f"schema-{issue.keyword or 'invalid'}",
            json_path=issue.json_path,
            reason=f"{issue.message}{_describe_value(body, issue.json_path)}",
        )
    schema = canonical_operation(op_id).request_schema
    reported: list[str] = []
    for path, value in iter_paths(body):
        if path == "$":
            continue
        if is_shortened(value):
            yield _example_finding(
                named,
                kind="documentation",
                code="truncated-value",
                json_path=path,
                reason="the value is cut off mid-string in the document, so the example cannot be sent as documented",
            )
        if any(path.startswith((parent + ".", parent + "[")) for parent in reported):
            continue
        note = schema_annotation_at(schema, parse_path(path), "x-kling-uncertain")
        if note is not None:
            reported.append(path)
            name = path.rsplit(".", 1)[-1]
            yield _example_finding(
                named,
                kind="request",
                code="uncertain-field",
                json_path=path,
                reason=f"sends {name}, whose official status the canonical spec marks uncertain: {note}",
            )


def _response_findings(op_id: str, named: NamedExample) -> Iterator[_Finding]:
    body = named.example.value
    status = named.example.status or 200
    shape = classify_shape(body)
    if 200 <= status < 300 and shape != "kling":
        yield _example_finding(
            named,
            kind="response",
            code="shape",
            json_path="$",
            reason=f"documents a body of shape {shape} for HTTP {status} ({_shape_summary(body)}); "
            "canonical: the Kling envelope {code, message, request_id, data}",
            check="response_shape_family",
        )
    vocabulary_paths: set[str] = set()
    for issue in validate_response(op_id, status, body):
        check = "response_schema_canonical"
        if issue.keyword == "type":
            check = "field_types_canonical"
        elif issue.keyword in ("enum", "const") and issue.json_path.endswith(_STATUS_PATH_SUFFIXES):
            check = "status_vocabulary_kling"
            vocabulary_paths.add(issue.json_path)
        if _is_placeholder(body, issue.json_path):
            yield from _placeholder_findings(named, issue.keyword or "invalid", issue.json_path, issue.message, check)
            continue
        yield _example_finding(
            named,
            kind="response",
            code=f"schema-{issue.keyword or 'invalid'}",
            json_path=issue.json_path,
            reason=f"{issue.message}{_describe_value(body, issue.json_path)}",
            check=check,
        )
    word = status_word(body)
    if word is not None and word[1] in PLACEHOLDER_VALUES and word[0] not in vocabulary_paths:
        yield _placeholder_check_finding(named, word[0], "status_vocabulary_kling")
    elif word is not None and word[1] not in KLING_STATUSES and word[0] not in vocabulary_paths:
        yield _example_finding(
            named,
            kind="response",
            code="status-vocabulary",
            json_path=word[0],
            reason=f"status word {word[1]!r} is not Kling vocabulary ({', '.join(KLING_STATUSES)})",
            check="status_vocabulary_kling",
        )


def _placeholder_findings(
    named: NamedExample, keyword: str, json_path: str, message: str, check: str
) -> Iterator[_Finding]:
    """A schema issue caused by a doc placeholder (``"string"``): a defect of the document, not of the gateway.

    It is a ``documentation`` departure, so it waives only results judged on ``doc-derived`` evidence
    (the document's own example), never emulator or live results. The schema issue explains
    ``response_schema_canonical``; where the issue also fails a narrower check (a status word, a field
    type), a second departure explains that check.
    """
    yield _example_finding(
        named,
        kind="documentation",
        code=f"schema-{keyword}",
        json_path=json_path,
        reason=f"{message} (the example shows the placeholder value 'string')",
        check="response_schema_canonical",
    )
    if check != "response_schema_canonical":
        yield _placeholder_check_finding(named, json_path, check)


def _placeholder_check_finding(named: NamedExample, json_path: str, check: str) -> _Finding:
    what = {
        "status_vocabulary_kling": "a status word",
        "field_types_canonical": "a value of the canonical type",
    }.get(check, "a value")
    return _example_finding(
        named,
        kind="documentation",
        code="placeholder",
        json_path=json_path,
        reason=f"the example shows the placeholder value 'string' where {what} belongs, "
        "so the document does not show what the gateway returns there",
        check=check,
    )


def _shape_summary(body: Any) -> str:
    if isinstance(body, dict) and body:
        return "{" + ", ".join(body) + "}"
    return json.dumps(body, ensure_ascii=False)


def _status_findings(operation: OperationExtraction) -> Iterator[_Finding]:
    """Documented statuses without an example body, and statuses the canonical spec does not know."""
    op_id = operation.operation_id
    canonical = canonical_operation(op_id).response_schemas
    with_examples = {named.example.status for named in operation.response_examples}
    for status, doc in sorted(operation.statuses.items()):
        label = f"HTTP {status}" + (f" ({doc.label})" if doc.label else "")
        check = "unknown_task_error" if op_id.endswith(".get") and status in (400, 404) else ""
        if str(status) not in canonical and f"{str(status)[0]}XX" not in canonical:
            yield _Finding(
                file=operation.file,
                lines=(doc.line, doc.line),
                kind="documentation",
                code="status-not-canonical",
                json_path="$",
                reason=f"documents {label}, which the canonical spec does not list for {op_id}",
                check=check or ("error_status_matches_code" if status >= 400 else ""),
            )
        elif status >= 400 and status not in with_examples:
            codes = _enum_at(canonical.get(str(status)), "code")
            with_codes = f" with code {' or '.join(str(c) for c in codes)}" if codes else ""
            yield _Finding(
                file=operation.file,
                lines=(doc.line, doc.line),
                kind="documentation",
                code="error-body-undocumented",
                json_path="$",
                reason=f"documents {label} without a body; canonical {status} carries the Kling error envelope "
                f"{{code, message, request_id}}{with_codes}",
                check=check or "error_body_canonical",
            )


def _enum_at(schema: Any, name: str) -> list[Any]:
    """Values an ``enum`` (or ``const``) allows for top-level property ``name`` (through ``allOf``)."""
    if not isinstance(schema, dict):
        return []
    prop = (schema.get("properties") or {}).get(name)
    if isinstance(prop, dict):
        if isinstance(prop.get("enum"), list):
            return list(prop["enum"])
        if "const" in prop:
            return [prop["const"]]
    for sub in schema.get("allOf") or []:
        found = _enum_at(sub, name)
        if found:
            return found
    return []


def _field_type_findings(operation: OperationExtraction) -> Iterator[_Finding]:
    """Types from a documented field list that contradict the canonical response schema."""
    canonical = canonical_operation(operation.operation_id).response_schemas
    for status, placed_fields in sorted(operation.response_fields.items()):
        schema = canonical.get(str(status))
        example = next((n.example.value for n in operation.response_examples if n.example.status == status), None)
        for placed in placed_fields:
            allowed = schema_types_at(schema, parse_path(placed.path))
            if type_compatible(placed.field.type, allowed):
                continue
            assert allowed is not None
            shown = ""
            found, value = lookup(example, placed.path)
            if found and json_type(value) != placed.field.type:
                shown = f" (the document's own example shows {json.dumps(value, ensure_ascii=False)})"
            yield _Finding(
                kind="documentation",
                code="documented-type",
                json_path=placed.path,
                reason=f"the field list documents {placed.field.name} as {placed.field.type}; "
                f"canonical: {' or '.join(sorted(allowed))}{shown}",
                check="field_types_canonical",
                file=operation.file,
                lines=(placed.field.line, placed.field.line + 1),
            )


def _header_findings(operation: OperationExtraction) -> Iterator[_Finding]:
    for param in operation.header_params:
        if param.name.lower() == "authorization" and param.required is False:
            yield _Finding(
                kind="documentation",
                code="auth-optional",
                json_path="",
                reason="documents the Authorization header as optional; canonical: bearer authentication is required",
                check="auth_missing_key_rejected",
                file=operation.file,
                lines=(param.line, param.line + 2),
            )


def _curl_findings(operation: OperationExtraction) -> Iterator[_Finding]:
    documented = operation.resolved.template or operation.resolved.path
    for url, first, last in operation.curl_urls:
        problem = _path_mismatch(documented, url_path(url))
        if problem:
            yield _Finding(
                kind="documentation",
                code="curl-url",
                json_path="",
                reason=f"the curl sample requests {url_path(url)}: {problem}",
                file=operation.file,
                lines=(first, last),
            )


def _path_mismatch(template: str, path: str) -> str:
    """Why ``path`` does not fill ``template`` ("" when it does)."""
    expected, actual = template.rstrip("/").split("/"), path.split("/")
    if len(actual) == len(expected) + 1 and actual[-1] == "":
        actual = actual[:-1]  # a trailing slash
    if len(expected) != len(actual):
        return f"it has {len(actual) - 1} path segments where {template} has {len(expected) - 1}"
    empty = [seg.strip("{}") for seg, got in zip(expected, actual, strict=True) if seg.startswith("{") and not got]
    if empty:
        return f"it leaves {', '.join(empty)} of {template} empty"
    wrong = [got for seg, got in zip(expected, actual, strict=True) if not seg.startswith("{") and seg != got]
    if wrong:
        return f"it does not match {template}"
    return ""
