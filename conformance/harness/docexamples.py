"""Documented examples: the gateway document's own request example and the response it documents.

Read from the derived gateway specs (``specs/gateways/<id>.yaml``, OpenAPI 3.1 with ``x-provenance``
on every example). They feed two things: the ``<operation>.doc-example`` scenarios of a live run, and
the bundled doc-derived cassettes (evidence ``doc-derived`` with the document file and line range),
which ``scripts/regenerate_cassettes.py`` writes. In replay the scenarios come from those cassettes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from conformance import __version__
from conformance.harness.cassette import Cassette, Interaction
from conformance.harness.redact import redact_body
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse
from conformance.paths import gateway_specs_dir
from conformance.profiles.model import GatewayProfile

_METHODS = ("get", "post", "put", "patch", "delete")
DOC_PLACEHOLDER_HOST = "https://documented-host.invalid"


@dataclass(frozen=True, slots=True)
class DocExample:
    """One documented operation with its first request and first success-response example."""

    gateway: str
    operation_id: str
    method: str
    path: str
    host: str
    request: Any
    request_source: tuple[str, int, int] | None
    response_status: int | None
    response: Any
    response_source: tuple[str, int, int] | None
    modified: str = ""
    url: str = ""  # a public documentation page (profile examples), instead of a file and lines
    note: str = ""  # what was adapted from the page (profile examples)

    @property
    def source(self) -> str:
        """``<file> lines a-b (request), c-d (response)``, or the documentation page's URL."""
        if self.url:
            return self.url
        parts = []
        file = ""
        for label, src in (("request", self.request_source), ("response", self.response_source)):
            if src is not None:
                file = src[0]
                parts.append(f"{src[1]}-{src[2]} ({label})")
        return f"{file} lines {', '.join(parts)}" if file else ""


def _spec(gateway_id: str) -> dict[str, Any] | None:
    """The derived spec's OpenAPI mapping, through the docs layer's loader (``None``: not documented)."""
    if not (gateway_specs_dir() / f"{gateway_id}.yaml").is_file():
        return None
    from conformance.docs import load_gateway_spec

    document = load_gateway_spec(gateway_id).document
    return document if isinstance(document, dict) else None


def _first_example(content: Any) -> tuple[Any, tuple[str, int, int] | None] | None:
    if not isinstance(content, dict):
        return None
    for media in content.values():
        examples = (media or {}).get("examples") or {}
        for name in sorted(examples):
            entry = examples[name] or {}
            if "value" not in entry:
                continue
            prov = entry.get("x-provenance") or {}
            lines = prov.get("lines") or [0, 0]
            src = (str(prov.get("file", "")), int(lines[0]), int(lines[-1])) if prov.get("file") else None
            return entry["value"], src
    return None


def documented_examples(gateway_id: str) -> list[DocExample]:
    """Every operation of the gateway's derived spec that documents a request or a response example."""
    spec = _spec(gateway_id)
    if spec is None:
        return []
    host = ((spec.get("x-gateway") or {}).get("host")) or ""
    sources = (spec.get("x-gateway") or {}).get("sources") or []
    modified = str(sources[0].get("modified") or "") if sources else ""
    out: list[DocExample] = []
    for path, methods in sorted((spec.get("paths") or {}).items()):
        for method in _METHODS:
            op = (methods or {}).get(method)
            if not isinstance(op, dict) or not op.get("operationId"):
                continue
            request = _first_example((op.get("requestBody") or {}).get("content"))
            response: tuple[Any, tuple[str, int, int] | None] | None = None
            status: int | None = None
            for code, resp in sorted((op.get("responses") or {}).items()):
                if str(code).isdigit() and 200 <= int(code) < 300:
                    found = _first_example((resp or {}).get("content"))
                    if found is not None:
                        response, status = found, int(code)
                        break
            if request is None and response is None:
                continue
            out.append(
                DocExample(
                    gateway=gateway_id,
                    operation_id=str(op["operationId"]),
                    method=method.upper(),
                    path=str(path),
                    host=str(host),
                    request=request[0] if request else None,
                    request_source=request[1] if request else None,
                    response_status=status,
                    response=response[0] if response else None,
                    response_source=response[1] if response else None,
                    modified=modified,
                )
            )
    return out


