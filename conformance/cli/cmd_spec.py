"""``kling-conformance spec check``: validate the canonical spec and every gateway spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from conformance.errors import EXIT_OK, EXIT_USAGE
from conformance.paths import canonical_spec_path, gateway_specs_dir, v3_spec_path

if TYPE_CHECKING:
    from conformance.spec import SpecReport


def _short(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it (shorter messages)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _default_files() -> list[Path]:
    gateways = gateway_specs_dir()
    found = sorted(gateways.glob("*.yaml")) if gateways.is_dir() else []
    return [_short(path) for path in (canonical_spec_path(), v3_spec_path(), *found)]


def _summary_line(report: SpecReport) -> str:
    status = "ok  " if report.ok else "FAIL"
    count = len(report.operations)
    if report.kind == "gateway":
        detail = f"gateway {report.gateway}: {count} operations, {report.departures} departures"
    else:
        detail = f"{report.kind}: {count} operations"
        if report.extended_operations:
            detail += f" + {len(report.extended_operations)} of extended families"
    return f"{status} {report.file}  {detail}"


def check_specs(paths: list[Path] | None, *, as_json: bool) -> int:
    """Validate ``paths`` (default: the canonical spec and ``specs/gateways/*.yaml``); return the exit code."""
    from conformance.spec import check_spec_file  # the OpenAPI validator is heavy: only this command loads it

    files = paths or _default_files()
    reports = [check_spec_file(path) for path in files]
    failed = [report for report in reports if not report.ok]
    if as_json:
        typer.echo(
            json.dumps({"ok": not failed, "specs": [r.as_dict() for r in reports]}, ensure_ascii=False, indent=2)
        )
    else:
        for report in reports:
            typer.echo(_summary_line(report))
        gateways = [r for r in reports if r.kind == "gateway"]
        typer.echo(
            f"{len(reports)} spec(s) checked, {len(gateways)} gateway spec(s), "
            f"{sum(r.departures for r in gateways)} departures in total, {len(failed)} invalid"
        )
    for report in failed:
        for problem in report.problems:
            typer.echo(f"error: {problem.render()}", err=True)
    return EXIT_USAGE if failed else EXIT_OK


def register(app: typer.Typer) -> None:
    """Add the ``spec`` command group (``spec check``) to ``app``."""
    spec_app = typer.Typer(
        name="spec",
        help="Work with the canonical Kling spec and the per-gateway specs.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )

    @spec_app.command("check")
    def check(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(
                help="Spec files to check. Default: specs/kling.openapi.yaml and specs/gateways/*.yaml.",
                show_default=False,
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    ) -> None:
        """Validate specs (OpenAPI 3.1 plus the project's rules) and summarise operations and departures.

        Exit code 0 when every spec is valid, 2 when any is invalid; each problem is printed with its file
        and JSON path.
        """
        code = check_specs(list(paths) if paths else None, as_json=as_json)
        if code:
            raise typer.Exit(code)

    app.add_typer(spec_app, name="spec")
