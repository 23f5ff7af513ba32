"""``kling-conformance compare --from A --to B``: the gateway-switching gate.

What breaks for a client written against gateway A when it is pointed at gateway B. Facts come from the
given reports (default: ``reports/latest/report.json``) and, for aspects no report covers, from the
built-in profiles (documented behaviour); every difference says where each side's value comes from.
``compare --all`` runs that comparison for every ordered pair of gateways (``-g`` narrows the set) and
renders the gateway × gateway heatmap of breaking-difference counts (text, md, json or an offline html page).
Exit codes: 0 nothing breaking, 1 a breaking difference (in any pair), 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from conformance.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from conformance.compare.uses import Uses
    from conformance.profiles.model import GatewayProfile
    from conformance.runmodel import RunReport

#: ``compare --all`` adds the heatmap page to the usual formats.
ALL_FORMAT_CHOICES = (*FORMAT_CHOICES, "html")


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to ``app``."""

    @app.command("compare")
    def compare(
        from_gateway: Annotated[
            str | None, typer.Option("--from", metavar="ID", help="Gateway the client was written against.")
        ] = None,
        to_gateway: Annotated[
            str | None, typer.Option("--to", metavar="ID", help="Gateway the client would switch to.")
        ] = None,
        all_pairs: Annotated[
            bool,
            typer.Option("--all", help="Every ordered pair of gateways: the heatmap of breaking differences."),
        ] = False,
        gateway: Annotated[
            list[str] | None,
            typer.Option("--gateway", "-g", metavar="ID", help="With --all: only these gateways (repeatable)."),
        ] = None,
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
        fmt: Annotated[str, format_option(ALL_FORMAT_CHOICES)] = "text",
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
        if all_pairs and (from_gateway or to_gateway):
            raise UsageError(
                "--all compares every pair; it does not take --from/--to",
                where="--all",
                fix="drop --from/--to, or drop --all to compare one pair",
            )
        if not all_pairs and not (from_gateway and to_gateway):
            raise UsageError(
                "compare needs both --from and --to, or --all",
                where="--to" if from_gateway else "--from",
                fix="e.g. compare --from yibuapi --to newapi, or compare --all for every pair",
            )
        if gateway and not all_pairs:
            raise UsageError("--gateway only narrows --all", where="--gateway", fix="add --all, or use --from/--to")
        fmt = check_format(fmt, ALL_FORMAT_CHOICES if all_pairs else FORMAT_CHOICES)
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
        if all_pairs:
            _heatmap(labelled, profiles, usage, list(gateway or []), fmt, out, artifact_url)
            return
        assert from_gateway is not None and to_gateway is not None  # checked above
        result = compare_gateways(from_gateway, to_gateway, reports=labelled, profiles=profiles, uses=usage)
        emit(fit_for_comment(RENDERERS[fmt](result), fmt, artifact_url, "comparison"), out)
        raise typer.Exit(EXIT_FINDINGS if result.breaking else EXIT_OK)


def _heatmap(
    labelled: list[tuple[str, RunReport]],
    profiles: dict[str, GatewayProfile],
    usage: Uses,
    only: list[str],
    fmt: str,
    out: Path | None,
    artifact_url: str | None,
) -> None:
    """``compare --all``: every ordered pair, rendered as the heatmap; exit 1 when any pair breaks."""
    from conformance.compare.heatmap import RENDERERS, build_heatmap

    known = list(dict.fromkeys([g for _, r in labelled for g in r.meta.gateways] + sorted(profiles)))
    unknown = [g for g in only if g not in known]
    if unknown:
        raise UsageError(
            f"--gateway {unknown[0]!r} is in no report and no profile",
            where="--gateway",
            fix=f"use one of: {', '.join(known) or '(none: run `kling-conformance run` first)'}",
        )
    gateways = [g for g in known if not only or g in only]
    if len(gateways) < 2:
        raise UsageError(
            f"--all needs at least two gateways, found {len(gateways)}",
            where="--gateway" if only else "--report",
            fix="name two or more with -g, or give a report that covers several gateways",
        )
    heatmap = build_heatmap(gateways, reports=labelled, profiles=profiles, uses=usage)
    emit(fit_for_comment(RENDERERS[fmt](heatmap), fmt, artifact_url, "heatmap"), out)
    raise typer.Exit(EXIT_FINDINGS if heatmap.breaking_pairs else EXIT_OK)
