#!/usr/bin/env python
"""Live polling against the emulator at a time scale: concurrent wall time vs the slowest single task.

    python benchmarks/bench_live.py [TASKS] [--time-scale F]

Starts the reference emulator in process (kling-official profile), then runs TASKS create+poll
lifecycles (``image2video.create.minimal`` copies) through the harness's real live path
(``GatewayClient`` + executor, httpx.AsyncClient over loopback) for several concurrency limits.
Reports, per limit: wall time, the slowest single task run alone, their ratio (1.0 = perfect overlap),
and requests/s. The default limits were chosen from this table (see perf-anchors §1a: wide shared
pools are slower on this machine).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sys
import time
import timeit
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.emulator import EmulatorConfig, start_emulator  # noqa: E402
from conformance.harness.client import GatewayClient, HttpLimits  # noqa: E402
from conformance.harness.clock import RealClock  # noqa: E402
from conformance.harness.executor import ExecutionSettings, GatewayExecution, execute_gateway  # noqa: E402
from conformance.harness.plan import PlannedScenario  # noqa: E402
from conformance.harness.scenarios import build_catalog  # noqa: E402
from conformance.models import Evidence, EvidenceKind  # noqa: E402
from conformance.normalize import normalize  # noqa: E402
from conformance.profiles import load_builtin_profiles  # noqa: E402

KEY = "bench-key-0123456789abcdef"
EVIDENCE = Evidence(kind=EvidenceKind.EMULATOR, source="bench")


async def run_tasks(
    base_url: str, tasks: int, per_gateway: int, global_limit: int, interval: float
) -> tuple[float, int]:
    """Run ``tasks`` lifecycles; returns (wall seconds, requests made)."""
    profile = load_builtin_profiles()["kling-official"]
    minimal = next(s for s in build_catalog(profile) if s.id == "image2video.create.minimal")
    planned = [PlannedScenario(dataclasses.replace(minimal, id=f"bench.{i:03d}")) for i in range(tasks)]
    limits = HttpLimits(per_gateway_concurrency=per_gateway, global_concurrency=global_limit)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=per_gateway)) as http:
        client = GatewayClient(
            gateway=profile.id,
            base_url=base_url,
            http=http,
            clock=RealClock(),
            key=KEY,
            limits=limits,
            global_slots=asyncio.Semaphore(global_limit),
            rng=random.Random(1),
        )
        ex = GatewayExecution(
            profile=profile,
            client=client,
            clock=RealClock(),
            normalizer=lambda e: normalize(
                e.response.body if e.response else b"", status_code=e.response.status_code if e.response else None
            ),
            evidence_for=lambda _s: EVIDENCE,
            settings=ExecutionSettings(poll_interval=interval, task_deadline=60, fetch_results=False),
        )
        started = time.perf_counter()
        traces = await execute_gateway(ex, planned)
        wall = time.perf_counter() - started
    done = [t for t in traces.values() if t.meta.get("terminal_status")]
    assert len(done) == tasks, f"only {len(done)} of {tasks} tasks finished"
    return wall, sum(len(t.exchanges) for t in traces.values())


def main() -> None:
    args = sys.argv[1:]
    tasks = int(next((a for a in args if a.isdigit()), "50"))
    scale = float(args[args.index("--time-scale") + 1]) if "--time-scale" in args else 0.01
    probe = min(timeit.repeat("sum(range(10000))", number=200, repeat=7)) / 200 * 1e6
    print(f"calibration probe: {probe:.0f} µs (quiet machine: 192-198 µs)")
    profile = load_builtin_profiles()["kling-official"]
    interval = 3.0 * scale  # the harness's default for --emulator
    with start_emulator([profile], EmulatorConfig(keys=(KEY,), time_scale=scale)) as emu:
        base = emu.base_url(profile.id)
        single, _ = asyncio.run(run_tasks(base, 1, 1, 1, interval))
        single = max(single, asyncio.run(run_tasks(base, 1, 1, 1, interval))[0])
        print(
            f"time scale {scale}: a task takes {60 * scale:.2f} s of schedule; poll interval {interval:.3f} s; "
            f"slowest single task alone: {single:.2f} s"
        )
        print(f"{tasks} concurrent tasks:")
        for per_gateway, global_limit in ((1, 1), (2, 4), (4, 8), (8, 16), (25, 50), (50, 100)):
            wall, requests = asyncio.run(run_tasks(base, tasks, per_gateway, global_limit, interval))
            print(
                f"  limit {per_gateway:>3}/gateway, {global_limit:>3} global: wall {wall:6.2f} s = "
                f"{wall / single:5.2f}x slowest single task, {requests / wall:6.0f} req/s"
            )


if __name__ == "__main__":
    main()
