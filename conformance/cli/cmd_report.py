"""``kling-conformance report REPORT``: render a report.json again (all formats, or ``--format``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""

    @app.command("report")
    def report(
        source: Annotated[Path, typer.Argument(help="report.json, run folder, or reports root (its latest).")] = Path(
            "reports"
        ),
        out: Annotated[Path, typer.Option("--out", "-o", help="Reports folder to write <run-id>/ into.")] = Path(
            "reports"
        ),
        fmt: Annotated[
            list[str] | None, typer.Option("--format", "-f", help="json | junit | markdown | html (repeatable).")
        ] = None,
    ) -> None:
        """Re-render the report files of a run from its report.json."""
        from conformance.reports import REPORTERS, load_report, write_reports

        if fmt is None:
            fmt = []
        for name in fmt:
            REPORTERS.get(name)
        run_dir = write_reports(load_report(source), out, formats=fmt or None)
        typer.echo(f"wrote {run_dir}")
