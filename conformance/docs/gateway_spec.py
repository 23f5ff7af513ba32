"""Reading a derived gateway spec (``specs/gateways/<gateway-id>.yaml``) back as typed data.

Stable API (the profiles, harness and checks layers build on it)::

    spec = load_gateway_spec("yibuapi")          # GatewaySpec; UsageError (SpecError) if absent
    spec.gateway_id, spec.title, spec.host        # "yibuapi", "一步API", "yibuapi.com" (host may be None)
    spec.base_url                                 # "https://yibuapi.com", or None when the document names no host
    spec.path_prefix                              # "/kling"
    spec.auth_scheme                              # "bearer" (or None)
    spec.sources                                  # ((file, modified-or-None), ...)
    spec.operations                               # {operationId: DocumentedOperation}, sorted by id
    spec.operation("image2video.create")          # DocumentedOperation | None
    spec.examples(operation_id=None, direction=None)   # [DocExample], "request" | "response"
    spec.departures                               # (Departure, ...) in file order
    spec.departures_for(operation_id=None, check=None) # filtered
    spec.waived_checks("image2video.get")         # {"response_shape_family", ...}
    spec.evidence()                               # Evidence(kind=doc-derived, source=files, recorded_at=date)

A :class:`DocumentedOperation` has ``operation_id, method, path`` (concrete, with the prefix),
``path_template`` (the documented template when it differs, e.g. APICore's
``/kling/v1/{action}/{action2}/{task_id}``), ``documented_shape`` (a shape id or ``None``),
``statuses`` ({HTTP status: description}), ``response_schemas`` ({status: JSON Schema from a
documented field list}), ``request_fields``, ``examples`` and the ``request_examples`` /
``response_examples`` views. A :class:`DocExample` has ``name, operation_id, direction, status,
value, origin, shape, schema, commented_out`` and ``provenance`` (file, first_line, last_line,
repairs); ``truncated`` says a value was cut off in the document and stored shortened.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from conformance.docs.departures import Departure
from conformance.docs.shapes import classify_shape
from conformance.docs.tolerant_json import is_shortened
from conformance.errors import SpecError, did_you_mean
from conformance.jsonpath import iter_paths
from conformance.models import Evidence, EvidenceKind
from conformance.paths import gateway_specs_dir

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where something was read: document file name, 1-based line range, and the repairs it needed."""

    file: str
    first_line: int
    last_line: int
    repairs: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[int, int]:
        """(first_line, last_line)."""
        return (self.first_line, self.last_line)

    def label(self) -> str:
        """``000_x.txt:143-151`` (or ``:143`` for one line)."""
        span = str(self.first_line) if self.first_line == self.last_line else f"{self.first_line}-{self.last_line}"
        return f"{self.file}:{span}"

    def __str__(self) -> str:
        return self.label()

    def evidence(self, recorded_at: str = "") -> Evidence:
        """Doc-derived :class:`Evidence` pointing at this line range."""
        return Evidence(kind=EvidenceKind.DOC_DERIVED, source=self.label(), recorded_at=recorded_at)


@dataclass(frozen=True, slots=True)
class DocExample:
    """One documented example of a request or response body."""

    name: str
    operation_id: str
    direction: str  # "request" | "response"
    value: Any
    provenance: Provenance
    status: int | None = None
    origin: str = ""
    shape: str | None = None
    schema: dict[str, Any] | None = None
    commented_out: dict[str, Any] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        """Whether a value was cut off in the document (stored shortened; not sendable verbatim)."""
        return any(is_shortened(value) for _, value in iter_paths(self.value))

    def sendable_value(self) -> Any | None:
        """The body as it can be sent: a value cut off in the document is replaced by the value the
        document commented out under the same top-level key (yibuapi/n1n comment out an image URL next
        to a cut-off base64 image); ``None`` when a cut-off value has no such replacement.
        """
        if not self.truncated:
            return self.value
        if not isinstance(self.value, dict):
            return None
        body = dict(self.value)
        for key, value in self.value.items():
            if any(is_shortened(leaf) for _, leaf in iter_paths(value)):
                if key not in self.commented_out:
                    return None
                body[key] = self.commented_out[key]
        return body


@dataclass(frozen=True, slots=True)
class DocumentedOperation:
    """What a gateway document says about one canonical operation."""

    operation_id: str
    method: str
    path: str
    provenance: Provenance
    path_template: str | None = None
    template_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    documented_shape: str | None = None
    summary: str = ""
    statuses: dict[int, str] = field(default_factory=dict)
    response_schemas: dict[int, dict[str, Any]] = field(default_factory=dict)
    request_fields: tuple[str, ...] = ()
    examples: tuple[DocExample, ...] = ()

    @property
    def family(self) -> str:
        """``image2video`` for ``image2video.create``."""
        return self.operation_id.rsplit(".", 1)[0]

    @property
    def kind(self) -> str:
        """``create``, ``get`` or ``list``."""
        return self.operation_id.rsplit(".", 1)[1]

    @property
    def request_examples(self) -> tuple[DocExample, ...]:
        """The documented request bodies."""
        return tuple(example for example in self.examples if example.direction == "request")

    @property
    def response_examples(self) -> tuple[DocExample, ...]:
        """The documented response bodies."""
        return tuple(example for example in self.examples if example.direction == "response")

    def response_example(self, status: int = 200) -> DocExample | None:
        """The first documented response body for ``status``."""
        return next((ex for ex in self.response_examples if ex.status == status), None)


