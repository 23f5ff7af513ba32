"""``kling-conformance run``: run the check catalog against gateways and write the reports.

With no flags it replays every built-in gateway from the bundled cassettes, offline, and writes
``reports/<run-id>/`` (+ ``reports/latest``). Exit codes: 0 every check held, 1 findings, 2 usage,
5 nothing tested (every result skipped).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from conformance.cli._options import (
    BaseUrl,
    ProfilePaths,
    emulator_option,
    gateway_option,
    max_paid_tasks_option,
    mode_option,
    shard_option,
    target_fields,
)
from conformance.cli._signals import run_coroutine
from conformance.errors import EXIT_FINDINGS, EXIT_NO_TESTS, EXIT_OK, UsageError
from conformance.reports.console import all_skipped
from conformance.runmodel import RunReport

EXIT_INTERRUPTED = 130


def summary_lines(report: RunReport) -> list[str]:
    """One line per gateway with its outcome counts, plus a total line (plain text)."""
    from conformance.reports.console import gateway_lines

    return [line.text for line in gateway_lines(report)]


def print_summary(report: RunReport, *, quiet: bool, verbose: bool) -> None:
    """The end-of-run summary on stdout: per-gateway counts (not with -q), then the findings, capped unless -v.

    Colour only on a terminal, and never when ``NO_COLOR`` is set (rich reads it).
    """
    from conformance.reports.console import DEFAULT_LIMIT, Line, failure_summary, gateway_lines

    # rich only for a terminal that wants colour: NO_COLOR (rich would keep bold and dim) and pipes get plain
    # text, and a default replay into a pipe never imports rich (tests/harness/test_startup.py)
    styled = not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    console: Any = None
    if styled:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=True)

    def show(line: Line) -> None:
        if console is None:
            typer.echo(line.text)
        else:
            console.print(line.text, style=line.style or None, markup=False)

    lines = gateway_lines(report)
    header = f"kling-conformance {report.meta.mode} run {report.meta.run_id}" + (
        " (INCOMPLETE)" if report.meta.incomplete else ""
    )
    show(Line(header))
    for line in lines[-1:] if quiet else lines:
        show(line)
    if not quiet:
        budget = report.meta.budget
        cap = budget.get("max_paid_tasks")
        show(
            Line(
                f"  paid tasks: {budget.get('paid_tasks_used', 0)} of {'unlimited' if cap is None else cap}"
                + (" (replayed, nothing spent)" if report.meta.mode == "replay" else "")
            )
        )
    for line in failure_summary(report.results, limit=None if verbose else DEFAULT_LIMIT):
        show(line)


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to ``app``."""

    @app.command("run")
    def run(
        gateway: Annotated[
            list[str] | None, gateway_option("Gateway id (repeatable) or 'all'. Default: every built-in.")
        ] = None,
        profile: ProfilePaths = None,
        mode: Annotated[str, mode_option("replay (offline, default) | record | live.")] = "replay",
        emulator: Annotated[bool, emulator_option("Run live against the in-process emulator (no key needed).")] = False,
        base_url: BaseUrl = None,
        max_paid_tasks: Annotated[
            int | None,
            max_paid_tasks_option(
                "Cap on task-creating calls (default: 0 on real hosts, unlimited on the emulator/loopback)."
            ),
        ] = None,
        reports_dir: Annotated[
            Path, typer.Option("--reports-dir", metavar="DIR", help="Where reports/<run-id>/ and reports/latest go.")
        ] = Path("reports"),
        cassettes: Annotated[
            Path | None,
            typer.Option(
                "--cassettes",
                metavar="DIR",
                help="Cassette folder (default: the bundled one for replay, ./cassettes for record).",
            ),
        ] = None,
        shard: Annotated[str | None, shard_option("Run shard i of n (e.g. 1/4); join with 'merge'.")] = None,
        deadline: Annotated[
            float | None,
            typer.Option("--deadline", metavar="SECONDS", help="Run deadline in seconds (then a partial report)."),
        ] = None,
        task_deadline: Annotated[
            float | None, typer.Option("--task-deadline", metavar="SECONDS", help="Per-task deadline in seconds.")
        ] = None,
        poll_interval: Annotated[
            float | None, typer.Option("--poll-interval", metavar="SECONDS", help="Seconds between polls.")
        ] = None,
        time_scale: Annotated[
            float, typer.Option("--time-scale", metavar="F", help="Emulator schedule multiplier (with --emulator).")
        ] = 0.002,
        faults: Annotated[
            str,
            typer.Option(
                "--faults",
                metavar="SPEC",
                help="Fault plan for the in-process emulator (with --emulator), e.g. html502@newapi=0.1.",
            ),
        ] = "",
        max_body_bytes: Annotated[
            int, typer.Option("--max-body-bytes", metavar="BYTES", help="Cap on one response body, bytes.")
        ] = 8 * 1024 * 1024,
        read_timeout: Annotated[
            float, typer.Option("--read-timeout", metavar="SECONDS", help="Time cap on one response, seconds.")
        ] = 60.0,
        engine: Annotated[
            str,
            typer.Option(
                "--engine",
                metavar="REPO@COMMIT",
                help="The --base-url host is this gateway engine run locally (e.g. jince-boy/new-api@2d8e50bf36e9): "
                "evidence 'engine', not 'live'.",
            ),
        ] = "",
        callback_url: Annotated[
            str | None,
            typer.Option(
                "--callback-url",
                metavar="URL",
                help="Public URL forwarding to the local callback receiver (live gateways).",
            ),
        ] = None,
        callback_port: Annotated[
            int,
            typer.Option(
                "--callback-port", metavar="PORT", help="Fixed port for the local callback receiver (0 = any)."
            ),
        ] = 0,
        check: Annotated[
            list[str] | None, typer.Option("--check", metavar="ID", help="Only this check id (repeatable).")
        ] = None,
        allow_fetch_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allow-fetch-host",
                metavar="HOST",
                help="Fetch result URLs on HOST even though it resolves to a private address (repeatable).",
            ),
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the totals and the findings.")] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Every scenario as it finishes, and every finding.")
        ] = False,
    ) -> None:
        """Run the conformance checks and write reports (default: replay every built-in gateway offline)."""
        from dataclasses import replace

        from conformance.harness.client import HttpLimits
        from conformance.harness.options import RunOptions
        from conformance.harness.runner import RunState, run_and_write

        if max_body_bytes < 1024:
            raise UsageError("--max-body-bytes must be at least 1024", where="--max-body-bytes", fix="e.g. 8388608")
        if read_timeout <= 0:
            raise UsageError("--read-timeout must be positive", where="--read-timeout", fix="e.g. --read-timeout 60")
        options = RunOptions(
            **target_fields(
                gateway=gateway,
                profile=profile,
                mode=mode,
                emulator=emulator,
                base_url=base_url,
                max_paid_tasks=max_paid_tasks,
                shard=shard,
            ),
            reports_dir=reports_dir,
            cassettes_dir=cassettes,
            deadline=deadline,
            task_deadline=task_deadline,
            poll_interval=poll_interval,
            time_scale=time_scale,
            emulator_faults=faults,
            engine=engine,
            callback_url=callback_url,
            callback_port=callback_port,
            checks=list(check or []),
            allowed_fetch_hosts=tuple(allow_fetch_host or ()),
            limits=replace(HttpLimits(), max_body_bytes=max_body_bytes, read_seconds=read_timeout),
            quiet=quiet,
            verbose=verbose,
        )
        options.validate()
        progress = _progress(options)
        state = RunState()
        try:
            report = run_coroutine(run_and_write(options, state=state, progress=progress))
        except KeyboardInterrupt:
            finished = state.report_dir is not None and state.report is not None and not state.report.meta.incomplete
            if not finished:
                where = f" Partial report (marked incomplete): {state.report_dir}" if state.report_dir else ""
                typer.echo(f"interrupted.{where}", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            # Ctrl-C landed after the complete report was written (e.g. while the event loop shut down):
            # the run finished, so its exit code is the run's own, not "interrupted".
            assert state.report is not None
            report = state.report
            typer.echo("interrupted after the run had finished: the report is complete", err=True)
        print_summary(report, quiet=quiet, verbose=verbose)
        if state.report_dir is not None:
            typer.echo(f"report: {state.report_dir}")
        if state.cassettes_written:
            typer.echo(
                f"cassettes: {state.cassettes_written} written under {options.cassettes_dir or 'cassettes'}/"
                " (replay them with --cassettes)"
            )
        if state.interrupted:
            typer.echo("interrupted: the report above is partial (marked incomplete)", err=True)
            raise typer.Exit(EXIT_INTERRUPTED)
        if report.has_findings:
            raise typer.Exit(EXIT_FINDINGS)
        if all_skipped(report) and not report.meta.shard:  # a shard may own nothing judgeable: not an error
            typer.echo("nothing was tested: every result was skipped (exit code 5)", err=True)
            raise typer.Exit(EXIT_NO_TESTS)
        raise typer.Exit(EXIT_OK)


def _progress(options: object) -> object:
    """The progress display: live runs show it; replay only with --verbose."""
    from conformance.reports.progress import NullProgress, make_progress

    quiet = getattr(options, "quiet", False)
    verbose = getattr(options, "verbose", False)
    if getattr(options, "mode", "replay") == "replay" and not verbose:
        return NullProgress()
    level = "quiet" if quiet else "verbose" if verbose else "normal"
    return make_progress(level, sys.stderr)
