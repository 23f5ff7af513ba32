"""A fal-style queue gateway on a real loopback socket (for the driving tests).

``POST /fal-ai/kling-video/v2.5-turbo/pro/text-to-video`` takes ``{prompt, duration, aspect_ratio, ...}``
and answers ``{request_id, status_url, response_url}``; ``GET .../requests/<id>/status`` walks
``IN_QUEUE → IN_PROGRESS → COMPLETED``; ``GET .../requests/<id>`` answers the result
``{video: {url}}``. A body in Kling's dialect (``model_name``) is refused with 422, as a gateway that
does not speak Kling would. Every request is kept for the assertions.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CREATE = "/fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
REQUESTS = "/fal-ai/kling-video/requests"


@dataclass
class QueueState:
    """What the gateway saw and how far each task got."""

    base: str = ""
    statuses: tuple[str, ...] = ("IN_QUEUE", "IN_PROGRESS", "COMPLETED")
    polls: dict[str, int] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: QueueState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self, body: Any) -> None:
            with state.lock:
                state.seen.append((self.command, self.path, dict(self.headers.items()), body))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            self._record(body)
            if self.path != CREATE:
                self._reply(404, {"detail": "Not Found"})
            elif not isinstance(body, dict) or "model_name" in body or not body.get("prompt"):
                self._reply(422, {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]})
            else:
                with state.lock:
                    rid = f"req-{next(state.ids):04d}"
                self._reply(
                    200,
                    {
                        "request_id": rid,
                        "status_url": f"{state.base}{REQUESTS}/{rid}/status",
                        "response_url": f"{state.base}{REQUESTS}/{rid}",
                    },
                )

        def do_GET(self) -> None:
            self._record(None)
            path = self.path.split("?")[0]
            if not path.startswith(REQUESTS + "/"):
                self._reply(404, {"detail": "Not Found"})
                return
            rest = path[len(REQUESTS) + 1 :]
            rid, _, tail = rest.partition("/")
            if not rid.startswith("req-"):
                self._reply(404, {"detail": "Request not found"})
            elif tail == "status":
                with state.lock:
                    count = state.polls.get(rid, 0)
                    state.polls[rid] = count + 1
                word = state.statuses[min(count, len(state.statuses) - 1)]
                self._reply(200, {"status": word, "request_id": rid})
            else:
                self._reply(200, {"video": {"url": f"{state.base}/media/{rid}.mp4"}, "seed": 7})

    return Handler


@contextmanager
def queue_gateway() -> Iterator[QueueState]:
    """Serve a fal-style queue gateway on 127.0.0.1 (a free port) for the duration of the block."""
    state = QueueState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def queue_profile_toml(base_url: str, gateway_id: str = "queue-loop") -> str:
    """A user profile for the queue gateway: writing (no model_name, nothing Kling-only) and driving."""
    return f'''
id = "{gateway_id}"
title = "fal-style queue gateway (loopback)"
family = "custom"
base_url = "{base_url}"
path_prefix = ""

[operations."*"]
supported = false

[operations."text2video.create"]
supported = true
path = "{CREATE}"

[operations."text2video.create".request]
drop = ["model_name", "mode", "external_task_id", "callback_url", "camera_control"]

[operations."text2video.create".task]
task_id = "$.request_id"
poll_url = "$.status_url"
status = "$.status"
terminal = ["COMPLETED"]
result_url = "$.response_url"

[operations."text2video.get"]
supported = true
path = "{REQUESTS}/{{task_id}}"
'''
