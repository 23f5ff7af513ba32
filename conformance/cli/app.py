"""Builds the typer application from one module per subcommand and maps errors to exit codes."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click
import typer

from conformance.errors import EXIT_USAGE, UsageError

app = typer.Typer(
    name="kling-conformance",
    help="Contract tests and provider conformance for the Kling task API as resold by API gateways.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

#: Subcommand modules (``conformance.cli.cmd_<name>``); each defines ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "version",
    "checks",
    "spec",
    "gateways",
    "inspect",
    "serve",
    "docs",
    "run",
    "plan",
    "compare",
    "diff",
    "merge",
    "report",
    "fuzz",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"conformance.cli.cmd_{_name}").register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the app and turn :class:`UsageError` into exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="kling-conformance", standalone_mode=True)
    except UsageError as exc:
        from rich.console import Console  # only an error message needs rich: keep it out of start-up

        Console(stderr=True, soft_wrap=True).print(f"error: {exc.render()}", markup=False, highlight=False)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as exc:  # pragma: no cover - standalone mode converts these already
        sys.exit(exc.exit_code)