def _concrete_path(example: DocExample) -> str:
    path = example.path
    if "{task_id}" in path:
        data = example.response.get("data") if isinstance(example.response, dict) else None
        task_id = data.get("task_id") if isinstance(data, dict) else None
        path = path.replace("{task_id}", str(task_id or "documented-task-id"))
    return path


def doc_examples_for(profile: GatewayProfile, cassettes: dict[str, Cassette] | None) -> dict[str, dict[str, Any]]:
    """Operation id → ``{"method", "path", "body", "source"}`` for the catalog's doc-example scenarios.

    In replay (``cassettes`` given) they come from the doc-derived cassettes, so replay never needs
    the spec files; otherwise from the derived gateway spec.
    """
    out: dict[str, dict[str, Any]] = {}
    if cassettes is not None:
        from conformance.harness.replay_index import relative_url

        for scenario, cassette in cassettes.items():
            if not scenario.endswith(".doc-example") or not cassette.interactions:
                continue
            req = cassette.interactions[0].request
            body: Any = None
            if req.body:
                try:
                    body = json.loads(req.body)
                except ValueError:
                    body = req.body.decode("utf-8", "replace")
            out[cassette.operation or scenario.removesuffix(".doc-example")] = {
                "method": req.method,
                "path": relative_url(req.url, cassette.base_url),
                "body": body,
                "source": cassette.evidence.source,
            }
        return out
    for example in [*documented_examples(profile.id), *profile_examples(profile)]:
        if example.request is None and example.method != "GET":
            continue
        out[example.operation_id] = {
            "method": example.method,
            "path": _concrete_path(example),
            "body": example.request,
            "source": example.source,
        }
    return out


def profile_examples(profile: GatewayProfile) -> list[DocExample]:
    """The profile's own ``[[examples]]`` (documented on a public page; the source is its URL)."""
    out: list[DocExample] = []
    for item in profile.examples:
        op = profile.operation(item.operation_id)
        path = item.path or (op.path if op is not None else "")
        if item.request is None and item.method != "GET":
            continue
        out.append(
            DocExample(
                gateway=profile.id,
                operation_id=item.operation_id,
                method=item.method,
                path=path,
                host=profile.base_url.split("://", 1)[-1] if profile.base_url else "",
                request=item.request,
                request_source=None,
                response_status=item.status,
                response=item.response,
                response_source=None,
                modified=item.retrieved,
                url=item.source,
                note=item.note,
            )
        )
    return out


def doc_cassettes(gateway_id: str) -> list[Cassette]:
    """One doc-derived cassette per documented operation that shows a request and the response it documents.

    Seed gateways take them from their derived gateway spec; other built-ins from their profile's
    ``[[examples]]`` (evidence source: the documentation page's URL).
    """
    from conformance.profiles import load_profile

    out: list[Cassette] = []
    profile = load_profile(gateway_id)
    examples = documented_examples(gateway_id)
    if not examples:
        examples = profile_examples(profile)
    # the credential where the profile's [auth] puts it (X-API-Key for PiAPI), redacted
    credential = () if profile.auth.query else ((profile.auth.header or "Authorization", "[REDACTED]"),)
    for example in examples:
        if example.response is None or (example.request is None and example.method != "GET"):
            continue
        base = f"https://{example.host}" if example.host else DOC_PLACEHOLDER_HOST
        body = json.dumps(example.request, ensure_ascii=False).encode() if example.request is not None else b""
        headers: tuple[tuple[str, str], ...] = credential
        if body:
            headers = (*headers, ("Content-Type", "application/json"))
        request = RecordedRequest(
            method=example.method, url=base + _concrete_path(example), headers=headers, body=redact_body(body)
        )
        response = RecordedResponse(
            status_code=example.response_status or 200,
            headers=(("Content-Type", "application/json"),),
            body=redact_body(json.dumps(example.response, ensure_ascii=False).encode()),
        )
        out.append(
            Cassette(
                gateway=gateway_id,
                scenario=f"{example.operation_id}.doc-example",
                operation=example.operation_id,
                evidence=Evidence(
                    kind=EvidenceKind.DOC_DERIVED,
                    source=example.source,
                    recorded_at=example.modified.split(" ")[0],
                    tool_version=__version__,
                ),
                base_url=base,
                interactions=[
                    Interaction(
                        request=request, response=response, purpose="create" if example.method == "POST" else "query"
                    )
                ],
                meta={"documented": True, **({"note": example.note} if example.note else {})},
            )
        )
    return out
