"""A hostile loopback gateway for the money, key and fetch tests: it counts, on the server side, every
request that could have created a task.

Modes:

* ``accept``: every POST creates a task (invalid bodies, missing keys included) and answers 200 with the
  official envelope; every GET answers the task ``succeed`` with a result URL on this server.
* ``create-503``: every POST creates a task, then answers 503 (as an overloaded gateway that acted anyway).
* ``echo``: like ``accept``, and echoes the request's Authorization value back in headers and the body,
  in plain, base64 (whole and shifted inside a longer string), base64url, hex (both cases), URL-encoded
  and JSON-escaped forms, in ``Location``, ``WWW-Authenticate``, ``X-*`` headers and the body (the
  canary-key test).

``redirect_to``: every GET of a task answers 302 to ``redirect_to`` + the same path (a second origin).

Only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Stands in the echo body for the key JSON-escaped with ``\/`` (json.dumps never escapes ``/``).
ESCAPED_MARK = "@@escaped-key@@"


@dataclass
class LaxGateway:
    """State of one running lax gateway."""

    mode: str
    url: str = ""
    creates: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    result_url: str = ""  # what GET answers as the video URL (default: this server's /media/v.mp4)
    redirect_to: str = ""  # GET /redirect answers 302 to this (and every task GET, when redirect_gets)
    redirect_gets: bool = False
    pad: int = 0  # every JSON answer carries this many bytes of padding
    task_id: str = ""  # every create answers this id (a hostile one: CR, LF, NUL, "/", "..")

    def next_id(self) -> str:
        with self.lock:
            self.creates += 1
            return self.task_id or f"{800000000000000000 + self.creates}"


def _handler(state: LaxGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> None:
            if state.pad and isinstance(body, dict):
                body = {**body, "padding": "pad " * (state.pad // 4)}  # spaces: not shrunk as base64
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            if state.mode == "echo":  # the key JSON-escaped the way some servers write it: with \/
                key = (self.headers.get("Authorization", "") or self.headers.get("X-Api-Key", "")).removeprefix(
                    "Bearer "
                )
                raw = raw.replace(json.dumps(ESCAPED_MARK).encode(), json.dumps(key).replace("/", "\\/").encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "video/mp4")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _echo_headers(self) -> dict[str, str]:
            if state.mode != "echo":
                return {}
            auth = self.headers.get("Authorization", "") or self.headers.get("X-Api-Key", "")
            key = auth.removeprefix("Bearer ")
            return {
                "X-Echo-Auth": auth,
                "Location": f"https://gw.example/t?key={urllib.parse.quote(key, safe='')}",
                "WWW-Authenticate": f'Bearer realm="{key}"',
                "X-Echo-B64": base64.b64encode(auth.encode()).decode(),
                "X-Echo-B64-Shifted": base64.b64encode(f"u:{key}!".encode()).decode(),
                "X-Echo-B64url": base64.urlsafe_b64encode(f"{key}".encode()).decode(),
                "X-Echo-Hex": key.encode().hex(),
                "X-Echo-HEX": key.encode().hex().upper(),
                "X-Debug": f"seen {auth}; quoted {urllib.parse.quote_plus(key)}",
            }

        def _echo_body(self) -> dict[str, str]:
            if state.mode != "echo":
                return {}
            auth = self.headers.get("Authorization", "") or self.headers.get("X-Api-Key", "")
            key = auth.removeprefix("Bearer ")
            return {
                "seen": auth,
                "b64": base64.b64encode(auth.encode()).decode(),
                "b64url": base64.urlsafe_b64encode(key.encode()).decode().rstrip("="),
                "b64_bearer_shifted": base64.b64encode(f"x{auth}yz".encode()).decode(),
                "b64url_shifted": base64.urlsafe_b64encode(f"xy{key}".encode()).decode(),
                "hex": key.encode().hex(),
                "HEX": key.encode().hex().upper(),
                "hex_bearer": auth.encode().hex(),
                "quoted": urllib.parse.quote(key, safe=""),
                "quoted_plus": urllib.parse.quote_plus(auth),
                "escaped": ESCAPED_MARK,
                "error": f"invalid key {key} for {auth}",
            }

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(("POST", self.path, dict(self.headers)))
            del body
            task_id = state.next_id()
            if state.mode == "create-503":
                self._reply(503, {"code": 1303, "message": "busy", "request_id": "r"})
                return
            envelope = {
                "code": 0,
                "message": "SUCCEED",
                "request_id": "r",
                "data": {"task_id": task_id, "task_status": "submitted", "created_at": 1, "updated_at": 1},
                **self._echo_body(),
            }
            self._reply(200, envelope, self._echo_headers())

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path, dict(self.headers)))
            if self.path.startswith("/media/"):
                self._reply(200, b"\x00\x00\x00\x18ftypmp42", {"X-Secret-Internal": "internal-reply-canary"})
                return
            if self.path.startswith("/redirect") or (state.redirect_gets and not self.path.startswith("/media/")):
                self.send_response(302)
                target = state.redirect_to if self.path.startswith("/redirect") else state.redirect_to + self.path
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            task_id = self.path.rstrip("/").rsplit("/", 1)[-1]
            video = state.result_url or f"{state.url}/media/v.mp4"
            envelope = {
                "code": 0,
                "message": "SUCCEED",
                "request_id": "r",
                "data": {
                    "task_id": task_id,
                    "task_status": "succeed",
                    "created_at": 1,
                    "updated_at": 2,
                    "task_result": {"videos": [{"id": "v", "url": video, "duration": "5"}]},
                },
                **self._echo_body(),
            }
            self._reply(200, envelope, self._echo_headers())

    return Handler


@contextmanager
def lax_gateway(mode: str = "accept") -> Iterator[LaxGateway]:
    """Run a :class:`LaxGateway` on a free 127.0.0.1 port for the block."""
    state = LaxGateway(mode=mode)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class InternalService:
    """A loopback "internal service" (a metadata endpoint, an admin port): it logs every hit it gets."""

    url: str = ""
    hits: list[str] = field(default_factory=list)
    reply: bytes = b"internal-reply-canary: instance credentials AKIA-INTERNAL-0000"


@contextmanager
def internal_service() -> Iterator[InternalService]:
    """Run an :class:`InternalService` on a free 127.0.0.1 port; it answers every GET 200 ``video/mp4``."""
    state = InternalService()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            state.hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
