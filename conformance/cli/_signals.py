"""Signal handling shared by the commands: SIGINT and SIGTERM stop every command cleanly, at any moment.

Three windows need care, because Python delivers a signal between any two bytecodes:

* before a command installs anything: SIGTERM is turned into SIGINT (:func:`treat_sigterm_as_sigint`), so the
  ordinary ``KeyboardInterrupt`` path ends the process with exit code 130;
* while an event loop is being built: a ``KeyboardInterrupt`` inside ``asyncio``'s constructors leaves a
  half-built loop that prints a traceback when collected. :func:`run_coroutine` holds both signals blocked
  (at the OS level, so nothing is lost) until the loop runs and asyncio's own Ctrl-C handling is in place;
* while a server starts: :func:`stop_server_on_signal` replaces the raise with a request to stop, which the
  server honours as soon as it can (during start-up it skips serving and shuts down);
* while a run stops: :func:`run_coroutine` handles SIGINT itself (asyncio's own handler would raise
  ``KeyboardInterrupt`` on a second Ctrl-C, in the middle of writing the partial report). The first
  signal cancels the run, which judges what it captured and writes the report marked incomplete; any
  further SIGINT/SIGTERM is announced and ignored for :data:`FINISH_GRACE` seconds, after which the
  process ends with exit code 130 whatever it was doing (bounded time, never a hang).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: After a second interrupt, the partial report gets this long (seconds) before the process ends anyway.
FINISH_GRACE = 30.0
STOPPING_NOTICE = "stopping: writing the partial report (interrupt again to leave it; it ends within 30 s)"
AGAIN_NOTICE = "still writing the partial report; it ends within 30 s"


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def treat_sigterm_as_sigint() -> None:
    """Make SIGTERM deliver SIGINT to this process (main thread only; a no-op elsewhere)."""
    if _on_main_thread():
        signal.signal(signal.SIGTERM, _sigterm_to_sigint)


def _sigterm_to_sigint(signum: int, frame: FrameType | None) -> None:
    if callable(signal.getsignal(signal.SIGINT)):
        signal.raise_signal(signal.SIGINT)
    else:  # SIGINT is ignored or at its OS default (interpreter shutting down): stop as Ctrl-C would
        raise KeyboardInterrupt


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, with SIGINT/SIGTERM held back until the loop is running, then handled here.

    A signal that arrives meanwhile is delivered the moment the coroutine starts. The first one cancels
    the coroutine's task (the harness then writes its partial report); later ones are announced and
    ignored, and :data:`FINISH_GRACE` seconds after the second the process exits 130 regardless.
    A cancellation that reaches here after a signal is re-raised as ``KeyboardInterrupt``.
    """
    if not _on_main_thread():
        return asyncio.run(coro)
    interrupts = _Interrupts()
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    previous = signal.signal(signal.SIGINT, interrupts.handle)  # asyncio keeps its own handler out then
    try:
        try:
            return asyncio.run(_unblocked(coro, interrupts))
        except asyncio.CancelledError:
            if interrupts.count:
                raise KeyboardInterrupt from None
            raise
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        interrupts.done()


class _Interrupts:
    """SIGINT while a coroutine runs: cancel it once, then only announce and bound the time left."""

    def __init__(self) -> None:
        self.count = 0
        self.task: asyncio.Task[Any] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._watchdog: threading.Timer | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            if self.task is None or self.loop is None or self.task.done():
                raise KeyboardInterrupt
            _say(STOPPING_NOTICE)
            self.task.cancel()
            self.loop.call_soon_threadsafe(lambda: None)  # wake the loop if it waits in select()
            return
        _say(AGAIN_NOTICE)
        if self._watchdog is None:
            self._watchdog = threading.Timer(FINISH_GRACE, _give_up)
            self._watchdog.daemon = True
            self._watchdog.start()

    def done(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()


def _say(text: str) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _give_up() -> None:  # pragma: no cover - only when writing the partial report hangs past the grace
    _say(f"interrupted: the partial report was not finished within {FINISH_GRACE:g} s")
    os._exit(130)


async def _unblocked(coro: Coroutine[Any, Any, T], interrupts: _Interrupts | None = None) -> T:
    if interrupts is not None:
        interrupts.task = asyncio.current_task()
        interrupts.loop = asyncio.get_running_loop()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    return await coro


class StoppableServer(Protocol):
    """What :func:`stop_server_on_signal` needs of a server (uvicorn's ``Server`` has both flags)."""

    should_exit: bool
    force_exit: bool


@contextlib.contextmanager
def stop_server_on_signal(server: StoppableServer) -> Iterator[list[int]]:
    """While inside, SIGINT/SIGTERM ask ``server`` to stop (a second SIGINT forces it) instead of raising.

    Yields the list of signals received. uvicorn installs its own handlers while it serves and restores
    these afterwards; the handlers set the same flags, so a signal is honoured in every phase.
    """
    received: list[int] = []
    if not _on_main_thread():
        yield received
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if server.should_exit and signum == signal.SIGINT:
            server.force_exit = True
        server.should_exit = True

    previous = {sig: signal.signal(sig, request_stop) for sig in _STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
