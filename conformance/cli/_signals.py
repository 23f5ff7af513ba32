"""Signal handling shared by the commands: SIGINT and SIGTERM stop every command cleanly, at any moment.

Three windows need care, because Python delivers a signal between any two bytecodes:

* before a command installs anything: SIGTERM is turned into SIGINT (:func:`treat_sigterm_as_sigint`), so the
  ordinary ``KeyboardInterrupt`` path ends the process with exit code 130;
* while an event loop is being built: a ``KeyboardInterrupt`` inside ``asyncio``'s constructors leaves a
  half-built loop that prints a traceback when collected. :func:`run_coroutine` holds both signals blocked
  (at the OS level, so nothing is lost) until the loop runs and asyncio's own Ctrl-C handling is in place;
* while a server starts: :func:`stop_server_on_signal` replaces the raise with a request to stop, which the
  server honours as soon as it can (during start-up it skips serving and shuts down).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
    """``asyncio.run(coro)``, with SIGINT/SIGTERM held back until the loop is running.

    A signal that arrives meanwhile is delivered the moment the coroutine starts, where asyncio turns
    Ctrl-C into a cancellation of the main task (the harness then writes its partial report).
    """
    if not _on_main_thread():
        return asyncio.run(coro)
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        return asyncio.run(_unblocked(coro))
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


async def _unblocked(coro: Coroutine[Any, Any, T]) -> T:
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
