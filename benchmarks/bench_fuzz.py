"""Benchmarks for the pytest plugin's overhead and the fuzz run's throughput.

    python benchmarks/bench_fuzz.py [--runs 5] [--max-examples 10]

1. pytest session on a trivial test file, with the plugin and with ``-p no:kling_conformance`` (best of
   N subprocess runs each; ratio with/without). The plugin only imports pytest + stdlib at load time,
   so the ratio should be ~1.00; the session's absolute time is dominated by other installed plugins
   (hypothesis and schemathesis register their own pytest plugins and import themselves at startup).
2. ``import conformance.pytest_plugin`` cost in a fresh interpreter (best of N), against ``import tomllib``.
3. Fuzz throughput against the in-process emulator (requests per second; the reference is the same run's
   negative-only half, so the ratio shows what positive creates plus create → get cost).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRIVIAL = "def test_one():\n    assert 1 + 1 == 2\n"


def best_of(runs: int, command: list[str], cwd: Path) -> float:
    """Fastest wall time of ``runs`` executions of ``command``."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def plugin_overhead(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_trivial.py").write_text(TRIVIAL, encoding="utf-8")
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_trivial.py"]
        with_plugin = best_of(runs, base, folder)
        without = best_of(runs, [*base, "-p", "no:kling_conformance"], folder)
        kling_off = best_of(
            runs, [*base, "-p", "no:kling_conformance", "-p", "no:hypothesispytest", "-p", "no:schemathesis"], folder
        )
    print(
        f"pytest trivial session: with plugin {with_plugin:.3f} s, without {without:.3f} s, "
        f"ratio {with_plugin / without:.3f}"
    )
    print(f"  (for scale: without kling, hypothesis and schemathesis plugins {kling_off:.3f} s)")


def import_cost(runs: int) -> None:
    probe = "import time, pytest; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"
    results = {}
    for module in ("tomllib", "conformance.pytest_plugin"):
        best = min(
            float(
                subprocess.run(
                    [sys.executable, "-c", probe.format(mod=module)], check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(runs)
        )
        results[module] = best
    print(
        f"import conformance.pytest_plugin: {results['conformance.pytest_plugin'] * 1000:.1f} ms "
        f"(import tomllib: {results['tomllib'] * 1000:.1f} ms)"
    )


def fuzz_throughput(max_examples: int) -> None:
    from conformance.fuzz.engine import FuzzStats, run_fuzz
    from conformance.fuzz.options import FuzzOptions

    run_fuzz(
        FuzzOptions(
            gateway="kling-official",
            emulator=True,
            mode="negative",
            max_examples=2,
            operations=["image2video"],
            write_report=False,
        )
    )  # warm-up: imports, compiled validators
    numbers = {}
    for mode in ("negative", "all"):
        stats = FuzzStats()
        run_fuzz(
            FuzzOptions(
                gateway="kling-official",
                emulator=True,
                mode=mode,
                max_examples=max_examples,
                operations=["image2video"],
                write_report=False,
                seed=7,
            ),
            stats=stats,
        )
        numbers[mode] = (stats.sent, stats.seconds)
        print(
            f"fuzz {mode:<8}: {stats.sent} requests in {stats.seconds:.2f} s ({stats.sent / stats.seconds:.0f} req/s)"
        )
    neg = numbers["negative"][0] / numbers["negative"][1]
    full = numbers["all"][0] / numbers["all"][1]
    print(f"  throughput ratio all/negative-only: {full / neg:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-examples", type=int, default=10)
    args = parser.parse_args()
    plugin_overhead(args.runs)
    import_cost(args.runs)
    fuzz_throughput(args.max_examples)


if __name__ == "__main__":
    main()
