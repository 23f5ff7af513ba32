"""``kling-conformance merge REPORT...``: one report from the shards of a run (``run --shard i/n``).

Writes the merged run like ``run`` does (``<out>/<run-id>/`` with every format, and ``<out>/latest``).
Exit codes: 0 merged and every check held, 1 merged with findings, 2 usage error (mismatched shards, or
missing ones without ``--allow-partial``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.errors import EXIT_FINDINGS, EXIT_OK


def register(app: typer.Typer) -> None:
    """Add the ``merge`` command to ``app``."""

    @app.command("merge")
    def merge(
        reports: Annotated[list[Path], typer.Argument(help="Shard report.json files or run folders.")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Reports folder to write the merged run into.")] = Path(
            "reports"
        ),
        run_id: Annotated[
            str | None, typer.Option("--run-id", metavar="ID", help="Id of the merged run (default: derived).")
        ] = None,
        allow_partial: Annotated[
            bool,
            typer.Option("--allow-partial", help="Merge even when shards are missing; the result is labelled partial."),
        ] = False,
    ) -> None:
        """Merge shard reports into one report and write it with every reporter (refuses missing shards)."""
        from conformance.compare.merge import merge_reports
        from conformance.reports import load_report, write_reports
        from conformance.reports.loader import report_file

        labelled = [(str(report_file(path)), load_report(path)) for path in reports]
        merged, warnings = merge_reports(labelled, run_id=run_id, allow_partial=allow_partial)
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
        run_dir = write_reports(merged, out)
        counts = f"{len(merged.results)} results from {len(labelled)} reports"
        label = f" (PARTIAL: {merged.meta.partial})" if merged.meta.partial else ""
        label = label or (" (INCOMPLETE)" if merged.meta.incomplete else "")
        typer.echo(f"merged {counts}{label}: {run_dir}")
        raise typer.Exit(EXIT_FINDINGS if merged.has_findings else EXIT_OK)
