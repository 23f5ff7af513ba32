"""Cassette files: vcrpy's format (``version: 1`` + ``interactions``) plus a ``kling_conformance:`` block.

One cassette per (gateway, scenario): ``cassettes/<gateway>/<scenario>.yaml``. We *write* them as
pretty-printed JSON (2-space indent, sorted keys, trailing newline). JSON is valid YAML, so vcrpy's YAML
serializer (and any YAML tool) still reads every cassette unchanged, and its loader ignores our extra
top-level block; but we *read* them with orjson, ~40x cheaper than constructing the same objects from
YAML even with libyaml, so loading costs what parsing JSON costs, with no cache anywhere. Hand-written
or vcrpy-recorded YAML cassettes fall back to libyaml's ``CSafeLoader``.

Bodies are stored as text (a JSON body is a JSON string, readable as is); characters YAML would fold
(line separators, C1 controls) are written as ``\\uXXXX`` escapes, and bodies that are not text (binary,
invalid UTF-8, C0 controls) go to a base64 field. They
are already redacted and shrunk by :mod:`conformance.harness.redact` when a cassette is built, so nothing
secret reaches disk.

Each interaction carries its own ``kling_conformance`` block too (vcrpy reads only ``request`` and
``response`` and ignores it): the purpose, a transport error, ``body_note`` (why the live client got the
body cut or mislabelled, restored as ``exchange.meta["body_note"]`` on replay) and ``seq`` (the gateway
client's send counter, restored as ``exchange.meta["seq"]``).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.errors import CassetteError, UsageError
from conformance.harness.atomic import write_atomic
from conformance.inputs import MAX_CASSETTE_BYTES, parse_bounded, read_bytes_input
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse

#: Version of the ``kling_conformance`` block; a cassette with a higher one was written by a newer tool.
CASSETTE_FORMAT = 1

#: orjson options for writing: readable, diff-friendly and byte-stable.
_JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Interaction:
    """One recorded request with its response, or the transport error that replaced the response."""

    request: RecordedRequest
    response: RecordedResponse | None
    purpose: str = ""
    error: str = ""
    elapsed_ms: float = 0.0
    #: Why the body is not what the gateway meant to send (cut at the size/time cap, connection closed
    #: before its Content-Length, a Content-Encoding that lied): ``exchange.meta["body_note"]``.
    note: str = ""
    #: The gateway client's send counter when this request was sent (``exchange.meta["seq"]``; 0 = unknown).
    seq: int = 0


@dataclass(slots=True, kw_only=True)
class Cassette:
    """Everything one scenario recorded for one gateway."""

    gateway: str
    scenario: str
    operation: str
    evidence: Evidence
    base_url: str
    interactions: list[Interaction] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    deadline_exceeded: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def to_document(self) -> dict[str, Any]:
        """The YAML document (vcrpy keys plus our block)."""
        block: dict[str, Any] = {
            "format": CASSETTE_FORMAT,
            "gateway": self.gateway,
            "scenario": self.scenario,
            "operation": self.operation,
            "base_url": self.base_url,
            "evidence": self.evidence.to_dict(),
            "tool_version": self.evidence.tool_version,
        }
        if self.callbacks:
            block["callbacks"] = self.callbacks
        if self.error:
            block["error"] = self.error
        if self.deadline_exceeded:
            block["deadline_exceeded"] = True
        if self.meta:
            block["meta"] = self.meta
        return {
            "kling_conformance": block,
            "interactions": [_interaction_to_dict(i) for i in self.interactions],
            "version": 1,
        }

    def dumps(self) -> str:
        """Serialised text: pretty JSON (valid YAML), deterministic for equal content, newline-terminated."""
        return orjson.dumps(self.to_document(), option=_JSON_OPTIONS).decode("utf-8").translate(_YAML_UNSAFE) + "\n"

    def write(self, path: Path) -> None:
        """Write atomically to ``path``."""
        write_atomic(path, self.dumps())


def cassette_path(root: Path, gateway: str, scenario: str) -> Path:
    """``<root>/<gateway>/<scenario>.yaml``."""
    return root / gateway / f"{scenario}.yaml"


def _headers_to_vcr(headers: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name, []).append(value)
    return out


def _headers_from_vcr(headers: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(headers, dict):
        return ()
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return tuple(pairs)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

#: Characters orjson writes raw that a YAML reader would reject or fold into a line break; inside a JSON
#: string (the only place non-ASCII can occur) ``\uXXXX`` means the same to JSON and to YAML.
_YAML_UNSAFE = {code: f"\\u{code:04x}" for code in (*range(0x80, 0xA0), 0x2028, 0x2029, 0xFEFF)}


def _text(body: bytes) -> str | None:
    """Body as JSON- and YAML-safe text, or ``None`` when it must be stored as base64 (binary, invalid UTF-8)."""
    if not body:
        return ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _UNPRINTABLE.search(text) else text


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


def _interaction_to_dict(item: Interaction) -> dict[str, Any]:
    req = item.request
    extra: dict[str, Any] = {"purpose": item.purpose}
    req_text = _text(req.body)
    if req_text is None:
        extra["request_body_base64"] = base64.b64encode(req.body).decode("ascii")
    request = {
        "body": req_text or None,
        "headers": _headers_to_vcr(req.headers),
        "method": req.method,
        "uri": req.url,
    }
    out: dict[str, Any] = {"request": request}
    if item.response is not None:
        resp = item.response
        resp_text = _text(resp.body)
        if resp_text is None:
            extra["response_body_base64"] = base64.b64encode(resp.body).decode("ascii")
        out["response"] = {
            "status": {"code": resp.status_code, "message": _REASONS.get(resp.status_code, "")},
            "headers": _headers_to_vcr(resp.headers),
            "body": {"string": resp_text or ""},
        }
    else:  # vcrpy needs a response: a transport error is stored as status 0 with our marker
        out["response"] = {"status": {"code": 0, "message": ""}, "headers": {}, "body": {"string": ""}}
    if item.error:
        extra["error"] = item.error
    if item.response is not None and item.response.truncated:
        extra["truncated"] = True
    if item.elapsed_ms:
        extra["elapsed_ms"] = round(item.elapsed_ms, 1)
    if item.note:
        extra["body_note"] = item.note
    if item.seq:
        extra["seq"] = item.seq
    out["kling_conformance"] = extra  # vcrpy reads only request/response and ignores this key
    return out


def _interaction_from_dict(raw: dict[str, Any], where: str) -> Interaction:
    try:
        req = raw["request"]
        resp = raw["response"]
        extra = raw.get("kling_conformance") or {}
        request = RecordedRequest(
            method=str(req["method"]).upper(),
            url=str(req["uri"]),
            headers=_headers_from_vcr(req.get("headers")),
            body=base64.b64decode(extra["request_body_base64"])
            if "request_body_base64" in extra
            else _bytes(req.get("body")),
        )
        error = str(extra.get("error", ""))
        code = int(resp["status"]["code"])
        body = resp.get("body") or {}
        response = (
            None
            if error or code == 0
            else RecordedResponse(
                status_code=code,
                headers=_headers_from_vcr(resp.get("headers")),
                body=base64.b64decode(extra["response_body_base64"])
                if "response_body_base64" in extra
                else _bytes(body.get("string") if isinstance(body, dict) else body),
                truncated=bool(extra.get("truncated", False)),
            )
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteError(
            f"malformed interaction ({type(exc).__name__}: {exc})",
            where=where,
            field="interactions",
            fix="re-record the cassette (kling-conformance run --mode record) or regenerate the bundled ones",
        ) from None
    return Interaction(
        request=request,
        response=response,
        purpose=str(extra.get("purpose", "")),
        elapsed_ms=float(extra.get("elapsed_ms", 0.0)),
        error=error or ("transport error" if response is None else ""),
        note=str(extra.get("body_note", "")),
        seq=_seq(extra.get("seq")),
    )


def _seq(value: Any) -> int:
    """A recorded send counter (0 when absent or not a positive integer)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def parse_document(text: str | bytes, where: str = "<cassette>") -> Any:
    """The parsed document: orjson for our JSON cassettes, libyaml for hand-written or vcrpy YAML ones."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    import yaml  # only YAML cassettes pay for it

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise CassetteError(
            f"not valid YAML or JSON ({str(exc).splitlines()[0]})",
            where=where,
            fix="re-record the cassette or restore it from version control",
        ) from None


def parse_cassette(text: str | bytes, where: str = "<cassette>") -> Cassette:
    """Parse cassette text; malformed or too-new cassettes raise :class:`CassetteError` naming ``where``."""
    return cassette_from_document(parse_document(text, where), where)


def cassette_from_document(data: Any, where: str) -> Cassette:
    """Build a :class:`Cassette` from the parsed document."""
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError("not a vcrpy cassette (no 'interactions' list)", where=where, fix="re-record the cassette")
    block = data.get("kling_conformance") or {}
    if not isinstance(block, dict):
        raise CassetteError("the 'kling_conformance' block is not a mapping", where=where, field="kling_conformance")
    fmt = block.get("format", 1)
    if not isinstance(fmt, int) or fmt > CASSETTE_FORMAT:
        raise CassetteError(
            f"cassette format {fmt!r} is newer than this tool understands (format {CASSETTE_FORMAT})",
            where=where,
            field="kling_conformance.format",
            fix="upgrade kling-conformance (pip install -U kling-conformance)",
        )
    try:
        evidence = (
            Evidence.from_dict(block["evidence"])
            if block.get("evidence")
            else Evidence(kind=EvidenceKind.USER_SUPPLIED, source=where)
        )
    except (KeyError, ValueError) as exc:
        raise CassetteError(
            f"bad evidence block ({exc})",
            where=where,
            field="kling_conformance.evidence",
            fix="evidence.kind must be one of: " + ", ".join(k.value for k in EvidenceKind),
        ) from None
    return Cassette(
        gateway=str(block.get("gateway", "")),
        scenario=str(block.get("scenario", "")),
        operation=str(block.get("operation", "")),
        evidence=evidence,
        base_url=str(block.get("base_url", "")),
        interactions=[_interaction_from_dict(i, where) for i in data["interactions"]],
        callbacks=list(block.get("callbacks") or []),
        error=str(block.get("error", "")),
        deadline_exceeded=bool(block.get("deadline_exceeded", False)),
        meta=dict(block.get("meta") or {}),
    )


def load_cassette(path: Path) -> Cassette:
    """Read one cassette file."""
    fix = "check the path and permissions (re-record the cassette if it is damaged)"
    try:
        text = read_bytes_input(path, what="cassette", fix=fix, max_bytes=MAX_CASSETTE_BYTES, text_only=False)
        document = parse_bounded(
            lambda: parse_document(text, str(path)), what="cassette", where=str(path), fix=fix, limit=256
        )
    except CassetteError:
        raise
    except UsageError as exc:
        raise CassetteError(exc.problem, where=exc.where, fix=exc.fix) from None
    cassette = cassette_from_document(document, str(path))
    cassette.path = path
    if not cassette.scenario:
        cassette.scenario = path.name.removesuffix(".yaml")
    if not cassette.gateway:
        cassette.gateway = path.parent.name
    return cassette


def load_gateway_cassettes(root: Path, gateway: str) -> dict[str, Cassette]:
    """Every cassette of ``gateway`` under ``root``, by scenario id (empty when the folder is missing)."""
    folder = root / gateway
    if not folder.is_dir():
        return {}
    out: dict[str, Cassette] = {}
    for path in sorted(folder.glob("*.yaml")):
        cassette = load_cassette(path)
        if not cassette.gateway:
            cassette.gateway = gateway
        out[cassette.scenario] = cassette
    return out
