"""``kling-conformance fuzz``: schemathesis-generated create requests against one gateway.

Loads the canonical spec merged with the gateway's departures into schemathesis, sends documented
examples, single-field probes and hypothesis examples (positive and/or negative) through our httpx
client, judges them with schemathesis's checks plus the Kling checks of ``conformance.fuzz.st_checks``,
queries each created task, and writes the same reports as ``run`` (results with evidence ``fuzz``).

Money: fuzzing is allowed by default only against loopback (``--emulator``). Any other host needs
``--max-paid-tasks N``, except ``--mode negative`` (invalid requests only: free).
Exit codes: 0 every check held, 1 findings, 2 usage (including the money guard).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from conformance.errors import EXIT_FINDINGS, EXIT_OK


def register(app: typer.Typer) -> None:
    """Add the ``fuzz`` command to ``app``."""

    @app.command("fuzz")
    def fuzz(
        gateway: Annotated[
            str, typer.Option("--gateway", "-g", metavar="ID", help="Gateway id (a built-in, or a --profile's id).")
        ],
        profile: Annotated[
            list[str] | None, typer.Option("--profile", metavar="PATH", help="A user profile TOML (repeatable).")
        ] = None,
        max_examples: Annotated[
            int, typer.Option("--max-examples", help="Hypothesis examples per operation and mode.")
        ] = 25,
        mode: Annotated[
            str, typer.Option("--mode", help="positive (valid, paid) | negative (invalid, free) | all.")
        ] = "all",
        base_url: Annotated[
            str | None, typer.Option("--base-url", metavar="URL", help="Fuzz this host instead of the profile's.")
        ] = None,
        emulator: Annotated[
            bool, typer.Option("--emulator", help="Fuzz the in-process emulator (loopback, no key needed).")
        ] = False,
        max_paid_tasks: Annotated[
            int | None,
            typer.Option("--max-paid-tasks", help="Cap on accepted creates (required for non-loopback hosts)."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Hypothesis seed (same seed, same requests).")] = 0,
        operation: Annotated[
            list[str] | None,
            typer.Option(
                "--operation",
                metavar="ID",
                help="Create operation or family (repeatable). Default: every supported create.",
            ),
        ] = None,
        no_probes: Annotated[
            bool, typer.Option("--no-probes", help="Skip the deterministic single-field probes.")
        ] = False,
        reports_dir: Annotated[Path, typer.Option("--reports-dir", help="Where reports/<run-id>/ goes.")] = Path(
            "reports"
        ),
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary lines.")] = False,
    ) -> None:
        """Fuzz a gateway's create requests with schemathesis (default: loopback only; see --max-paid-tasks)."""
        from conformance.fuzz.engine import FuzzStats, run_fuzz
        from conformance.fuzz.options import FuzzOptions

        options = FuzzOptions(
            gateway=gateway,
            profile_paths=list(profile or []),
            max_examples=max_examples,
            mode=mode,
            base_url=base_url,
            emulator=emulator,
            max_paid_tasks=max_paid_tasks,
            seed=seed,
            reports_dir=reports_dir,
            operations=list(operation or []),
            probes=not no_probes,
        )
        stats = FuzzStats()
        report = run_fuzz(options, stats=stats)
        counts = Counter(r.outcome.value for r in report.results)
        cap = report.meta.budget.get("max_paid_tasks")
        typer.echo(
            f"kling-conformance fuzz {gateway}: {stats.sent} requests ({stats.negative_sent} invalid, "
            f"{stats.positive_sent} valid, {stats.gets} task queries) in {stats.seconds:.1f} s; "
            f"paid tasks {stats.paid_tasks_used} of {'unlimited' if cap is None else cap}"
            + (f", {stats.skipped_budget} valid examples skipped for budget" if stats.skipped_budget else "")
        )
        typer.echo("  " + ", ".join(f"{counts.get(o, 0)} {o}" for o in ("pass", "fail", "waived", "error")))
        if not quiet:
            for result in report.results:
                if result.outcome.value in ("fail", "error", "waived"):
                    typer.echo(
                        f"  {result.outcome.value.upper():<6} {result.check} [{result.operation}] "
                        f"{result.json_path}: {result.message}"
                    )
        if stats.report_dir is not None:
            typer.echo(f"report: {stats.report_dir}")
        raise typer.Exit(EXIT_FINDINGS if report.has_findings else EXIT_OK)
