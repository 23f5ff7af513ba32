"""The ``kling-conformance`` command line (typer + rich).

Exit codes follow one rule across every subcommand: 0 = everything held, 1 = findings (a check failed
or a breaking difference exists), 2 = usage, config or input error.
"""

from __future__ import annotations

from conformance.cli.app import app, main

__all__ = ["app", "main"]
