"""The registry of fault kinds the emulator can inject, and what each one does on the wire.

Each kind is an async function over a :class:`FaultCall` (the request, the real emulator behind it and
the argument). Kinds that need the real answer call :meth:`FaultCall.capture` and then bend it; the
others answer on their own. Add a kind with :func:`fault_kind`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.registry import Registry

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Captured:
    """The emulator's real answer to a request, held in memory so that a fault can bend it."""

    status: int
    headers: Headers
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        """First header called ``name`` (lower-case bytes)."""
        return next((v for k, v in self.headers if k.lower() == name), None)


class FaultCall:
    """One request on which a fault fires."""

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        app: ASGIApp,
        arg: Any,
        error_body: Callable[[str, str], tuple[int, bytes]],
    ) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        self.app = app
        self.arg = arg
        self._error_body = error_body

    @property
    def gateway(self) -> str:
        """The gateway id (first path segment)."""
        path: str = self.scope.get("path", "/")
        return path.lstrip("/").split("/", 1)[0]

    async def passthrough(self) -> None:
        """Let the real emulator answer."""
        await self.app(self.scope, self.receive, self.send)

    async def capture(self) -> Captured:
        """Run the real emulator and keep its answer instead of sending it."""
        status = 500
        headers: Headers = []
        chunks: list[bytes] = []

        async def keep(message: MutableMapping[str, Any]) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(self.scope, self.receive, keep)
        return Captured(status, headers, b"".join(chunks))

    async def respond(
        self,
        status: int,
        body: bytes,
        content_type: bytes | None = b"application/json",
        extra: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        """Send a complete response with a correct Content-Length."""
        headers: Headers = [(b"content-length", str(len(body)).encode())]
        if content_type is not None:
            headers.append((b"content-type", content_type))
        headers.extend(extra)
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    async def respond_captured(self, captured: Captured, body: bytes | None = None, **changes: bytes) -> None:
        """Send ``captured`` with a new body and/or changed headers (Content-Length fixed)."""
        body = captured.body if body is None else body
        replaced = {name.replace("_", "-").encode() for name in changes}
        headers = [(k, v) for k, v in captured.headers if k.lower() not in replaced | {b"content-length"}]
        headers.extend((name.replace("_", "-").encode(), value) for name, value in changes.items())
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({"type": "http.response.start", "status": captured.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    def watch_disconnect(self) -> asyncio.Task[None]:
        """A task that finishes when the client goes away (call after the request body is consumed)."""

        async def wait() -> None:
            while (await self.receive())["type"] != "http.disconnect":
                pass

        return asyncio.get_running_loop().create_task(wait())

    def gateway_error(self, situation: str) -> tuple[int, bytes]:
        """The gateway's own error body for ``situation`` (``rate-limit``)."""
        return self._error_body(self.gateway, situation)


FaultFunc = Callable[[FaultCall], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultKind:
    """A named fault: its summary, its argument parser and its behaviour."""

    name: str
    summary: str
    run: FaultFunc
    parse_arg: Callable[[str], Any]
    arg_help: str = "no argument"
    delays_only: bool = False  # latency-like: combines with another fault on the same request


FAULT_KINDS: Registry[FaultKind] = Registry("fault kind")


def _no_arg(text: str) -> None:
    if text:
        raise ValueError("this kind takes no argument")


def parse_duration(text: str, default: float) -> float:
    """``"50ms"``, ``"0.2s"`` or ``"2"`` (seconds) → seconds."""
    if not text:
        return default
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)?", text.strip())
    if match is None:
        raise ValueError("expected a duration such as 50ms, 0.2s or 2")
    value = float(match[1])
    return value / 1000.0 if match[2] == "ms" else value


def parse_size(text: str, default: int) -> int:
    """``"50MB"``, ``"512KB"`` or ``"1000"`` (bytes) → bytes."""
    if not text:
        return default
    match = re.fullmatch(r"(\d+)(B|KB|MB|GB)?", text.strip(), re.IGNORECASE)
    if match is None:
        raise ValueError("expected a size such as 50MB, 512KB or 1000")
    factor = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[(match[2] or "").upper()]
    return int(match[1]) * factor


def fault_kind(
    name: str,
    summary: str,
    *,
    parse_arg: Callable[[str], Any] = _no_arg,
    arg_help: str = "no argument",
    delays_only: bool = False,
) -> Callable[[FaultFunc], FaultFunc]:
    """Register the decorated coroutine as fault kind ``name``."""

    def decorator(func: FaultFunc) -> FaultFunc:
        FAULT_KINDS.add(
            name,
            FaultKind(
                name=name, summary=summary, run=func, parse_arg=parse_arg, arg_help=arg_help, delays_only=delays_only
            ),
        )
        return func

    return decorator


_HTML = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _html_error(status: int, reason: str) -> FaultFunc:
    async def run(call: FaultCall) -> None:
        body = _HTML.format(status=status, reason=reason).encode()
        await call.respond(status, body, b"text/html")

    return run


for _status, _reason in (
    (500, "Internal Server Error"),
    (502, "Bad Gateway"),
    (503, "Service Temporarily Unavailable"),
):
    fault_kind(f"html{_status}", f"HTTP {_status} with an nginx HTML error page")(_html_error(_status, _reason))


@fault_kind(
    "latency",
    "delay the answer (default 100ms), then answer normally",
    parse_arg=lambda t: parse_duration(t, 0.1),
    arg_help="a duration such as 50ms",
    delays_only=True,
)
async def _latency(call: FaultCall) -> None:
    await asyncio.sleep(call.arg)


@fault_kind("truncated", "the real JSON body cut in half (Content-Length matches the cut body)")
async def _truncated(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, captured.body[: max(1, len(captured.body) // 2)])


@fault_kind("wrong-content-type", "the real body labelled text/html")
async def _wrong_content_type(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, content_type=b"text/html; charset=utf-8")


@fault_kind("empty", "HTTP 200 with an empty body")
async def _empty(call: FaultCall) -> None:
    await call.capture()  # the request still takes effect upstream
    await call.respond(200, b"")


@fault_kind("not-json", "HTTP 200 labelled JSON whose body is plain text")
async def _not_json(call: FaultCall) -> None:
    await call.capture()
    await call.respond(200, b"upstream busy, please retry later\n")


@fault_kind("reset", "the connection is closed half-way through the body")
async def _reset(call: FaultCall) -> None:
    captured = await call.capture()
    headers = [(k, v) for k, v in captured.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(captured.body)).encode()))
    await call.send({"type": "http.response.start", "status": captured.status, "headers": headers})
    await call.send({"type": "http.response.body", "body": captured.body[: len(captured.body) // 2], "more_body": True})
    # Returning without finishing the body makes the server drop the connection.


@fault_kind(
    "slow-drip",
    "the real body dribbled out over a bounded time (default 2s, at most 600s)",
    parse_arg=lambda t: min(parse_duration(t, 2.0), 600.0),
    arg_help="a duration such as 2s",
)
async def _slow_drip(call: FaultCall) -> None:
    captured = await call.capture()
    body = captured.body
    headers = [(k, v) for k, v in captured.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await call.send({"type": "http.response.start", "status": captured.status, "headers": headers})
    steps = max(1, min(len(body), 20))
    size = -(-len(body) // steps)
    gone = call.watch_disconnect()
    try:
        for start in range(0, len(body), size):
            await asyncio.sleep(call.arg / steps)
            if gone.done():
                return
            await call.send({"type": "http.response.body", "body": body[start : start + size], "more_body": True})
        await call.send({"type": "http.response.body", "body": b""})
    finally:
        gone.cancel()


@fault_kind(
    "endless",
    "a 200 JSON body that never ends (one byte every 50ms, bounded: default 300s)",
    parse_arg=lambda t: min(parse_duration(t, 300.0), 3600.0),
    arg_help="a duration such as 60s",
)
async def _endless(call: FaultCall) -> None:
    await call.send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await call.send({"type": "http.response.body", "body": b'{"code":0,"data":[', "more_body": True})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + call.arg
    gone = call.watch_disconnect()
    try:
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            if gone.done():
                return  # the reader gave up: stop instead of dripping into a closed socket
            await call.send({"type": "http.response.body", "body": b" ", "more_body": True})
        await call.send({"type": "http.response.body", "body": b"]}"})
    finally:
        gone.cancel()


@fault_kind(
    "big-body",
    "a 200 JSON body of the given size (default 50MB), streamed",
    parse_arg=lambda t: parse_size(t, 50 * 1024**2),
    arg_help="a size such as 50MB",
)
async def _big_body(call: FaultCall) -> None:
    head, tail = b'{"code":0,"message":"SUCCEED","data":{"pad":"', b'"}}'
    pad = max(0, call.arg - len(head) - len(tail))
    await call.send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(head) + pad + len(tail)).encode()),
            ],
        }
    )
    await call.send({"type": "http.response.body", "body": head, "more_body": True})
    chunk = b"x" * (1024 * 1024)
    while pad > 0:
        part = chunk[: min(pad, len(chunk))]
        pad -= len(part)
        await call.send({"type": "http.response.body", "body": part, "more_body": True})
    await call.send({"type": "http.response.body", "body": tail})


@fault_kind(
    "deep-nesting",
    "a 200 JSON body nested N levels deep (default 10000)",
    parse_arg=lambda t: int(t) if t else 10_000,
    arg_help="a depth such as 10000",
)
async def _deep_nesting(call: FaultCall) -> None:
    await call.respond(200, b'{"data":' * call.arg + b"0" + b"}" * call.arg)


@fault_kind("no-content", "HTTP 204 with no body (the request still takes effect)")
async def _no_content(call: FaultCall) -> None:
    await call.capture()
    await call.send({"type": "http.response.start", "status": 204, "headers": []})
    await call.send({"type": "http.response.body", "body": b""})


@fault_kind("redirect-loop", "HTTP 302 back to the same URL, for ever")
async def _redirect_loop(call: FaultCall) -> None:
    path = call.scope.get("root_path", "") + call.scope["path"]
    query = call.scope.get("query_string", b"")
    location = path.encode() + (b"?" + query if query else b"")
    await call.respond(302, b"", None, [(b"location", location)])


def _parse_retry_after(text: str) -> int | None:
    if text == "none":
        return None
    if not text:
        return 1
    return int(text)


@fault_kind(
    "rate-limit",
    "HTTP 429 in the gateway's own error shape, with Retry-After ARG (default 1) or none",
    parse_arg=_parse_retry_after,
    arg_help="seconds for Retry-After (e.g. 99999) or none",
)
async def _rate_limit(call: FaultCall) -> None:
    status, body = call.gateway_error("rate-limit")
    extra: Headers = [] if call.arg is None else [(b"retry-after", str(call.arg).encode())]
    await call.respond(status, body, b"application/json", extra)


def _rewrite_json(body: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            change(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return orjson.dumps(document)
