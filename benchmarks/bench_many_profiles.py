#!/usr/bin/env python
"""Max RSS and wall time of one ``kling-conformance run`` replaying N user profiles, as ratios.

    python benchmarks/bench_many_profiles.py [--counts 64,512] [--reference-tree PATH]

Writes N user profiles (``extends = "kling-official"``, as a user describing a reseller would) into a
temporary folder and replays all of them in one run (no cassettes: every result is a skip with its
reason, the reports are full size). Each count runs in its own process; its peak memory comes from
``os.wait4``. Ratios are against the first count in the same command, so they do not depend on the
machine: with streamed reports, 8 times the gateways should cost far less than 8 times the memory.
``--reference-tree`` also runs every count with another checkout's code (``PYTHONPATH``), e.g. a
``git worktree`` of an older commit, and prints new/old ratios.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_profiles(folder: Path, count: int) -> list[str]:
    """``count`` user profile files in ``folder``; the CLI arguments that select all of them."""
    args: list[str] = []
    for n in range(1, count + 1):
        path = folder / f"gw{n}.toml"
        gateway = f"user-gw-{n:03d}"
        path.write_text(f'id = "{gateway}"\ntitle = "User gateway {n:03d}"\nextends = "kling-official"\n')
        args += ["--profile", str(path), "-g", gateway]
    return args


def measure(args: list[str], reports: Path, tree: Path) -> tuple[float, float]:
    """(max RSS in MiB, wall seconds) of one run with ``tree``'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [sys.executable, "-m", "conformance", "run", *args, "--reports-dir", str(reports)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1, 5):  # 1: findings, 5: nothing could be judged (no cassettes)
        raise SystemExit(f"run of {len(args) // 4} profiles exited {process.returncode}")
    return usage.ru_maxrss / 1024, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="64,512", help="profile counts, the first is the reference")
    parser.add_argument("--reference-tree", type=Path, help="another checkout to compare against (before/after)")
    options = parser.parse_args()
    counts = [int(c) for c in options.counts.split(",")]
    trees = [("this tree", ROOT)]
    if options.reference_tree:
        trees.append(("reference", options.reference_tree.resolve()))
    with tempfile.TemporaryDirectory(prefix="bench-many-profiles-") as tmp:
        folder = Path(tmp)
        figures: dict[tuple[str, int], tuple[float, float]] = {}
        for count in counts:
            profiles = folder / f"profiles-{count}"
            profiles.mkdir()
            args = write_profiles(profiles, count)
            for label, tree in trees:
                figures[label, count] = measure(args, folder / f"reports-{label}-{count}".replace(" ", "-"), tree)
        base = counts[0]
        for label, _ in trees:
            rss0, wall0 = figures[label, base]
            print(f"{label}:")
            for count in counts:
                rss, wall = figures[label, count]
                print(
                    f"  {count:>5} profiles: max RSS {rss:8.1f} MiB ({rss / rss0:5.2f}x {base}), "
                    f"wall {wall:6.1f} s ({wall / wall0:5.2f}x {base})"
                )
        if options.reference_tree:
            print("this tree / reference:")
            for count in counts:
                (rss, wall), (rss_ref, wall_ref) = figures["this tree", count], figures["reference", count]
                print(f"  {count:>5} profiles: max RSS {rss / rss_ref:5.2f}x, wall {wall / wall_ref:5.2f}x")


if __name__ == "__main__":
    main()
