"""Run options (what ``kling-conformance run`` and the pytest plugin pass to the harness) and their checks."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.harness.address_guard import is_loopback_url
from conformance.harness.budget import check_budget_value
from conformance.harness.client import HttpLimits
from conformance.harness.plan import Shard
from conformance.inputs import check_number, is_folder_or_missing

MODES = ("replay", "record", "live")


@dataclass(slots=True, kw_only=True)
class RunOptions:
    """Everything a run needs. ``max_paid_tasks=None`` means the default rule: unlimited against the
    emulator, loopback hosts and in replay (nothing is spent), 0 against any other host."""

    gateways: list[str] = field(default_factory=list)
    profile_paths: list[str] = field(default_factory=list)
    mode: str = "replay"
    emulator: bool = False
    base_url: str | None = None
    max_paid_tasks: int | None = None
    reports_dir: Path = Path("reports")
    cassettes_dir: Path | None = None  # replay reads / record writes here (default: bundled cassettes)
    shard: Shard | None = None
    deadline: float | None = None  # run deadline, seconds
    task_deadline: float | None = None  # per-task deadline, seconds (default by target)
    poll_interval: float | None = None  # seconds between polls (default by target)
    time_scale: float = 0.002  # emulator schedules are multiplied by this
    emulator_fail_share: float = 0.0  # share of emulated tasks that end failed (the Kling way)
    emulator_port: int = 0  # 0 = a free port; fixed for byte-stable recordings (result URLs hash the origin)
    emulator_faults: str = ""  # --faults SPEC for the in-process emulator (conformance.emulator.faults grammar)
    #: ``<owner>/<repo>@<commit>`` of a gateway engine run locally in front of the emulator (the target at
    #: --base-url): results and cassettes carry ``engine`` evidence instead of ``live``.
    engine: str = ""
    callback_url: str | None = None  # public URL forwarding to the local receiver (live gateways)
    callback_port: int = 0  # fixed receiver port (for that forwarding); 0 = any free port
    checks: list[str] = field(default_factory=list)
    limits: HttpLimits = field(default_factory=HttpLimits)
    seed: int | None = None  # fixes ids, jitter and the run token (deterministic recordings)
    stable: bool = False  # byte-stable recordings (regenerate_cassettes.py)
    recorded_at: str = ""  # override the evidence date (stable recordings)
    clock: Any = None  # stable recordings: the virtual clock shared with the emulator
    write_report: bool = True
    fetch_results: bool = True
    allowed_fetch_hosts: tuple[str, ...] = ()  # hosts whose private addresses result fetches may reach
    budget_store: Any = None  # a budget.SlotStore shared with other processes (the pytest plugin's file)
    verbose: bool = False
    quiet: bool = False

    def validate(self) -> None:
        """Raise :class:`UsageError` naming the flag for any inconsistent option."""
        if self.mode not in MODES:
            raise UsageError(f"unknown mode {self.mode!r}", where="--mode", fix=f"use one of: {', '.join(MODES)}")
        check_budget_value(self.max_paid_tasks, "--max-paid-tasks")
        if self.emulator and self.mode == "replay":
            self.mode = "live"  # --emulator means live calls against the in-process emulator
        if self.emulator and self.base_url:
            raise UsageError(
                "--emulator and --base-url both choose the target host",
                where="--base-url",
                fix="use --emulator for the built-in emulator, or --base-url for another host, not both",
            )
        if self.base_url is not None:
            check_base_url(self.base_url)
            if self.mode == "replay":
                raise UsageError(
                    "--base-url has no effect in replay mode (nothing is sent)",
                    where="--base-url",
                    fix="add --mode live or --mode record to call that host",
                )
        for name, number in (
            ("--time-scale", self.time_scale),
            ("--read-timeout", self.limits.read_seconds),
            ("--max-body-bytes", self.limits.max_body_bytes),
            ("--callback-port", self.callback_port),
            ("--emulator-port", self.emulator_port),
            ("--fail-share", self.emulator_fail_share),
        ):
            check_number(number, name)  # nan, inf, negative or absurd: exit 2 naming the flag
        for folder, flag in ((self.cassettes_dir, "--cassettes"), (self.reports_dir, "--reports-dir")):
            if folder is not None and not is_folder_or_missing(Path(folder)):
                raise UsageError(
                    f"{folder} is a file, but {flag} names a folder",
                    where=flag,
                    fix=f"give a folder (it is created when missing), e.g. {flag} ./out",
                )
        for name, value in (
            ("--deadline", self.deadline),
            ("--task-deadline", self.task_deadline),
            ("--poll-interval", self.poll_interval),
        ):
            check_number(value, name)
            if value is not None and value <= 0:
                raise UsageError(
                    f"{name} must be a positive number of seconds, got {value}", where=name, fix=f"e.g. {name} 600"
                )
        if self.engine:
            check_engine(self.engine)
            if self.mode == "replay" or self.emulator:
                raise UsageError(
                    "--engine labels calls sent to a locally run engine, but this run sends none to one",
                    where="--engine",
                    fix="use --engine with --mode record (or live) and --base-url of the running engine",
                )
        if self.callback_url is not None:
            parts = urllib.parse.urlsplit(self.callback_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(
                    f"{self.callback_url!r} is not an absolute http(s) URL",
                    where="--callback-url",
                    fix="give the public URL that forwards to the receiver, e.g. https://abc.tunnel.example",
                )
        if not 0 <= self.callback_port <= 65535:
            raise UsageError(f"port {self.callback_port} is out of range", where="--callback-port", fix="use 1..65535")
        if self.time_scale <= 0:
            raise UsageError("--time-scale must be > 0", where="--time-scale", fix="e.g. --time-scale 0.01")
        if self.emulator_faults:
            if not self.emulator:
                raise UsageError(
                    "--faults only applies to the in-process emulator",
                    where="--faults",
                    fix="add --emulator, or drop --faults (a real gateway brings its own faults)",
                )
            from conformance.emulator import FaultPlan

            FaultPlan.parse(self.emulator_faults, where="--faults")


def check_base_url(url: str) -> None:
    """A base URL must be absolute http(s) with a host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{url!r} is not an absolute http(s) URL",
            where="--base-url",
            fix="include the scheme and host, e.g. --base-url https://staging.example.com",
        )


_ENGINE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*@[0-9a-f]{7,40}$")


def check_engine(engine: str) -> None:
    """An engine label is ``<owner>/<repo>@<commit>`` (7 to 40 lower-case hex digits)."""
    if not _ENGINE_RE.match(engine):
        raise UsageError(
            f"{engine!r} does not name an engine as <owner>/<repo>@<commit>",
            where="--engine",
            fix="e.g. --engine jince-boy/new-api@2d8e50bf36e9 (the commit the engine binary was built from)",
        )


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host resolves to this machine only (see :mod:`conformance.harness.address_guard`)."""
    return is_loopback_url(url)
