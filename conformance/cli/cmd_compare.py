"""``kling-conformance compare --from A --to B``: the gateway-switching gate.

What breaks for a client written against gateway A when it is pointed at gateway B. Facts come from the
given reports (default: ``reports/latest/report.json``) and, for aspects no report covers, from the
built-in profiles (documented behaviour); every difference says where each side's value comes from.
Exit codes: 0 nothing breaking, 1 a breaking difference, 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from conformance.cli._reportio import (
    FORMAT_CHOICES,
    artifact_option,
    check_format,
    emit,
    fit_for_comment,
    format_option,
    report_label,
)
from conformance.errors import EXIT_FINDINGS, EXIT_OK


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to ``app``."""

    @app.command("compare")
    def compare(
        from_gateway: Annotated[
            str, typer.Option("--from", metavar="ID", help="Gateway the client was written against.")
        ],
        to_gateway: Annotated[str, typer.Option("--to", metavar="ID", help="Gateway the client would switch to.")],
        uses: Annotated[
            Path | None, typer.Option("--uses", help="YAML of what the client uses (operations, reads, ...).")
        ] = None,
        report: Annotated[
            list[Path] | None,
            typer.Option(
                "--report",
                metavar="PATH",
                help="report.json or run folder (repeatable; later ones win). Default: reports/latest.",
            ),
        ] = None,
        reports_dir: Annotated[Path, typer.Option("--reports-dir", help="Where to find reports/latest.")] = Path(
            "reports"
        ),
        no_profiles: Annotated[
            bool, typer.Option("--no-profiles", help="Use report facts only, no profile fallback.")
        ] = False,
        fmt: Annotated[str, format_option(FORMAT_CHOICES)] = "text",
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
        artifact_url: Annotated[str | None, artifact_option()] = None,
    ) -> None:
        """What breaks for a client of gateway A on gateway B (exit 1 when something breaks)."""
        from conformance.compare.render import RENDERERS
        from conformance.compare.switching import compare_gateways
        from conformance.compare.uses import Uses, load_uses
        from conformance.reports.loader import load_report
        from conformance.reports.writer import resolve_latest

        if report is None:
            report = []
        fmt = check_format(fmt, FORMAT_CHOICES)
        sources = list(report)
        if not sources and resolve_latest(reports_dir) is not None:
            sources = [reports_dir]
        loaded = [(path, load_report(path)) for path in sources]
        labelled = [(report_label(path, r.meta.run_id), r) for path, r in loaded]
        profiles = {}
        if not no_profiles:
            from conformance.profiles import load_builtin_profiles

            profiles = load_builtin_profiles()
        usage = load_uses(uses) if uses is not None else Uses.all()
        result = compare_gateways(from_gateway, to_gateway, reports=labelled, profiles=profiles, uses=usage)
        emit(fit_for_comment(RENDERERS[fmt](result), fmt, artifact_url, "comparison"), out)
        raise typer.Exit(EXIT_FINDINGS if result.breaking else EXIT_OK)
