"""Run the emulator with uvicorn: in a background thread (tests, harness) or in the foreground (serve)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

import uvicorn

from conformance.emulator.app import create_app
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.tls import LocalTLS
from conformance.profiles.model import GatewayProfile

_QUIET_MESSAGES = ("ASGI callable returned without completing response",)


class RedactKeysFilter(logging.Filter):
    """Drops accepted keys from every log record (message and arguments), and the fault-reset noise."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        super().__init__()
        self._keys: tuple[str, ...] = ()
        self.add_keys(keys)

    def add_keys(self, keys: Iterable[str]) -> None:
        """Also redact ``keys`` (longest first, so that a key containing another is fully hidden)."""
        self._keys = tuple(sorted({*self._keys, *(k for k in keys if k)}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(text in message for text in _QUIET_MESSAGES):
            return False
        if self._keys and any(key in message for key in self._keys):
            record.msg = self._redact(record.msg)
            if isinstance(record.args, tuple):  # uvicorn's access formatter unpacks the args tuple
                record.args = tuple(self._redact(arg) for arg in record.args)
            elif isinstance(record.args, dict):
                record.args = {name: self._redact(arg) for name, arg in record.args.items()}
            if any(key in record.getMessage() for key in self._keys):  # still there: drop the arguments
                record.msg, record.args = self._redact(record.getMessage()), None
        return True

    def _redact(self, value: object) -> object:
        if not isinstance(value, str):
            return value
        for key in self._keys:
            value = value.replace(key, "[REDACTED]")
        return value


_REDACTOR = RedactKeysFilter()
_REDACTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "conformance.emulator")


def install_log_redaction(keys: Iterable[str]) -> RedactKeysFilter:
    """Redact ``keys`` in uvicorn's and the emulator's loggers (one shared filter; safe to call often).

    An ``AK|SK`` pair is redacted whole and in its parts.
    """
    keys = tuple(keys)
    _REDACTOR.add_keys((*keys, *(part for key in keys if "|" in key for part in key.split("|"))))
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
    return _REDACTOR


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only then (else every
    # response waits ~40 ms for a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def uvicorn_server(
    profiles: Sequence[GatewayProfile],
    config: EmulatorConfig,
    *,
    access_log: bool = False,
    log_level: str = "warning",
    tls: LocalTLS | None = None,
) -> uvicorn.Server:
    """A configured (not yet running) uvicorn server for the emulator app (https with ``tls``)."""
    app = create_app(profiles, config)
    uv_config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
        date_header=False,
        ssl_certfile=str(tls.cert_path) if tls else None,
        ssl_keyfile=str(tls.key_path) if tls else None,
    )
    return uvicorn.Server(uv_config)


class RunningEmulator:
    """An emulator serving in a background thread. Use as a context manager or call :meth:`stop`."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        host: str,
        port: int,
        *,
        tls: LocalTLS | None = None,
        root: str = "",
    ) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self.tls = tls
        self.root = root

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:8123`` (``https://`` with TLS)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def ca_path(self) -> Path | None:
        """The local CA certificate a client must trust (``None`` without TLS)."""
        return self.tls.ca_path if self.tls else None

    def base_url(self, gateway_id: str) -> str:
        """Base URL of one gateway, e.g. ``http://127.0.0.1:8123/newapi`` (the root URL for the root gateway)."""
        return self.url if gateway_id == self.root else f"{self.url}/{gateway_id}"

    @property
    def app(self) -> object:
        """The Starlette app being served (its ``state.emulator`` exposes the task store)."""
        return self._server.config.app

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_emulator(
    profiles: Sequence[GatewayProfile],
    config: EmulatorConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ready_timeout: float = 15.0,
    tls: LocalTLS | None = None,
) -> RunningEmulator:
    """Serve ``profiles`` on ``host:port`` (0 = a free port) in a background thread; returns once ready.

    ``tls`` (from :func:`~conformance.emulator.tls.local_tls`) serves https; ``config.root`` serves that
    gateway at ``/``.
    """
    config = config or EmulatorConfig()
    install_log_redaction(config.keys)
    server = uvicorn_server(profiles, config, tls=tls)
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # pragma: no cover - surfaced to the caller below
            failure.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name=f"kling-emulator-{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started:
        if failure or not thread.is_alive():
            raise RuntimeError(f"emulator failed to start: {failure[0] if failure else 'thread exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"emulator not ready after {ready_timeout} s")
        time.sleep(0.005)
    return RunningEmulator(server, thread, host, actual_port, tls=tls, root=config.root)