class GatewaySpec:
    """A derived gateway spec, parsed. ``document`` is the raw OpenAPI mapping (do not mutate it)."""

    def __init__(self, document: dict[str, Any], *, path: Path | None = None) -> None:
        self.document = document
        self.path = path
        gateway = _mapping(document.get("x-gateway"))
        self.gateway_id: str = str(gateway.get("id") or (path.stem if path else ""))
        self.title: str = str(gateway.get("title") or self.gateway_id)
        host = gateway.get("host")
        self.host: str | None = str(host) if host else None
        self.path_prefix: str = str(gateway.get("path_prefix") or "")
        auth = _mapping(gateway.get("auth"))
        self.auth_scheme: str | None = str(auth["scheme"]) if auth.get("scheme") else None
        self.sources: tuple[tuple[str, str | None], ...] = tuple(
            (str(src.get("file", "")), str(src["modified"]) if src.get("modified") else None)
            for src in (gateway.get("sources") or [])
            if isinstance(src, Mapping)
        )
        self.version: str = str(_mapping(document.get("info")).get("version") or "")
        self.operations: dict[str, DocumentedOperation] = dict(sorted(_operations(document).items()))
        self.departures: tuple[Departure, ...] = tuple(_departure(item) for item in document.get("x-departures") or [])

    @property
    def base_url(self) -> str | None:
        """``https://<host>`` from the document, or ``None`` when it names no host."""
        servers = self.document.get("servers") or []
        url = str(_mapping(servers[0]).get("url") or "") if servers else ""
        if "://" in url:
            return url.rstrip("/")
        return f"https://{self.host}" if self.host else None

    @property
    def operation_ids(self) -> list[str]:
        """Documented operationIds, sorted."""
        return list(self.operations)

    def operation(self, operation_id: str) -> DocumentedOperation | None:
        """The documented operation, or ``None`` when the document does not cover it."""
        return self.operations.get(operation_id)

    def examples(self, operation_id: str | None = None, direction: str | None = None) -> list[DocExample]:
        """Every documented example, optionally for one operation and/or one direction."""
        found: list[DocExample] = []
        for op_id, operation in self.operations.items():
            if operation_id is not None and op_id != operation_id:
                continue
            found.extend(ex for ex in operation.examples if direction is None or ex.direction == direction)
        return found

    def departures_for(self, operation_id: str | None = None, check: str | None = None) -> list[Departure]:
        """Departures, optionally for one operation and/or the check they waive."""
        return [
            dep
            for dep in self.departures
            if (operation_id is None or dep.operation == operation_id) and (check is None or dep.check == check)
        ]

    def waived_checks(self, operation_id: str) -> set[str]:
        """Check ids that the document's departures waive for ``operation_id``."""
        return {dep.check for dep in self.departures if dep.operation == operation_id and dep.check}

    def evidence(self) -> Evidence:
        """Doc-derived evidence naming the source documents and their latest modification date."""
        dates = sorted(modified.split(" ")[0] for _, modified in self.sources if modified)
        return Evidence(
            kind=EvidenceKind.DOC_DERIVED,
            source=", ".join(file for file, _ in self.sources),
            recorded_at=dates[-1] if dates else "",
        )

    def __repr__(self) -> str:
        return f"GatewaySpec({self.gateway_id!r}, operations={self.operation_ids})"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _provenance(value: Any) -> Provenance:
    data = _mapping(value)
    lines = data.get("lines") or [0, 0]
    return Provenance(
        file=str(data.get("file", "")),
        first_line=int(lines[0]),
        last_line=int(lines[-1]),
        repairs=tuple(str(note) for note in data.get("repairs") or ()),
    )


def _departure(value: Any) -> Departure:
    data = _mapping(value)
    provenance = _provenance(data.get("provenance"))
    return Departure(
        id=str(data.get("id", "")),
        kind=str(data.get("kind", "")),
        operation=str(data.get("operation", "")),
        json_path=str(data.get("json_path", "")),
        reason=str(data.get("reason", "")),
        file=provenance.file,
        lines=provenance.lines,
        check=str(data.get("check") or ""),
        examples=tuple(str(name) for name in data.get("examples") or ()),
    )


