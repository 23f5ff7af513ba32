"""Interrupted and concurrent runs: nothing completed is lost, nothing half-written is pointed at.

A record run against the in-process emulator (``run --mode record --emulator --verbose``) is killed
with SIGINT or SIGKILL once it has reported a seeded random number of finished scenarios (read from
its own output, so the moment is an event of the run, not a guess at how fast this machine is).
Afterwards every cassette on disk must parse, every scenario the run reported ``done`` must have its
cassette, and ``reports/latest`` (when present) must point at a complete report. Two runs started at
once into the same reports folder must both write complete reports, and ``latest`` must point at one.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import figure_sink_fixture
from hardening_figures import FigureSink

from conformance.harness.cassette import load_cassette
from conformance.reports import REPORTERS
from conformance.reports.writer import resolve_latest

SEED = 20261122
TRIALS = 24  # half SIGINT, half SIGKILL
GATEWAY = "kling-official"
_DONE = re.compile(rf"^\[[\d:]+\] {GATEWAY} (\S+): done", re.MULTILINE)

figures = figure_sink_fixture("interrupts")


def _command(workdir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--mode",
        "record",
        "--emulator",
        "-g",
        GATEWAY,
        "--cassettes",
        str(workdir / "cassettes"),
        "--reports-dir",
        str(workdir / "reports"),
        "--verbose",
        "--time-scale",
        "0.004",
    ]


@dataclass(slots=True)
class Trial:
    """One run and what it left behind."""

    workdir: Path
    signal_name: str
    after_done: int  # the signal was sent once this many scenarios had reported "done"
    returncode: int
    stderr: str

    @property
    def done(self) -> set[str]:
        """Scenarios the run reported as finished before it died."""
        return set(_DONE.findall(self.stderr))


def _done_count(path: Path) -> int:
    return len(_DONE.findall(path.read_bytes().decode("utf-8", "replace")))


def _run_and_kill(workdir: Path, sig: signal.Signals | None, after_done: int) -> Trial:
    """Run the recording; with ``sig``, send it as soon as ``after_done`` scenarios reported done."""
    workdir.mkdir(parents=True)
    err_path = workdir / "stderr.txt"
    with open(err_path, "wb") as err, open(workdir / "stdout.txt", "wb") as out:
        process = subprocess.Popen(_command(workdir), stdout=out, stderr=err)
        try:
            if sig is not None:
                deadline = time.monotonic() + 240  # a generous bound for a very busy machine, never a pacing guess
                while _done_count(err_path) < after_done:  # the event: the run's own "done" lines
                    if process.poll() is not None or time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
                process.send_signal(sig)
            code = process.wait(240)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    name = sig.name if sig is not None else "none"
    return Trial(workdir, name, after_done, code, err_path.read_text(encoding="utf-8", errors="replace"))


def _cassettes(workdir: Path) -> dict[str, Path]:
    folder = workdir / "cassettes" / GATEWAY
    return {p.stem: p for p in folder.glob("*.yaml")} if folder.is_dir() else {}


def _assert_report_complete(run_dir: Path) -> dict[str, object]:
    for _, reporter in REPORTERS.items():
        assert (run_dir / reporter.filename).stat().st_size > 0, f"{run_dir.name}: {reporter.filename} missing"
    data: dict[str, object] = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    assert "</html>" in (run_dir / "index.html").read_text(encoding="utf-8")
    return data


def _assert_nothing_lost(trial: Trial, expected: set[str]) -> None:
    on_disk = _cassettes(trial.workdir)
    for scenario, path in on_disk.items():
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["version"] == 1 and isinstance(document["interactions"], list), path
        assert load_cassette(path).scenario == scenario
    stray = [
        p
        for p in (trial.workdir / "cassettes").rglob("*")
        if p.is_file() and p.suffix == ".yaml" and p.stem not in on_disk
    ]
    assert not stray
    missing = (trial.done & expected) - set(on_disk)
    where = f"{trial.signal_name} after {trial.after_done} done"
    assert not missing, f"{where}: completed scenarios lost: {sorted(missing)[:5]}"
    reports = trial.workdir / "reports"
    latest = resolve_latest(reports) if reports.is_dir() else None
    if latest is not None:
        _assert_report_complete(latest)
    for run_dir in (p for p in reports.glob("*") if reports.is_dir() and p.is_dir() and not p.name.startswith(".")):
        if run_dir.name != "latest":
            _assert_report_complete(run_dir)
    if trial.signal_name == "SIGINT":
        assert "Traceback" not in trial.stderr, trial.stderr[-1500:]
        # 0/1: the run had finished; 130: Ctrl-C handled; -SIGINT: it arrived during interpreter shutdown.
        assert trial.returncode in (0, 1, 130, -signal.SIGINT), trial.stderr[-800:]
        if trial.returncode == 130:  # interrupted mid-run: a partial report, marked incomplete
            assert latest is not None, "Ctrl-C left no report"
            meta = _assert_report_complete(latest)["meta"]
            assert isinstance(meta, dict) and meta["incomplete"] is True


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Trial:
    """An uninterrupted recording: which scenarios write a cassette, and how long a run lasts."""
    trial = _run_and_kill(tmp_path_factory.mktemp("full") / "run", None, 0)
    assert trial.returncode in (0, 1), trial.stderr[-800:]
    return trial


@pytest.mark.slow
def test_killed_record_runs_lose_nothing(full_run: Trial, tmp_path: Path, figures: FigureSink) -> None:
    """SIGINT and SIGKILL after a seeded random number of finished scenarios: nothing completed is lost."""
    expected = set(_cassettes(full_run.workdir))
    assert len(expected) > 50 and full_run.done >= expected
    rng = random.Random(SEED)
    total = len(full_run.done)
    plan = [(signal.SIGINT if i % 2 else signal.SIGKILL, rng.randint(1, total - 10)) for i in range(TRIALS)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        trials = list(pool.map(lambda job: _run_and_kill(tmp_path / f"t{job[0]}", *job[1]), enumerate(plan)))
    figures.require("trials", TRIALS)
    figures.require("concurrent_runs", 4)
    for trial in trials:
        figures.add("trials")
        figures.add(f"trials_{trial.signal_name.lower()}")
        _assert_nothing_lost(trial, expected)
        figures.add("nothing_lost")
        figures.add("scenarios_kept", len(trial.done & expected))
    for trial in trials:  # each was interrupted mid-run, at the moment planned for it
        assert trial.after_done <= len(trial.done) < total, (trial.signal_name, trial.after_done, len(trial.done))


def test_two_runs_at_once_into_one_reports_folder(
    tmp_path: Path, figures: FigureSink, spawn: Callable[..., subprocess.Popen[Any]]
) -> None:
    """Concurrent writers: both run folders complete, ``latest`` points at one of them, no temporaries left."""
    reports = tmp_path / "reports"
    command = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "-g",
        GATEWAY,
        "-g",
        "newapi",
        "--reports-dir",
        str(reports),
        "-q",
    ]
    for _ in range(2):
        processes = [spawn(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in processes]
        for process, (_out, err) in zip(processes, outputs, strict=True):
            assert process.returncode in (0, 1), err.decode(errors="replace")
            assert b"Traceback" not in err
    run_dirs = [p for p in reports.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    assert len(run_dirs) == 4
    ids = set()
    for run_dir in run_dirs:
        meta = _assert_report_complete(run_dir)["meta"]
        assert isinstance(meta, dict) and meta["run_id"] == run_dir.name
        ids.add(meta["run_id"])
    assert len(ids) == 4
    latest = resolve_latest(reports)
    assert latest is not None and latest.name in ids
    assert (reports / "latest.txt").read_text(encoding="utf-8").strip() == latest.name
    assert not [p for p in reports.iterdir() if p.name.startswith(".") and ".tmp" in p.name]
    figures.add("concurrent_runs", 4)
