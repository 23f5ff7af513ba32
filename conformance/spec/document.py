"""Validating OpenAPI documents: the canonical spec and the per-gateway specs under ``specs/gateways/``.

``validate_openapi_document`` runs openapi-spec-validator (OpenAPI 3.1) and returns every problem with
its JSON path. ``check_spec_file`` adds the project's own rules and a summary:

- every schema must also be a valid Draft 2020-12 schema once its ``$ref`` are inlined;
- the canonical spec must hold exactly the 24 ``<family>.create|get|list`` operationIds of the core
  families plus what its family table (``x-kling-families``, see :mod:`conformance.spec.families`)
  declares, link every create to its get, validate every example against its schema and carry a
  well-formed ``x-kling-error-codes`` table;
- a gateway spec (one with ``x-gateway``) may only use canonical operationIds and must list its
  departures in ``x-departures``;
- a 3.x spec (``x-kling-contract: kling-v3``) follows :func:`conformance.spec.v3.v3_problems`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import SpecError
from conformance.spec.families import families_of, family_problems
from conformance.spec.loading import load_yaml
from conformance.spec.operations import OperationInfo, iter_operations
from conformance.spec.resolve import RefResolver

FAMILIES = (
    "generations",
    "text2video",
    "image2video",
    "multi-image2video",
    "video-extend",
    "effects",
    "kolors-virtual-try-on",
    "lip-sync",
)
KINDS = ("create", "get", "list")
#: The keys of one row of ``x-kling-error-codes``.
ERROR_ROW_KEYS = ("http_status", "definition", "explanation")
#: The operationIds the canonical spec must define, exactly.
CANONICAL_OPERATION_IDS = tuple(f"{family}.{kind}" for family in FAMILIES for kind in KINDS)


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One reason a spec file is invalid. ``json_path`` is ``$``-rooted (``$.paths['/v1/x'].get``)."""

    file: str
    json_path: str
    message: str

    def render(self) -> str:
        """``specs/x.yaml: $.paths: message``."""
        return f"{self.file}: {self.json_path}: {self.message}"


