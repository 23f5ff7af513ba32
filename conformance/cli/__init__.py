"""The ``kling-conformance`` command line (typer + rich).

Exit codes follow one rule across every subcommand: 0 = everything held, 1 = findings (a check failed
or a breaking difference exists), 2 = usage, config or input error; 130 = interrupted (Ctrl-C).

This module stays import-light on purpose: the console script imports it first, so a Ctrl-C while the
heavy modules load is caught here and ends with exit code 130 instead of a traceback.
"""

from __future__ import annotations

import sys

# Typing-only imports: this module is the console script's first import, so it stays as light as it can.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

EXIT_INTERRUPTED = 130

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (see :func:`conformance.cli.app.main`).

    SIGTERM (a CI cancel, ``kill``) is handled exactly as Ctrl-C: whoever handles SIGINT at that moment
    (asyncio's runner, uvicorn, or Python's default) handles it, so every command stops the same way.
    An interruption ends with exit code 130 and one line on stderr, never a traceback.
    """
    try:
        from conformance.cli._scrub import install as scrub_terminal
        from conformance.cli._signals import treat_sigterm_as_sigint

        scrub_terminal()  # every registered secret is scrubbed from stdout and stderr

        treat_sigterm_as_sigint()
        from conformance.cli.app import main as _main

        _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        if exc.code == 1 and caused_by_interrupt(exc):  # click turned a Ctrl-C into "Aborted!" + exit 1
            sys.exit(EXIT_INTERRUPTED)
        raise
    except BaseException as exc:  # e.g. a Ctrl-C inside a class body while importing: Python wraps it
        if caused_by_interrupt(exc):
            print("interrupted", file=sys.stderr)
            sys.exit(EXIT_INTERRUPTED)
        raise


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is somewhere in ``exc``'s cause/context chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def __getattr__(name: str) -> Any:
    if name == "app":
        from conformance.cli.app import app

        return app
    raise AttributeError(name)