def _operations(document: Mapping[str, Any]) -> dict[str, DocumentedOperation]:
    found: dict[str, DocumentedOperation] = {}
    for path, item in _mapping(document.get("paths")).items():
        for method in _METHODS:
            op = _mapping(_mapping(item).get(method))
            if op.get("operationId"):
                documented = _operation(str(path), method, op)
                found[documented.operation_id] = documented
    return found


def _operation(path: str, method: str, op: Mapping[str, Any]) -> DocumentedOperation:
    op_id = str(op["operationId"])
    examples: list[DocExample] = []
    media = _mapping(_mapping(_mapping(op.get("requestBody")).get("content")).get("application/json"))
    examples.extend(_examples(op_id, "request", None, media, None))
    statuses: dict[int, str] = {}
    schemas: dict[int, dict[str, Any]] = {}
    for status_text, response in _mapping(op.get("responses")).items():
        if not str(status_text).isdigit():
            continue
        status = int(status_text)
        statuses[status] = str(_mapping(response).get("description", ""))
        for content in _mapping(_mapping(response).get("content")).values():
            schema = _mapping(content).get("schema")
            if isinstance(schema, Mapping):
                schemas[status] = dict(schema)
            examples.extend(_examples(op_id, "response", status, _mapping(content), schemas.get(status)))
    template_values = {
        str(name): tuple(str(v) for v in values or ()) for name, values in _mapping(op.get("x-template-values")).items()
    }
    return DocumentedOperation(
        operation_id=op_id,
        method=method.upper(),
        path=path,
        provenance=_provenance(op.get("x-provenance")),
        path_template=str(op["x-path-template"]) if op.get("x-path-template") else None,
        template_values=template_values,
        documented_shape=str(op["x-documented-shape"]) if op.get("x-documented-shape") else None,
        summary=str(op.get("summary", "")),
        statuses=dict(sorted(statuses.items())),
        response_schemas=schemas,
        request_fields=tuple(str(name) for name in op.get("x-documented-request-fields") or ()),
        examples=tuple(examples),
    )


def _examples(
    op_id: str, direction: str, status: int | None, media: Mapping[str, Any], schema: dict[str, Any] | None
) -> list[DocExample]:
    found = []
    for name, raw in sorted(_mapping(media.get("examples")).items()):
        entry = _mapping(raw)
        if "value" not in entry:
            continue
        value = entry["value"]
        found.append(
            DocExample(
                name=str(name),
                operation_id=op_id,
                direction=direction,
                value=value,
                provenance=_provenance(entry.get("x-provenance")),
                status=status,
                origin=str(entry.get("x-origin", "")),
                shape=classify_shape(value) if direction == "response" else None,
                schema=schema,
                commented_out=dict(_mapping(entry.get("x-commented-out"))),
            )
        )
    return found


def gateway_spec_ids(directory: Path | None = None) -> list[str]:
    """Ids of the derived gateway specs in ``directory`` (default ``specs/gateways/``), sorted."""
    root = directory or gateway_specs_dir()
    return sorted(path.stem for path in root.glob("*.yaml")) if root.is_dir() else []


def load_gateway_spec(gateway_id: str, *, directory: Path | None = None) -> GatewaySpec:
    """The derived spec of ``gateway_id`` from ``specs/gateways/`` (or ``directory``).

    Raises :class:`~conformance.errors.SpecError` (a ``UsageError``) when the gateway has no derived
    spec or the file is not a readable OpenAPI mapping. Parsed specs are cached per file version.
    """
    root = directory or gateway_specs_dir()
    path = root / f"{gateway_id}.yaml"
    if not path.is_file():
        known = gateway_spec_ids(root)
        raise SpecError(
            f"gateway {gateway_id!r} has no derived spec: it is not documented by a known gateway document."
            f"{did_you_mean(gateway_id, known)}",
            where=str(root),
            fix=f"use one of: {', '.join(known) or '(none)'}; or run `kling-conformance docs extract` on its document",
        )
    return load_gateway_spec_file(path)


def load_gateway_spec_file(path: Path) -> GatewaySpec:
    """Parse one gateway spec file (cached while the file is unchanged)."""
    resolved = path.resolve()
    try:
        stat = os.stat(resolved)
    except OSError as exc:
        raise SpecError(f"cannot read the gateway spec ({exc.strerror})", where=str(path)) from None
    return _load_cached(str(resolved), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> GatewaySpec:
    try:
        document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(
            f"the gateway spec is not readable YAML ({exc.__class__.__name__})",
            where=path,
            fix="re-run `kling-conformance docs extract` to regenerate it",
        ) from None
    if not isinstance(document, dict) or "x-gateway" not in document:
        raise SpecError(
            "not a derived gateway spec (no x-gateway block)",
            where=path,
            fix="re-run `kling-conformance docs extract` to regenerate it",
        )
    return GatewaySpec(document, path=Path(path))
