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

FUZZ_MODES = ("positive", "negative", "all")


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


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
        if self.max_paid_tasks is not None and self.max_paid_tasks < 0:
            raise UsageError(
                "--max-paid-tasks must be 0 or more",
                where="--max-paid-tasks",
                fix="give the number of accepted creates you accept to pay for",
            )
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
    """The cap on accepted positive creates for ``target_url`` (``None`` = unlimited), or a :class:`UsageError`.

    Loopback targets are free (unlimited unless capped). Any other host: negative-only mode needs no
    budget (nothing valid is sent); otherwise ``--max-paid-tasks`` must be given explicitly.
    """
    if options.emulator or is_loopback_url(target_url):
        return options.max_paid_tasks
    if not options.sends_positive:
        return 0
    if options.max_paid_tasks is None:
        host = urllib.parse.urlsplit(target_url).hostname or target_url
        raise UsageError(
            f"fuzzing {host} would send valid create requests, and every one the gateway accepts is a paid task",
            where="--max-paid-tasks",
            fix=(
                "pass --max-paid-tasks N to cap the accepted creates you pay for, or --mode negative "
                "(invalid requests only, free), or fuzz the emulator with --emulator"
            ),
        )
    return options.max_paid_tasks
