"""The local callback receiver: a real HTTP server on loopback that collects callback POSTs.

A real gateway cannot reach loopback: give ``--callback-url https://your-tunnel.example`` (a public URL
that forwards to ``--callback-port``) and the harness sends that URL instead, while still receiving here.

Each scenario that sends ``callback_url`` points it at ``<receiver>/callback/<gateway>/<scenario>/<token>``
(one receiver serves every gateway of a run, so the path keeps them apart). The token is unguessable
(an HMAC of the path under a key drawn at random per receiver, :meth:`CallbackReceiver.token_for`): a
delivery is accepted only on the exact path and token the harness sent, so no gateway, and nobody else
on the network, can post into another gateway's or scenario's results. Deliveries are kept per path
(token left out: ``/callback/<gateway>/<scenario>``) with their arrival time, headers and body.

Bounded: a body over :data:`MAX_CALLBACK_BYTES` is answered 413 and the connection closed (its bytes
never parsed as a next request); at most :data:`MAX_PER_PATH` deliveries per path (one task) and
:data:`MAX_TOTAL` in all are kept, and :data:`MAX_TOTAL_BYTES` of bodies; the rest is answered 429 and
counted in :attr:`CallbackReceiver.refused` (a finding for the run, never memory).

The server is a few lines of asyncio (no thread, no framework): HTTP/1.1 POSTs with a Content-Length.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets
import time
from collections import Counter, defaultdict

from conformance.checks.base import CallbackDelivery

MAX_CALLBACK_BYTES = 1024 * 1024
#: Deliveries kept per path (one scenario's task), in all, and bytes of bodies in all.
MAX_PER_PATH = 64
MAX_TOTAL = 5000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
_HEAD_LIMIT = 64 * 1024

_TOO_LARGE = b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
_TOO_MANY = b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n"
_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class CallbackReceiver:
    """Collects callbacks on ``http://127.0.0.1:<port>``; use as an async context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._deliveries: dict[str, list[CallbackDelivery]] = defaultdict(list)
        self._started = time.monotonic()
        self._key = secrets.token_bytes(32)
        self._kept = 0
        self._kept_bytes = 0
        #: Deliveries refused, by reason (``unknown path or token``, ``too large``, ``over the cap``...).
        self.refused: Counter[str] = Counter()

    def token_for(self, path: str) -> str:
        """The unguessable token that must follow ``path`` (``/callback/<gateway>/<scenario>``)."""
        return hmac.new(self._key, path.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]

    def url_for(self, path: str, base_url: str = "") -> str:
        """The full callback URL to send for ``path`` (below ``base_url``, default: this receiver)."""
        return f"{(base_url or self.base_url).rstrip('/')}{path}/{self.token_for(path)}"

    def _accepted_path(self, raw_path: str) -> str | None:
        """``/callback/<gateway>/<scenario>`` when ``raw_path`` carries its right token, else ``None``."""
        path = raw_path.split("?", 1)[0]
        head, _, token = path.rpartition("/")
        if not head.startswith("/callback/") or len(token) != 32:
            return None
        return head if hmac.compare_digest(token, self.token_for(head)) else None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> CallbackReceiver:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as exc:
            from conformance.errors import UsageError

            raise UsageError(
                f"cannot listen for callbacks on {self.host}:{self.port} ({exc.strerror or exc})",
                where="--callback-port",
                fix="choose a free port, or leave --callback-port unset for a random one",
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def deliveries(self, path: str) -> tuple[CallbackDelivery, ...]:
        """Callbacks received on ``path`` (e.g. ``/callback/image2video``), in arrival order."""
        return tuple(self._deliveries.get(path, ()))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
                if len(head) > _HEAD_LIMIT:
                    self.refused["header too large"] += 1
                    break
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                raw_path = parts[1] if len(parts) > 1 else "/"
                headers = tuple(
                    (name.strip(), value.strip())
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                )
                length = next((int(v) for k, v in headers if k.lower() == "content-length" and v.isdigit()), 0)
                if length > MAX_CALLBACK_BYTES:  # never read it, never parse its bytes as a next request
                    self.refused["body too large"] += 1
                    writer.write(_TOO_LARGE)
                    await writer.drain()
                    break
                body = await asyncio.wait_for(reader.readexactly(length), 10.0)
                path = self._accepted_path(raw_path)
                if path is None:
                    self.refused["unknown path or token"] += 1
                    writer.write(_NOT_FOUND)
                elif (
                    len(self._deliveries[path]) >= MAX_PER_PATH
                    or self._kept >= MAX_TOTAL
                    or self._kept_bytes + len(body) > MAX_TOTAL_BYTES
                ):
                    self.refused["over the cap"] += 1
                    writer.write(_TOO_MANY)
                else:
                    self._kept += 1
                    self._kept_bytes += len(body)
                    self._deliveries[path].append(
                        CallbackDelivery(
                            received_at_ms=(time.monotonic() - self._started) * 1000.0, headers=headers, body=body
                        )
                    )
                    writer.write(_OK)
                await writer.drain()
                if any(k.lower() == "connection" and v.lower() == "close" for k, v in headers):
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:  # receiver shutting down: end quietly (no "exception never retrieved")
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()
