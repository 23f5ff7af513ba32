"""Helpers for the hardening suite: live runs of the real harness against an in-process emulator.

Two ways to reach the emulator, both the code paths users take:

* ``emulator_run``: ``kling-conformance run --emulator --faults SPEC`` in-process (the harness starts the
  emulator itself, with the fault plan scoped per gateway as ``KIND@GATEWAY=TRIGGER:ARG``);
* ``profile_run``: ``--mode live|record --profile FILE`` with the key read from the environment, for
  targets that are not a plain emulator (a TLS client talking to plain HTTP, a closed port) and for the
  secrets tests (the key must come from the user's environment).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from conformance.emulator import EmulatorConfig, FaultPlan, RunningEmulator, start_emulator
from conformance.harness.client import HttpLimits
from conformance.harness.options import RunOptions
from conformance.harness.runner import RunState, run_and_write
from conformance.models import Outcome
from conformance.profiles import load_builtin_profiles
from conformance.runmodel import RunReport

#: The canary every profile's key variable is set to; it must never appear in anything written.
CANARY = "kc-canary-7Qx9vR2mZp4LwK8s"

#: Tight caps and short waits, so that hostile answers cost milliseconds, not minutes.
TEST_LIMITS = HttpLimits(
    max_body_bytes=1024 * 1024,
    read_seconds=1.5,
    connect_seconds=2.0,
    max_retries=2,
    backoff_base=0.01,
    backoff_cap=0.05,
    retry_after_cap=0.2,
    per_gateway_concurrency=4,
    global_concurrency=16,
)

#: Checks that read the run-wide callback receiver (see ``test_callbacks_stay_with_their_gateway``).
CALLBACK_CHECKS = frozenset({"callback_delivered_per_status", "callback_body_official", "callback_task_id_known"})


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def key_env(gateways: Sequence[str], key: str = CANARY) -> dict[str, str]:
    """The environment variables naming each gateway's key, all set to ``key``."""
    profiles = load_builtin_profiles()
    return {profiles[g].auth.env: key for g in gateways}


def write_profile(folder: Path, gateway: str, base_url: str, *, prefix: str | None = None) -> str:
    """A user profile file: the built-in ``gateway`` pointed at ``base_url`` (same id, so it replaces it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{gateway}.toml"
    text = f'id = "{gateway}"\nextends = "{gateway}"\nbase_url = "{base_url}"\n'
    if prefix is not None:
        text += f'path_prefix = "{prefix}"\n'
    path.write_text(text, encoding="utf-8")
    return str(path)


@contextmanager
def emulator_for(
    gateways: Sequence[str], faults: str = "", *, key: str = CANARY, seed: int = 7
) -> Iterator[RunningEmulator]:
    """An emulator serving ``gateways`` with the fault plan ``faults``, accepting only ``key``."""
    profiles = load_builtin_profiles()
    config = EmulatorConfig(
        keys=(key,), time_scale=0.001, seed=seed, faults=FaultPlan.parse(faults) if faults else FaultPlan()
    )
    with start_emulator([profiles[g] for g in gateways], config) as running:
        yield running


@dataclass(slots=True)
class LiveRun:
    """What one run produced."""

    report: RunReport
    report_dir: Path | None
    seconds: float

    def findings(self, gateway: str) -> list[str]:
        """``check: message`` of every ``fail``/``error`` result of ``gateway``."""
        return [
            f"{r.check}: {r.message}"
            for r in self.report.results
            if r.gateway == gateway and r.outcome in (Outcome.FAIL, Outcome.ERROR)
        ]

    def signature(self, gateway: str, *, ignore: frozenset[str] = frozenset()) -> Counter[tuple[str, str, str]]:
        """(check, operation, outcome) multiset of ``gateway``: equal signatures judged alike."""
        return Counter(
            (r.check, r.operation, r.outcome.value)
            for r in self.report.results
            if r.gateway == gateway and r.check not in ignore
        )


def _run(options: RunOptions, env: dict[str, str]) -> LiveRun:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    state = RunState()
    started = time.perf_counter()
    try:
        report = asyncio.run(run_and_write(options, state=state))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return LiveRun(report=report, report_dir=state.report_dir, seconds=time.perf_counter() - started)


def _options(workdir: Path, **kwargs: object) -> RunOptions:
    base = RunOptions(
        reports_dir=workdir / "reports",
        cassettes_dir=workdir / "cassettes",
        limits=TEST_LIMITS,
        time_scale=0.001,
        task_deadline=3.0,
        deadline=90.0,
        seed=5,
        quiet=True,
    )
    return replace(base, **kwargs)  # type: ignore[arg-type]


def emulator_run(gateways: Sequence[str], workdir: Path, faults: str = "", **kwargs: object) -> LiveRun:
    """``run --emulator --faults SPEC -g ...`` in-process; reports go to ``workdir/reports``."""
    return _run(_options(workdir, gateways=list(gateways), emulator=True, emulator_faults=faults, **kwargs), {})


def profile_run(
    targets: dict[str, str], workdir: Path, *, mode: str = "live", key: str = CANARY, **kwargs: object
) -> LiveRun:
    """``run --mode MODE --profile ...`` with every key variable set to ``key``.

    ``targets`` maps a gateway id to its base URL (``http://127.0.0.1:PORT`` for the emulator, where the
    gateway lives below ``/<gateway-id>``; any other URL is used as it is).
    """
    profiles = load_builtin_profiles()
    paths = []
    for gateway, url in targets.items():
        prefix = f"/{gateway}{profiles[gateway].path_prefix}"
        paths.append(write_profile(workdir / "profiles", gateway, url, prefix=prefix))
    options = _options(workdir, gateways=list(targets), profile_paths=paths, mode=mode, **kwargs)
    return _run(options, key_env(list(targets), key))


def base_url_run(
    gateway: str, base_url: str, workdir: Path, *, mode: str = "live", key: str = CANARY, **kwargs: object
) -> LiveRun:
    """``run --mode MODE -g GATEWAY --base-url URL`` with the gateway's key variable set to ``key``."""
    options = _options(workdir, gateways=[gateway], base_url=base_url, mode=mode, **kwargs)
    return _run(options, key_env([gateway], key))