@dataclass(frozen=True, slots=True)
class SpecReport:
    """The outcome of :func:`check_spec_file`: what the spec holds and what is wrong with it."""

    file: str
    kind: str  # "canonical", "gateway" or "openapi"
    gateway: str = ""
    operations: tuple[str, ...] = ()
    extended_operations: tuple[str, ...] = ()
    departures: int = 0
    problems: tuple[SpecProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """No problems."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``spec check --json``."""
        return {
            "file": self.file,
            "kind": self.kind,
            "gateway": self.gateway or None,
            "operations": list(self.operations),
            "operation_count": len(self.operations),
            "extended_operations": list(self.extended_operations),
            "departures": self.departures,
            "ok": self.ok,
            "problems": [{"json_path": p.json_path, "message": p.message} for p in self.problems],
        }


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            path += f".{part}"
        else:
            path += f"[{str(part)!r}]"
    return path


def _load_document(path: Path) -> tuple[dict[str, Any] | None, list[SpecProblem]]:
    try:
        document = load_yaml(path)
    except SpecError as exc:
        return None, [SpecProblem(str(path), "$", exc.render())]
    if not isinstance(document, dict):
        return None, [SpecProblem(str(path), "$", "the document is not a mapping (expected an OpenAPI object)")]
    return document, []


def iter_schema_locations(node: Any, parts: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every Schema Object of an OpenAPI document with its location: ``components.schemas.*`` and
    every ``schema`` of a parameter, header or media type (in paths, webhooks, callbacks, components).

    Extensions (``x-*``) and examples are skipped; a schema's inside is not searched again.
    """
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_schema_locations(item, (*parts, index))
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if not isinstance(key, str) or key.startswith("x-") or key in ("example", "examples"):
            continue
        here = (*parts, key)
        if key == "schema" and isinstance(value, dict | bool):
            yield here, value
        elif parts == ("components",) and key == "schemas" and isinstance(value, dict):
            for name, schema in value.items():
                yield (*here, name), schema
        else:
            yield from iter_schema_locations(value, here)


def _schema_meta_problems(document: dict[str, Any], file: str) -> list[SpecProblem]:
    """Draft 2020-12 metaschema problems of every schema, each at its absolute JSON path."""
    import jsonschema

    problems: list[SpecProblem] = []
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    for location, schema in iter_schema_locations(document):
        for error in meta.iter_errors(schema):
            where = _json_path([*location, *error.absolute_path])
            problems.append(SpecProblem(file, where, _short(error.message)))
    return problems


def _short(message: str, limit: int = 400) -> str:
    """The first paragraph of ``message``, cut to ``limit`` characters."""
    message = message.strip().split("\n\n", 1)[0]
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _openapi_problems(document: dict[str, Any], file: str) -> list[SpecProblem]:
    """openapi-spec-validator's problems plus the metaschema problems of every schema, with JSON paths.

    openapi-spec-validator reports a bad schema relative to that schema (``$.type``), so those errors
    are replaced by our own per-schema check, which knows where each schema sits.
    """
    from openapi_spec_validator import OpenAPIV31SpecValidator  # heavy (~0.3 s): only `spec check` needs it

    try:
        errors = list(OpenAPIV31SpecValidator(document).iter_errors())
    except Exception as exc:  # the validator can crash on very broken input (e.g. unresolvable refs)
        return [SpecProblem(file, "$", f"openapi-spec-validator failed: {exc}")]
    problems: list[SpecProblem] = []
    relative: list[SpecProblem] = []
    for error in errors:
        parts = list(getattr(error, "absolute_path", None) or [])
        problem = SpecProblem(file, _json_path(parts), _short(error.message))
        anchored = bool(parts) and parts[0] in document
        (problems if anchored or not parts else relative).append(problem)
    schema_problems = _schema_meta_problems(document, file)
    if relative and not schema_problems:  # keep them rather than lose them, marked as relative
        problems.extend(SpecProblem(file, p.json_path, f"{p.message} (path inside a schema)") for p in relative)
    return [*problems, *schema_problems]


def validate_openapi_document(path: str | Path) -> list[SpecProblem]:
    """Every OpenAPI 3.1 problem in the file at ``path`` (``[]`` when it is valid).

    A file that cannot be read or parsed yields one problem at ``$`` naming the line.
    """
    file = Path(path)
    document, problems = _load_document(file)
    if document is None:
        return problems
    return _openapi_problems(document, str(file))


def _schema_problems(document: dict[str, Any], file: str) -> list[SpecProblem]:
    """Every schema under components/schemas must be a valid Draft 2020-12 schema once inlined."""
    import jsonschema

    problems: list[SpecProblem] = []
    resolver = RefResolver(document, where=file)
    schemas = (document.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        where = _json_path(["components", "schemas", name])
        try:
            jsonschema.Draft202012Validator.check_schema(resolver.standalone(schema))
        except SpecError as exc:
            problems.append(SpecProblem(file, where, exc.problem))
        except jsonschema.SchemaError as exc:
            problems.append(SpecProblem(file, where + _json_path(exc.absolute_path)[1:], exc.message))
    return problems


def _canonical_rules(document: dict[str, Any], operations: list[OperationInfo], file: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    found = [op.operation_id for op in operations]
    family_table = families_of(document)
    declared = {op_id for info in family_table.values() if info.tier == "extended" for op_id in info.all_operations}
    missing = sorted(set(CANONICAL_OPERATION_IDS) - set(found))
    extra = sorted(set(found) - set(CANONICAL_OPERATION_IDS) - declared)
    if missing:
        problems.append(SpecProblem(file, "$.paths", f"missing operationIds: {', '.join(missing)}"))
    if extra:
        problems.append(SpecProblem(file, "$.paths", f"unexpected operationIds: {', '.join(extra)}"))
    for op in operations:
        if op.kind != "create":
            continue
        targets = {link.get("operationId") for link in op.links.values()}
        if f"{op.family}.get" not in targets:
            where = _json_path(["paths", op.path, op.method.lower(), "responses", "200", "links"])
            problems.append(SpecProblem(file, where, f"{op.operation_id} has no link to {op.family}.get"))
    core = sorted(name for name, info in family_table.items() if info.tier == "core")
    if family_table and core != sorted(FAMILIES):
        problems.append(SpecProblem(file, "$['x-kling-families']", f"the core families must be {', '.join(FAMILIES)}"))
    endpoints = document.get("x-kling-endpoints")
    endpoint_ids = [str(key) for key in endpoints] if isinstance(endpoints, dict) else []
    problems.extend(
        SpecProblem(file, "$['x-kling-families']", message)
        for message in family_problems(document, found, endpoint_ids)
    )
    problems.extend(_example_problems(operations, file))
    table = document.get("x-kling-error-codes")
    if not isinstance(table, dict) or not table:
        problems.append(SpecProblem(file, "$['x-kling-error-codes']", "missing or empty error-code table"))
    else:
        for code, row in table.items():
            ok = isinstance(row, dict) and isinstance(row.get("http_status"), int) and row.get("definition")
            where = _json_path(["x-kling-error-codes", str(code)])
            if not (str(code).isdigit() and ok):
                problems.append(SpecProblem(file, where, "needs a numeric code with http_status and definition"))
            elif unexpected := sorted(str(key) for key in row if key not in ERROR_ROW_KEYS):
                # e.g. an unquoted "explanation: a (b, c)" in a flow mapping splits into "a (b" and a key "c)"
                problems.append(
                    SpecProblem(file, where, f"unexpected key(s) {', '.join(map(repr, unexpected))}: quote the text")
                )
    return problems


def _example_problems(operations: list[OperationInfo], file: str) -> list[SpecProblem]:
    """Every documented request and 200 example must validate against its own schema."""
    from conformance.spec.validation import compiled

    problems: list[SpecProblem] = []
    for op in operations:
        where = _json_path(["paths", op.path, op.method.lower()])
        if op.request_schema is not None and op.example_request is not None:
            for issue in compiled(op.request_schema).issues(op.example_request)[:3]:
                problems.append(SpecProblem(file, where, f"{op.operation_id}: request example: {issue.render()}"))
        for status, examples in op.response_examples.items():
            schema = op.response_schemas.get(status)
            if schema is None:
                continue
            for name, body in examples.items():
                for issue in compiled(schema).issues(body)[:3]:
                    problems.append(
                        SpecProblem(file, where, f"{op.operation_id}: {status} example {name}: {issue.render()}")
                    )
    return problems


def _gateway_rules(document: dict[str, Any], operations: list[OperationInfo], file: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    gateway = document.get("x-gateway")
    if not isinstance(gateway, dict):
        problems.append(SpecProblem(file, "$['x-gateway']", "x-gateway must be a mapping (id, name, base URL)"))
    departures = document.get("x-departures", [])
    if not isinstance(departures, list | dict):
        problems.append(SpecProblem(file, "$['x-departures']", "x-departures must be a list of departures"))
    for op in operations:
        if op.operation_id not in CANONICAL_OPERATION_IDS:
            where = _json_path(["paths", op.path, op.method.lower(), "operationId"])
            problems.append(
                SpecProblem(file, where, f"{op.operation_id!r} is not a canonical operationId (<family>.<kind>)")
            )
    return problems


def _gateway_id(document: dict[str, Any], path: Path) -> str:
    gateway = document.get("x-gateway")
    if isinstance(gateway, dict):
        return str(gateway.get("id") or gateway.get("gateway_id") or path.stem)
    return path.stem


def _departure_count(document: dict[str, Any]) -> int:
    departures = document.get("x-departures")
    if isinstance(departures, list):
        return len(departures)
    if isinstance(departures, dict):  # grouped, e.g. by operation
        return sum(len(group) if isinstance(group, list) else 1 for group in departures.values())
    return 0


def check_spec_file(path: str | Path, *, canonical: bool | None = None) -> SpecReport:
    """Validate one spec file and summarise it.

    ``canonical`` forces the canonical rules on or off; by default a file with ``x-gateway`` is a
    gateway spec, a file named ``kling.openapi.yaml`` is canonical and anything else is plain OpenAPI.
    """
    file = Path(path)
    name = str(file)
    document, problems = _load_document(file)
    if document is None:
        return SpecReport(file=name, kind="openapi", problems=tuple(problems))
    is_gateway = "x-gateway" in document
    is_canonical = canonical if canonical is not None else (not is_gateway and file.name == "kling.openapi.yaml")
    is_v3 = not is_canonical and document.get("x-kling-contract") == "kling-v3"
    kind = "canonical" if is_canonical else "gateway" if is_gateway else "kling-v3" if is_v3 else "openapi"
    problems = _openapi_problems(document, name)
    operations: list[OperationInfo] = []
    if not problems:  # the project rules assume a structurally valid document
        problems.extend(_schema_problems(document, name))
        try:
            operations = iter_operations(document, where=name)
        except SpecError as exc:
            problems.append(SpecProblem(name, "$.paths", exc.render()))
        if is_canonical:
            problems.extend(_canonical_rules(document, operations, name))
        if is_gateway:
            problems.extend(_gateway_rules(document, operations, name))
        if is_v3:
            from conformance.spec.v3 import v3_problems

            problems.extend(SpecProblem(name, "$", message) for message in v3_problems(document, operations))
    # A canonical report counts the 24 core operations; the extended families' are listed apart.
    core_ids = set(CANONICAL_OPERATION_IDS) if is_canonical else {op.operation_id for op in operations}
    return SpecReport(
        file=name,
        kind=kind,
        gateway=_gateway_id(document, file) if is_gateway else "",
        operations=tuple(op.operation_id for op in operations if op.operation_id in core_ids),
        extended_operations=tuple(op.operation_id for op in operations if op.operation_id not in core_ids),
        departures=_departure_count(document) if is_gateway else 0,
        problems=tuple(problems),
    )
