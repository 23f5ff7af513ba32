#!/usr/bin/env python
"""Wall time of the default ``kling-conformance run`` (full bundled matrix, replay), cold, start-up included.

    python benchmarks/bench_default_run.py [N]        # N interleaved rounds (default 5)

Each round runs, as fresh processes and interleaved (A/B/C, so machine load hits all three alike):
``python -c "pass"``, ``python -c "import conformance"`` and the default ``kling-conformance run`` into
a fresh temporary reports folder with a fresh ``HOME``/``XDG_CACHE_HOME`` (nothing cached anywhere).
It prints the medians, the run as a ratio of both references, and a phase breakdown (import, profiles
and plan, load cassettes, replay, checks, observations, reports) from one instrumented run in a fresh
interpreter. Issue 5's budget: well under 5 s; target <= 2 s on a quiet machine. A calibration probe
(perf-anchors §0) comes first: compare figures only against a probe taken in the same window.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 5.0
TARGET_S = 2.0


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "kling-conformance"
    return [str(script)] if script.exists() else [sys.executable, "-m", "conformance"]


def _timed(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}")
    return elapsed, done.returncode


def measure(rounds: int) -> dict[str, list[float]]:
    """Wall seconds per round for the two references and the default run."""
    out: dict[str, list[float]] = {"pass": [], "import": [], "run": []}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="kc-bench-run-") as tmp:
            env = {
                **os.environ,
                "HOME": str(Path(tmp) / "home"),
                "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
                "PYTHONDONTWRITEBYTECODE": "1",
            }
            out["pass"].append(_timed([sys.executable, "-c", "pass"], env, tmp)[0])
            out["import"].append(_timed([sys.executable, "-c", "import conformance"], env, tmp)[0])
            reports = str(Path(tmp) / "reports")
            out["run"].append(_timed([*_cli(), "run", "--quiet", "--reports-dir", reports], env, tmp)[0])
    return out


def phases() -> dict[str, float]:
    """One default run in this (fresh) interpreter, timed per phase; prints nothing."""
    started = time.perf_counter()
    import asyncio

    import conformance.cli.app  # noqa: F401  (what the console script imports)
    import conformance.harness.runner as runner
    import conformance.reports as reports

    spent: dict[str, float] = {"import": time.perf_counter() - started}
    replay_window: list[float] = []

    def timed(module: object, name: str, key: str) -> None:
        function = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - begin

        setattr(module, name, wrapper)

    def replay_timed() -> None:
        function = runner.execute_gateway

        async def wrapper(*args: object, **kwargs: object) -> object:
            replay_window.append(time.perf_counter())
            try:
                return await function(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                replay_window.append(time.perf_counter())

        runner.execute_gateway = wrapper  # type: ignore[assignment]

    timed(runner, "load_profiles", "profiles")
    timed(runner, "load_gateway_cassettes", "load cassettes")
    timed(runner, "plan_run", "plan")
    timed(runner, "judge_by_evidence", "checks")
    timed(runner, "derive", "observations")
    timed(reports, "write_reports", "reports")
    replay_timed()
    with tempfile.TemporaryDirectory(prefix="kc-bench-phases-") as tmp:
        options = runner.RunOptions(reports_dir=Path(tmp) / "reports")
        begin = time.perf_counter()
        asyncio.run(runner.run_and_write(options))
        total = time.perf_counter() - begin
    spent["replay"] = max(replay_window) - min(replay_window)  # gateways replay concurrently: the window
    named = sum(v for k, v in spent.items() if k != "import")
    spent["other (setup, report assembly)"] = total - named
    spent["total in process"] = spent["import"] + total
    return spent


def main() -> None:
    """Print the calibration probe, the interleaved medians and the phase breakdown."""
    if "--phases" in sys.argv:
        print(json.dumps(phases()))
        return
    rounds = int(next((a for a in sys.argv[1:] if a.isdigit()), "5"))
    probe = min(timeit.repeat("sum(range(10000))", number=200, repeat=7)) / 200 * 1e6
    print(f"calibration probe: {probe:.0f} µs per sum(range(10000)) (quiet machine: 192-198 µs)")
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores)")
    times = measure(rounds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    run = medians["run"]
    print(f"{rounds} interleaved round(s), medians (min-max):")
    for name, label in (
        ("pass", 'python -c "pass"'),
        ("import", 'python -c "import conformance"'),
        ("run", "kling-conformance run (default: 8 gateways x every check, replay, reports)"),
    ):
        values = times[name]
        print(f"  {label:<76} {medians[name]:6.2f} s  ({min(values):.2f}-{max(values):.2f})")
    print(
        f"  run / python start-up: {run / medians['pass']:.1f}x;  run / import conformance: "
        f"{run / medians['import']:.1f}x;  budget {BUDGET_S:.0f} s: {'OK' if run < BUDGET_S else 'OVER'}; "
        f"target {TARGET_S:.0f} s: {'OK' if run <= TARGET_S else 'over'}"
    )
    done = subprocess.run(
        [sys.executable, __file__, "--phases"], capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()
    )
    spent = json.loads(done.stdout.strip().splitlines()[-1])
    print("phases of one in-process run (fresh interpreter):")
    for name, seconds in spent.items():
        print(f"  {name:<34} {seconds * 1000:7.0f} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
