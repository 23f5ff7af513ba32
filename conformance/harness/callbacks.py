"""The local callback receiver: a real HTTP server on loopback that collects callback POSTs.

A real gateway cannot reach loopback: give ``--callback-url https://your-tunnel.example`` (a public URL
that forwards to ``--callback-port``) and the harness sends that URL instead, while still receiving here.

Each scenario that sends ``callback_url`` points it at ``<receiver>/callback/<gateway>/<scenario>`` (one
receiver serves every gateway of a run, so the path keeps them apart); deliveries are
kept per path with their arrival time, headers and body. The server is a few lines of asyncio (no
thread, no framework): it accepts HTTP/1.1 POSTs with a Content-Length, answers 200, and caps bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict

from conformance.checks.base import CallbackDelivery

MAX_CALLBACK_BYTES = 1024 * 1024


class CallbackReceiver:
    """Collects callbacks on ``http://127.0.0.1:<port>``; use as an async context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None
        self._deliveries: dict[str, list[CallbackDelivery]] = defaultdict(list)
        self._started = time.monotonic()

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
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                path = parts[1] if len(parts) > 1 else "/"
                headers = tuple(
                    (name.strip(), value.strip())
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                )
                length = next((int(v) for k, v in headers if k.lower() == "content-length" and v.isdigit()), 0)
                body = await asyncio.wait_for(reader.readexactly(min(length, MAX_CALLBACK_BYTES)), 10.0)
                self._deliveries[path.split("?")[0]].append(
                    CallbackDelivery(
                        received_at_ms=(time.monotonic() - self._started) * 1000.0, headers=headers, body=body
                    )
                )
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
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
