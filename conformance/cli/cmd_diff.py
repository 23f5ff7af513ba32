"""``kling-conformance diff BASELINE CURRENT``: regressions of gateways between two runs.

Lists newly failing and fixed checks, changed shapes and status words, other changed observations and
new or removed operations. Exit codes: 0 no regression, 1 a regression, 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.cli._reportio import artifact_option, check_format, emit, fit_for_comment, format_option
from conformance.errors import EXIT_FINDINGS, EXIT_OK

DIFF_FORMATS = ("md", "json")


def register(app: typer.Typer) -> None:
    """Add the ``diff`` command to ``app``."""

    @app.command("diff")
    def diff(
        baseline: Annotated[
            Path, typer.Argument(help="Baseline report.json (or run folder, or reports root: its latest).")
        ],
        current: Annotated[
            Path, typer.Argument(help="Current report.json (or run folder, or reports root: its latest).")
        ],
        fmt: Annotated[str, format_option(DIFF_FORMATS)] = "md",
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
        artifact_url: Annotated[str | None, artifact_option()] = None,
    ) -> None:
        """What changed between two runs (exit 1 on a regression)."""
        from conformance.compare.regression import diff_reports, render_diff_json, render_diff_markdown
        from conformance.reports.loader import load_report

        fmt = check_format(fmt, DIFF_FORMATS)
        result = diff_reports(load_report(baseline), load_report(current))
        text = render_diff_json(result) if fmt == "json" else render_diff_markdown(result)
        emit(fit_for_comment(text, fmt, artifact_url, "diff"), out)
        raise typer.Exit(EXIT_FINDINGS if result.regressions else EXIT_OK)
