"""The ``kling-conformance`` command line (typer + rich).

Exit codes follow one rule across every subcommand: 0 = everything held, 1 = findings (a check failed
or a breaking difference exists), 2 = usage, config or input error; 130 = interrupted (Ctrl-C).

This module stays import-light on purpose: the console script imports it first, so a Ctrl-C while the
heavy modules load is caught here and ends with exit code 130 instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

EXIT_INTERRUPTED = 130

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (see :func:`conformance.cli.app.main`)."""
    try:
        from conformance.cli.app import main as _main

        _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


def __getattr__(name: str) -> Any:
    if name == "app":
        from conformance.cli.app import app

        return app
    raise AttributeError(name)
