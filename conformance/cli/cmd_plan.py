"""``kling-conformance plan``: print the calls a run would make, marking the ones that cost money."""

from __future__ import annotations

from typing import Annotated

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
from conformance.errors import EXIT_OK


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command to ``app``."""

    @app.command("plan")
    def plan(
        gateway: Annotated[list[str] | None, gateway_option("Gateway id (repeatable) or 'all'.")] = None,
        profile: ProfilePaths = None,
        mode: Annotated[
            str, mode_option("The mode the run would use: replay (the default, as for run) | record | live.")
        ] = "replay",
        emulator: Annotated[bool, emulator_option("Plan a run against the in-process emulator.")] = False,
        base_url: BaseUrl = None,
        max_paid_tasks: Annotated[int | None, max_paid_tasks_option("Cap on task-creating calls.")] = None,
        shard: Annotated[str | None, shard_option("Only shard i of n.")] = None,
        show_skipped: Annotated[
            bool, typer.Option("--show-skipped/--hide-skipped", help="List skipped scenarios too.")
        ] = True,
    ) -> None:
        """Show every call a run would make; [PAID] marks task-creating calls, [budget] the ones skipped for budget."""
        from conformance.harness.options import RunOptions
        from conformance.harness.plan import is_probe
        from conformance.harness.redact import redact_url
        from conformance.harness.runner import load_profiles, plan_run

        options = RunOptions(
            **target_fields(
                gateway=gateway,
                profile=profile,
                mode=mode,
                emulator=emulator,
                base_url=base_url,
                max_paid_tasks=max_paid_tasks,
                shard=shard,
            )
        )
        options.validate()
        profiles = load_profiles(options)
        replay_sets = None
        if options.mode == "replay":  # plan what run would replay: the same cassettes, the same doc examples
            from conformance.harness.cassette import load_gateway_cassettes
            from conformance.paths import cassettes_dir

            replay_sets = {p.id: load_gateway_cassettes(cassettes_dir(), p.id) for p in profiles}
        run_plan, _ = plan_run(options, profiles, replay_sets)
        cap = run_plan.max_paid_tasks
        total_calls = 0
        for item_profile in profiles:
            items = run_plan.gateways[item_profile.id]
            target = (
                "emulator"
                if emulator
                else "replayed from the bundled cassettes"
                if mode == "replay"
                else redact_url(item_profile.base_url) or "no base URL: pass --base-url"
            )
            typer.echo(f"{item_profile.id}  ({target})")
            for item in items:
                s = item.scenario
                if not item.runs:
                    if show_skipped:
                        mark = "[budget]" if item.skipped_reason == "budget" else "[skip]"
                        typer.echo(f"  {mark:<9}{s.id}  ({item.skipped_reason})")
                    continue
                tag = "[PAID]" if s.paid else "[probe]" if is_probe(s) else "[free]"
                if s.shares_task_with:
                    typer.echo(f"  {'[shared]':<9}{s.id}  (reuses the task of {s.shares_task_with})")
                    continue
                for request in s.requests:
                    total_calls += 1
                    query = "&".join(f"{k}={v}" for k, v in request.query)
                    path = request.path + (f"?{query}" if query else "")
                    label = tag if request.purpose == "create" else "[free]"
                    typer.echo(f"  {label:<9}{request.method:<5}{path}  <{s.id}>")
                if s.polled:
                    typer.echo(f"  {'[free]':<9}GET  (poll until terminal)  <{s.id}>")
                elif s.follow_up_query:
                    typer.echo(f"  {'[free]':<9}GET  (one query if a task was created)  <{s.id}>")
        paid = run_plan.paid_planned
        budget_skipped = sum(p.skipped_reason == "budget" for items in run_plan.gateways.values() for p in items)
        typer.echo(
            f"paid tasks: {paid} planned of {'unlimited' if cap is None else cap}; "
            f"worst case {run_plan.worst_case_tasks} (if the gateway also accepts the [probe] requests meant to be "
            f"rejected); {budget_skipped} scenario(s) skipped for budget; {total_calls} request(s) before polling"
            + ("; replay: nothing is sent or spent (plan a live run with --mode live)" if mode == "replay" else "")
        )
        missing = [p.id for p in profiles if not p.base_url]
        if mode != "replay" and not emulator and missing:
            typer.echo(
                f"warning: a {mode} run would refuse to start: no base URL for {', '.join(missing)} "
                "(pass --base-url with --gateway, or use --emulator)",
                err=True,
            )
        raise typer.Exit(EXIT_OK)
