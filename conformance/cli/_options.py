"""Options that ``run`` and ``plan`` share: which gateways, which profiles, which mode and host, what budget.

Both commands describe the same run, so they declare these flags once here (only the help wording of a
few differs, passed in) and turn them into the same :class:`~conformance.harness.options.RunOptions` fields.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

#: ``--profile PATH`` (repeatable).
ProfilePaths = Annotated[
    list[str] | None, typer.Option("--profile", metavar="PATH", help="A user profile TOML (repeatable).")
]

#: ``--base-url URL``.
BaseUrl = Annotated[str | None, typer.Option("--base-url", metavar="URL", help="Point the profile(s) at another host.")]


def gateway_option(help: str) -> Any:
    """``--gateway/-g ID`` (repeatable, or ``all``)."""
    return typer.Option("--gateway", "-g", metavar="ID", help=help)


def mode_option(help: str) -> Any:
    """``--mode MODE`` (replay | record | live)."""
    return typer.Option("--mode", metavar="MODE", help=help)


def emulator_option(help: str) -> Any:
    """``--emulator``: run against the in-process emulator."""
    return typer.Option("--emulator", help=help)


def max_paid_tasks_option(help: str) -> Any:
    """``--max-paid-tasks N``: cap on task-creating calls."""
    return typer.Option("--max-paid-tasks", metavar="N", help=help)


def shard_option(help: str) -> Any:
    """``--shard I/N``."""
    return typer.Option("--shard", metavar="I/N", help=help)


def parse_shard(value: str | None) -> object:
    """``--shard i/n`` → :class:`~conformance.harness.plan.Shard` (``None`` when absent)."""
    if not value:
        return None
    from conformance.harness.plan import Shard

    return Shard.parse(value)


def target_fields(
    *,
    gateway: list[str] | None,
    profile: list[str] | None,
    mode: str,
    emulator: bool,
    base_url: str | None,
    max_paid_tasks: int | None,
    shard: str | None,
) -> dict[str, Any]:
    """The :class:`~conformance.harness.options.RunOptions` keyword arguments the shared flags set."""
    return {
        "gateways": list(gateway or []),
        "profile_paths": list(profile or []),
        "mode": mode,
        "emulator": emulator,
        "base_url": base_url,
        "max_paid_tasks": max_paid_tasks,
        "shard": parse_shard(shard),
    }
