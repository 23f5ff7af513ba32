"""Builds the typer application from one module per subcommand and maps errors to exit codes."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from conformance.errors import EXIT_USAGE, UsageError

app = typer.Typer(
    name="kling-conformance",
    help="Contract tests and provider conformance for the Kling task API as resold by API gateways.",
    no_args_is_help=True,
    add_completion=True,
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
    "profile",
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


def _print_version(value: bool) -> None:
    if value:
        from conformance import __version__

        typer.echo(f"kling-conformance {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Contract tests and provider conformance for the Kling task API as resold by API gateways."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"conformance.cli.cmd_{_name}").register(app)


def _plain_metavar(param: Any) -> str:
    """A help placeholder for ``param`` that names what to type, not a Python type (``PATH``, ``N``, ``ID``)."""
    desc = getattr(param, "type_descriptor", None)
    annotation = getattr(desc, "annotation", None)
    name = str(param.name or "value").upper().replace("_", "-")
    if getattr(desc, "is_path", False):
        return "PATH" if param.param_type_name == "option" else name
    kind = "integer" if annotation is int else "float" if annotation is float else ""
    if kind.startswith("integer"):
        return "N"
    if kind.startswith("float"):
        return "NUMBER"
    return name


def plain_help(command: Any) -> Any:
    """Give every option and argument of ``command`` (and its subcommands) a plain metavar.

    Typer shows options without a metavar as ``<list[str]>`` or ``<path>``; a user should read ``PATH``,
    ``N`` or ``ID`` instead. Arguments lose the trailing type entirely (their name already says it).
    Works on typer's command objects by duck typing (typer ships its own copy of click).
    """
    for param in command.params:
        if param.param_type_name == "option" and (getattr(param, "is_flag", False) or getattr(param, "count", False)):
            continue
        if param.metavar is None:
            param.metavar = _plain_metavar(param)
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)
    return command


def bounded_numbers(command: Any) -> Any:
    """Check every int/float option of ``command`` (and its subcommands) before the command runs.

    The one place numeric flags are bounded: ``nan``, ``inf``, negatives and absurd values exit 2 with a
    message naming the flag and the fix (:func:`conformance.inputs.check_number`), in every command.
    """
    callback = getattr(command, "callback", None)
    flags = {
        p.name: next((o for o in p.opts if o.startswith("--")), p.opts[0] if p.opts else f"--{p.name}")
        for p in getattr(command, "params", [])
        if p.param_type_name == "option"
    }
    if callback is not None and flags:

        def checked(*args: Any, **kwargs: Any) -> Any:
            from conformance.inputs import check_number

            for name, value in kwargs.items():
                if name in flags and isinstance(value, int | float) and not isinstance(value, bool):
                    check_number(value, flags[name])
            return callback(*args, **kwargs)

        command.callback = checked
    for sub in getattr(command, "commands", {}).values():
        bounded_numbers(sub)
    return command


def build_command() -> Any:
    """The click command behind ``app``, with plain help placeholders and bounded numeric flags."""
    return bounded_numbers(plain_help(typer.main.get_command(app)))


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the app and turn :class:`UsageError` into exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        build_command().main(args=args, prog_name="kling-conformance", standalone_mode=True)
    except UsageError as exc:
        from rich.console import Console  # only an error message needs rich: keep it out of start-up

        Console(stderr=True, soft_wrap=True).print(f"error: {exc.render()}", markup=False, highlight=False)
        sys.exit(EXIT_USAGE)


__all__ = ["app", "build_command", "main"]
