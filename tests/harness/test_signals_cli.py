"""SIGINT and SIGTERM stop ``serve`` and ``run`` promptly and cleanly at every observable moment.

Each case sends the signal when the process has reached a moment it announces itself (a line on its
output, a health check answering, a scenario reported done), never after a guessed delay, and asserts
that the process ends within a bound with an allowed exit code and no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

CLI = [sys.executable, "-m", "conformance"]
STOP_BOUND = 60.0  # seconds: generous for a busy machine; a hang fails long before the suite's timeout
Spawn = Callable[..., subprocess.Popen[str]]


def _wait_for_line(process: subprocess.Popen[str], stream: str, needle: str) -> None:
    pipe = getattr(process, stream)
    assert pipe is not None
    deadline = time.monotonic() + STOP_BOUND
    for line in pipe:
        if needle in line or time.monotonic() > deadline:
            return


def _wait_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STOP_BOUND
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, trust_env=False, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.02)
    pytest.fail("serve never answered its health check")


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=STOP_BOUND)
    return process.returncode, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["announced", "serving"])
def test_serve_stops_cleanly(sig: signal.Signals, moment: str, spawn: Spawn) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KLING_CONFORMANCE_EMULATOR_KEYS"}
    process = spawn(
        [*CLI, "serve", "-g", "kling-official", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # printed before uvicorn starts: the start-up window
    assert "emulator on" in first, first
    if moment == "serving":
        health = first.split(" on ")[1].split()[0] + "/healthz"
        _wait_healthy(health, process)
    process.send_signal(sig)
    code, stderr = _finish(process)
    assert code == 0, stderr  # stopping a server is its normal end
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["started", "first-done"])
def test_run_stops_cleanly_with_a_partial_report(
    sig: signal.Signals, moment: str, spawn: Spawn, tmp_path: Path
) -> None:
    command = [*CLI, "run", "--emulator", "-g", "kling-official", "--time-scale", "0.02", "--verbose"]
    process = spawn(
        [*command, "--reports-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_line(process, "stderr", "run started" if moment == "started" else ": done")
    process.send_signal(sig)
    code, stderr = _finish(process)
    assert code == 130, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    report = tmp_path / "latest" / "report.json"
    assert report.is_file() and '"incomplete": true' in report.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "signals",
    [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM)],
    ids=["INT+INT", "TERM+TERM", "INT+TERM"],
)
def test_a_second_signal_still_writes_the_partial_report(
    signals: tuple[signal.Signals, signal.Signals], spawn: Spawn, tmp_path: Path
) -> None:
    """A double Ctrl-C (or a CI cancel sending SIGTERM twice) while the run stops: still exit 130 with the
    partial report marked incomplete, within the bound, no traceback."""
    command = [*CLI, "run", "--emulator", "-g", "kling-official", "--time-scale", "0.02", "--verbose"]
    process = spawn(
        [*command, "--reports-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _wait_for_line(process, "stderr", ": done")
    process.send_signal(signals[0])
    _wait_for_line(process, "stderr", "stopping: writing the partial report")  # the first one is being handled
    process.send_signal(signals[1])
    started = time.monotonic()
    code, stderr = _finish(process)
    assert code == 130, stderr
    assert time.monotonic() - started < STOP_BOUND
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "still writing the partial report" in stderr, "the second signal did not land while stopping"
    report = tmp_path / "latest" / "report.json"
    assert report.is_file(), f"no partial report after {signals}: {stderr[-500:]}"
    assert '"incomplete": true' in report.read_text(encoding="utf-8")
