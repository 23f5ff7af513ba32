"""Extra hostile fault kinds for the hardening suite, registered in the emulator's own fault registry.

These complement :mod:`conformance.emulator.fault_kinds` with the variants a conformance tool meets
from misbehaving gateways: a gateway that echoes the caller's ``Authorization`` header back, JSON
oddities (``null``, a bare string, a BOM, ``NaN``, trailing garbage, a lone surrogate), HTTP framing
lies (a Content-Length longer than the body, a gzip bomb), odd ``Retry-After`` values, and success
bodies that are structurally wrong (string ``code``, ``data: null``, a success without result URLs).
Every kind is usable from ``--faults`` and from the ``X-Emulator-Fault`` request header.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Callable
from typing import Any

import orjson

from conformance.emulator.fault_kinds import FaultCall, _rewrite_json, fault_kind, parse_size


@fault_kind("echo-auth", "the real JSON body with the request's Authorization header echoed into it")
async def _echo_auth(call: FaultCall) -> None:
    auth = next((v for k, v in call.scope["headers"] if k == b"authorization"), b"")
    captured = await call.capture()
    token = auth.decode("latin-1")
    try:
        document: Any = orjson.loads(captured.body)
    except orjson.JSONDecodeError:
        document = {"raw": captured.body.decode("utf-8", "replace")}
    if isinstance(document, dict):
        document["debug"] = {"authorization": token, "bearer": token.removeprefix("Bearer ")}
    await call.respond_captured(captured, orjson.dumps(document) + b"\n<!-- auth: " + auth + b" -->")


@fault_kind("html200", "HTTP 200 with an HTML page (a captive portal or a CDN challenge)")
async def _html200(call: FaultCall) -> None:
    await call.respond(200, b"<!doctype html><html><body><h1>Just a moment...</h1></body></html>", b"text/html")


def _literal(body: bytes) -> Callable[[FaultCall], Any]:
    async def run(call: FaultCall) -> None:
        await call.capture()
        await call.respond(200, body)

    return run


fault_kind("json-null", "HTTP 200 whose JSON body is the literal null")(_literal(b"null"))
fault_kind("json-string", "HTTP 200 whose JSON body is a bare string")(_literal(b'"SUCCEED"'))
fault_kind("json-number", "HTTP 200 whose JSON body is a bare number")(_literal(b"0"))
fault_kind("lone-surrogate", "HTTP 200 JSON with a lone UTF-16 surrogate escape in a string")(
    _literal(b'{"code":0,"message":"\\ud800","data":{"task_id":"\\udfff","task_status":"submitted"}}')
)
fault_kind("nan-number", "HTTP 200 JSON with NaN and Infinity literals (not JSON)")(
    _literal(b'{"code":NaN,"message":"SUCCEED","data":{"created_at":Infinity}}')
)


@fault_kind("bom-json", "the real JSON body preceded by a UTF-8 byte-order mark")
async def _bom_json(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, b"\xef\xbb\xbf" + captured.body)


@fault_kind("trailing-garbage", "the real JSON body followed by a second document and garbage")
async def _trailing_garbage(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, captured.body + b'{"code":0}\x00garbage')


@fault_kind("short-body", "a Content-Length that promises more bytes than the body has")
async def _short_body(call: FaultCall) -> None:
    captured = await call.capture()
    headers = [(k, v) for k, v in captured.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(captured.body) + 4096).encode()))
    await call.send({"type": "http.response.start", "status": captured.status, "headers": headers})
    await call.send({"type": "http.response.body", "body": captured.body})


@fault_kind(
    "gzip-bomb",
    "Content-Encoding: gzip whose body inflates to SIZE (default 64MB) of zeros",
    parse_arg=lambda t: parse_size(t, 64 * 1024**2),
    arg_help="a size such as 64MB",
)
async def _gzip_bomb(call: FaultCall) -> None:
    await call.capture()
    # Built off the event loop (zlib releases the GIL): the other gateways served by this emulator keep
    # answering while the first bomb of a size is compressed.
    body = await asyncio.to_thread(_bomb, call.arg)
    await call.respond(200, body, b"application/json", [(b"content-encoding", b"gzip")])


_BOMBS: dict[int, bytes] = {}


_BOMB_BLOCK = 1024 * 1024


def _bomb(size: int) -> bytes:
    """gzip of ``{"pad":"000…"}`` with ``size`` zeros, built in tens of milliseconds whatever the size.

    Compressing 64 MiB takes half a second on an idle core (seconds on a busy one, longer than a hostile
    test's read timeout). After a full flush deflate forgets its history, so the compressed form of each
    further 1 MiB block of zeros is byte-identical: it is compressed once and repeated, and only the CRC
    is computed over the whole (inflated) content.
    """
    if size not in _BOMBS:
        prefix, suffix = b'{"pad":"', b'"}'
        blocks, rest = divmod(size, _BOMB_BLOCK)
        deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        parts = [deflate.compress(prefix), deflate.flush(zlib.Z_FULL_FLUSH)]
        crc = zlib.crc32(prefix)
        if blocks:
            zeros = b"0" * _BOMB_BLOCK
            block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
            parts.extend([block] * blocks)
            for _ in range(blocks):
                crc = zlib.crc32(zeros, crc)
        tail = b"0" * rest + suffix
        parts += [deflate.compress(tail), deflate.flush()]
        crc = zlib.crc32(tail, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0
        trailer = struct.pack("<II", crc, (len(prefix) + size + len(suffix)) & 0xFFFFFFFF)
        _BOMBS[size] = header + b"".join(parts) + trailer
    return _BOMBS[size]


def _retry_after(value: bytes, status: int = 429) -> Callable[[FaultCall], Any]:
    async def run(call: FaultCall) -> None:
        code, body = call.gateway_error("rate-limit")
        await call.respond(status or code, body, b"application/json", [(b"retry-after", value)])

    return run


fault_kind("retry-after-garbage", "HTTP 429 with Retry-After: soon (not a number, not a date)")(_retry_after(b"soon"))
fault_kind("retry-after-negative", "HTTP 429 with Retry-After: -5")(_retry_after(b"-5"))
fault_kind("retry-after-far-date", "HTTP 503 with Retry-After set to a date in 2099")(
    _retry_after(b"Thu, 01 Jan 2099 00:00:00 GMT", 503)
)


def _bend(change: Callable[[dict[str, Any]], None]) -> Callable[[FaultCall], Any]:
    async def run(call: FaultCall) -> None:
        captured = await call.capture()
        await call.respond_captured(captured, _rewrite_json(captured.body, change))

    return run


def _code_as_string(node: dict[str, Any]) -> None:
    if isinstance(node.get("code"), int):
        node["code"] = str(node["code"])


def _data_null(node: dict[str, Any]) -> None:
    if "data" in node:
        node["data"] = None


def _id_as_number(node: dict[str, Any]) -> None:
    value = node.get("task_id")
    if isinstance(value, str):
        node["task_id"] = int(value) if value.isdigit() else len(value)


def _success_without_urls(node: dict[str, Any]) -> None:
    result = node.get("task_result")
    if isinstance(result, dict):
        for key in ("videos", "images"):
            if key in result:
                result[key] = []


def _timestamps_in_seconds(node: dict[str, Any]) -> None:
    for key in ("created_at", "updated_at"):
        value = node.get(key)
        if isinstance(value, int) and value > 100_000_000_000:
            node[key] = value // 1000


fault_kind("code-as-string", 'the real body with the integer code sent as a string ("0")')(_bend(_code_as_string))
fault_kind("data-null", "the real body with data set to null")(_bend(_data_null))
fault_kind("id-as-number", "the real body with task_id sent as a JSON number")(_bend(_id_as_number))
fault_kind("no-result-urls", "the real body with every result list emptied (success without URLs)")(
    _bend(_success_without_urls)
)
fault_kind("seconds-timestamps", "the real body with millisecond timestamps sent in seconds")(
    _bend(_timestamps_in_seconds)
)


@fault_kind("huge-header", "the real answer with a 100 KB response header")
async def _huge_header(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, x_padding=b"p" * 100_000)


@fault_kind("status-299", "the real body with HTTP status 299 (a success code nobody defines)")
async def _status_299(call: FaultCall) -> None:
    captured = await call.capture()
    captured.status = 299
    await call.respond_captured(captured)
