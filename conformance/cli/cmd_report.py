"""``kling-conformance report REPORT``: render a report.json again (all formats, or ``--format``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.cli._reportio import check_format, format_option

#: Formats ``report`` writes, and the reporter each one names.
REPORT_FORMATS = ("json", "junit", "md", "html")
REPORTER_NAMES = {"md": "markdown"}


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
        fmt: Annotated[list[str] | None, format_option(REPORT_FORMATS, repeatable=True)] = None,
    ) -> None:
        """Re-render the report files of a run from its report.json."""
        from conformance.reports import REPORTERS, load_report, write_reports

        names = [REPORTER_NAMES.get(name, name) for name in (check_format(f, REPORT_FORMATS) for f in fmt or [])]
        for name in names:
            REPORTERS.get(name)
        run_dir = write_reports(load_report(source), out, formats=names or None)
        typer.echo(f"wrote {run_dir}")
