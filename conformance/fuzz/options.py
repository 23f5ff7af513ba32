"""Fuzz run options and the money guard (checked before anything is generated or sent).

Positive create examples are accepted by a real gateway, and every accepted create is a paid task.
So fuzzing is allowed by default only against loopback (the emulator, a local stub); any other host
needs ``--max-paid-tasks N`` (the cap on accepted positive creates), except in ``--mode negative``,
whose requests are invalid on purpose and must be rejected, so they cost nothing.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from conformance.errors import UsageError
from conformance.harness import address_guard
from conformance.harness.budget import check_budget_value

FUZZ_MODES = ("positive", "negative", "all")


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host resolves to this machine only (see :mod:`conformance.harness.address_guard`)."""
    return address_guard.is_loopback_url(url)


@dataclass(slots=True, kw_only=True)
class FuzzOptions:
    """Everything ``kling-conformance fuzz`` needs."""

    gateway: str
    profile_paths: list[str] = field(default_factory=list)
    max_examples: int = 25
    mode: str = "all"
    base_url: str | None = None
    emulator: bool = False
    max_paid_tasks: int | None = None
    seed: int = 0
    reports_dir: Path = Path("reports")
    operations: list[str] = field(default_factory=list)  # create op ids or families; default: every supported create
    probes: bool = True  # the deterministic single-field negative probes
    stateful: bool = True  # create -> get through the spec's GetTask link
    timeout: float = 30.0
    write_report: bool = True
    emulator_profile_overrides: dict[str, object] = field(default_factory=dict)  # tests: planted departures

    @property
    def sends_positive(self) -> bool:
        """Whether valid (paid, when accepted) creates are sent."""
        return self.mode in ("positive", "all")

    @property
    def sends_negative(self) -> bool:
        """Whether invalid (free) creates are sent."""
        return self.mode in ("negative", "all")

    def validate(self) -> None:
        """Raise :class:`UsageError` naming the flag for an inconsistent option."""
        if self.mode not in FUZZ_MODES:
            raise UsageError(
                f"unknown fuzz mode {self.mode!r}", where="--mode", fix=f"use one of: {', '.join(FUZZ_MODES)}"
            )
        if self.max_examples < 1:
            raise UsageError("--max-examples must be at least 1", where="--max-examples", fix="e.g. --max-examples 25")
        check_budget_value(self.max_paid_tasks, "--max-paid-tasks")
        if self.emulator and self.base_url:
            raise UsageError(
                "--emulator and --base-url both choose the target host",
                where="--base-url",
                fix="use --emulator for the built-in emulator, or --base-url for another host",
            )
        if self.base_url is not None:
            parts = urllib.parse.urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(
                    f"{self.base_url!r} is not an absolute http(s) URL",
                    where="--base-url",
                    fix="include the scheme and host, e.g. --base-url http://127.0.0.1:8080/kling",
                )


def paid_budget(options: FuzzOptions, target_url: str) -> int | None:
    """The cap on tasks created for ``target_url`` (``None`` = unlimited), or a :class:`UsageError`.

    Loopback targets are free (unlimited unless capped). Any other host needs ``--max-paid-tasks``, in
    every mode: an invalid request that a lax gateway accepts creates, and bills, a task too.
    """
    check_budget_value(options.max_paid_tasks, "--max-paid-tasks")
    if options.emulator or is_loopback_url(target_url):
        return options.max_paid_tasks
    if options.max_paid_tasks is None:
        host = urllib.parse.urlsplit(target_url).hostname or target_url
        what = "valid create requests" if options.sends_positive else "invalid create requests"
        raise UsageError(
            f"fuzzing {host} would send {what}, and every one the gateway accepts is a paid task",
            where="--max-paid-tasks",
            fix=(
                "pass --max-paid-tasks N to cap the tasks it may create (invalid requests a lax gateway accepts "
                "count too; the run stops sending creates when N is spent), or fuzz the emulator with --emulator"
            ),
        )
    return options.max_paid_tasks
