"""Documents → per-gateway extractions: which operations each gateway documents, with named examples.

This is the pure middle of ``docs extract``: :func:`extract_documents` reads the documents, names
every example, groups them by gateway and canonical operation, and collects every
:class:`ExtractionProblem`. Departures and the OpenAPI output are built from its result elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance.docs.catalog import (
    KnownGateway,
    ResolvedOperation,
    identify_gateway,
    known_gateway,
    resolve_operations,
    template_values,
)
from conformance.docs.document import parse_document
from conformance.docs.fieldlist import PlacedField, place_fields
from conformance.docs.model import ExtractionProblem, FieldDoc, GatewayDocument, RawExample, StatusDoc, url_host
from conformance.errors import UsageError

_GATEWAY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True, slots=True)
class NamedExample:
    """An example with its stable name (``<document stem>-L<first line>``) and document file name."""

    name: str
    file: str
    example: RawExample


@dataclass
class OperationExtraction:
    """What one document says about one canonical operation."""

    resolved: ResolvedOperation
    file: str
    summary: str | None
    first_line: int
    last_line: int
    template_values: dict[str, list[str]] = field(default_factory=dict)
    request_examples: list[NamedExample] = field(default_factory=list)
    response_examples: list[NamedExample] = field(default_factory=list)
    statuses: dict[int, StatusDoc] = field(default_factory=dict)
    response_fields: dict[int, list[PlacedField]] = field(default_factory=dict)
    header_params: tuple[FieldDoc, ...] = ()
    curl_urls: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def operation_id(self) -> str:
        """The canonical operationId."""
        return self.resolved.operation_id

    def merge(self, other: OperationExtraction) -> None:
        """Add what a second document says about the same operation (the first keeps its provenance)."""
        self.request_examples.extend(other.request_examples)
        self.response_examples.extend(other.response_examples)
        self.curl_urls.extend(other.curl_urls)
        for status, doc in other.statuses.items():
            self.statuses.setdefault(status, doc)
        for status, placed in other.response_fields.items():
            self.response_fields.setdefault(status, placed)
        self.header_params = self.header_params or other.header_params


@dataclass
class GatewayExtraction:
    """Everything extracted for one gateway, from one or more documents."""

    gateway: KnownGateway
    documents: list[GatewayDocument] = field(default_factory=list)
    operations: dict[str, OperationExtraction] = field(default_factory=dict)
    host: str | None = None
    path_prefix: str = ""


@dataclass
class ExtractionResult:
    """Per-gateway extractions, the problems met, and how many examples each document gave."""

    gateways: dict[str, GatewayExtraction] = field(default_factory=dict)
    problems: list[ExtractionProblem] = field(default_factory=list)
    example_counts: dict[str, int] = field(default_factory=dict)


def extract_documents(paths: Iterable[Path], *, gateway_id: str | None = None) -> ExtractionResult:
    """Read every document in ``paths`` and group what they document by gateway and operation.

    ``gateway_id`` forces the gateway (for a document the catalog does not recognise). A file that
    cannot be read raises :class:`UsageError`; a broken example or an unrecognisable document is an
    :class:`ExtractionProblem` in the result, and the other examples are still extracted.
    """
    if gateway_id is not None and not _GATEWAY_ID.match(gateway_id):
        raise UsageError(
            f"{gateway_id!r} is not a valid gateway id",
            where="--gateway",
            fix="use lower-case letters, digits and '-', e.g. yibuapi",
        )
    result = ExtractionResult()
    for path in sorted(paths, key=lambda p: p.name):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise UsageError(
                f"cannot read the document ({exc.strerror or exc.__class__.__name__})",
                where=str(path),
                fix="pass the path of a gateway document (a .txt file)",
            ) from None
        lines = text.splitlines()
        document = parse_document(path.name, lines)
        result.problems.extend(document.problems)
        result.example_counts[path.name] = len(document.examples)
        _add_document(result, document, lines, gateway_id)
    result.problems.sort(key=lambda p: (p.file, p.line, p.reason))
    return result


def _add_document(result: ExtractionResult, document: GatewayDocument, lines: list[str], forced: str | None) -> None:
    gateway = _gateway_for(document, lines, forced)
    if gateway is None:
        result.problems.append(
            ExtractionProblem(
                file=document.file,
                line=1,
                reason="cannot tell which gateway this document describes (no known host or name); pass --gateway ID",
            )
        )
        return
    request = document.primary_request()
    if request is None:
        result.problems.append(ExtractionProblem(file=document.file, line=1, reason="no method and URL documented"))
        return
    method, url = request
    path_params = document.params.get("path", ())
    resolved = resolve_operations(method, url, path_params)
    line = document.endpoint.line if document.endpoint else (document.curls[0].first_line if document.curls else 1)
    if not resolved:
        result.problems.append(
            ExtractionProblem(
                file=document.file, line=line, reason=f"cannot map {method} {url} to a canonical operation"
            )
        )
        return
    extraction = result.gateways.setdefault(gateway.id, GatewayExtraction(gateway=gateway))
    extraction.documents.append(document)
    host = url_host(url) or next((url_host(c.url) for c in document.curls if url_host(c.url)), None)
    extraction.host = extraction.host or host or gateway.host
    extraction.path_prefix = extraction.path_prefix or resolved[0].prefix
    for operation in resolved:
        new = _operation(document, operation, line)
        existing = extraction.operations.get(operation.operation_id)
        if existing is None:
            extraction.operations[operation.operation_id] = new
        else:
            existing.merge(new)


def _gateway_for(document: GatewayDocument, lines: list[str], forced: str | None) -> KnownGateway | None:
    if forced is None:
        return identify_gateway(document, lines)
    known = known_gateway(forced)
    if known is not None:
        return known
    request = document.primary_request()
    return KnownGateway(
        id=forced,
        title=document.title or forced,
        host=url_host(request[1]) if request else None,
        hosts=(),
        names=(),
    )


def _operation(document: GatewayDocument, resolved: ResolvedOperation, line: int) -> OperationExtraction:
    stem = Path(document.file).stem
    lines = [line]
    extraction = OperationExtraction(
        resolved=resolved,
        file=document.file,
        summary=document.summary,
        first_line=line,
        last_line=line,
        header_params=document.params.get("header", ()),
    )
    if resolved.template is not None:
        extraction.template_values = template_values(resolved.template, document.params.get("path", ()))
    for example in document.examples:
        named = NamedExample(name=f"{stem}-L{example.first_line}", file=document.file, example=example)
        lines.extend((example.first_line, example.last_line))
        if example.direction == "request":
            extraction.request_examples.append(named)
        else:
            extraction.response_examples.append(named)
    for status in document.statuses:
        extraction.statuses.setdefault(status.status, status)
        lines.append(status.line)
        if status.fields:
            body = next(
                (ex.example.value for ex in extraction.response_examples if ex.example.status == status.status), None
            )
            extraction.response_fields[status.status] = place_fields(status.fields, body)
            lines.extend(f.line for f in status.fields)
    for curl in document.curls:
        extraction.curl_urls.append((curl.url, curl.first_line, curl.last_line))
        lines.extend((curl.first_line, curl.last_line))
    extraction.first_line, extraction.last_line = min(lines), max(lines)
    return extraction
