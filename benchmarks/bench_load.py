"""Load: N concurrent live tasks across every built-in profile, with faults on a share of calls.

    python benchmarks/bench_load.py [--tasks 200] [--seconds 60] [--fault-share 0.10] [--time-scale 0.002]

The emulator serves every profile in a *separate process* (so the client's memory is measured alone)
with a seeded fault plan hitting ``--fault-share`` of all calls (HTML 503 pages, connection resets,
truncated JSON, 429s with Retry-After, and extra latency). The client is the harness's own
:class:`~conformance.harness.client.GatewayClient` (retries, backoff, body and time caps, redaction).
``--tasks`` workers each loop create → poll to a terminal status until ``--seconds`` of wall time pass.

Every create carries a unique ``external_task_id``; at the end the emulator reports the tasks it
created, so the figures are counted on both sides:

* lost results: tasks whose id the client learned but never saw reach a terminal status;
* duplicated creations: emulator tasks sharing one ``external_task_id`` (a retried create that had
  already taken effect);
* orphaned by a fault: creates the emulator performed whose answer a fault destroyed (the client could
  not know the id; counted, not hidden);
* client memory: resident set sampled every second (first vs last quarter of the run).

Prints the figures and one JSON line (``LOAD {...}``) for scripts and tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KEY = "bench-load-key-3b7e"
FAMILIES = ("text2video", "image2video", "generations")
TERMINAL = ("succeed", "failed")


def fault_plan(share: float) -> str:
    """A plan whose kinds together hit ``share`` of all calls (latency rides on top of them)."""
    kinds = ("html503", "reset", "truncated", "rate-limit", "not-json")
    each = share / len(kinds)
    plan = [f"{kind}={each:.4f}" for kind in kinds]
    plan[3] += ":1"  # 429 with Retry-After: 1
    return ",".join([*plan, f"latency={share:.4f}:30ms"])


def _serve(conn: Any, faults: str, time_scale: float, seed: int) -> None:
    """Child process: serve every built-in profile until told to stop, then report the created tasks."""
    from conformance.emulator import EmulatorConfig, FaultPlan, start_emulator
    from conformance.emulator.coverage import emulable_builtin_ids
    from conformance.profiles import load_profile

    profiles = [load_profile(gid) for gid in emulable_builtin_ids()]  # the gateways the emulator can be
    config = EmulatorConfig(
        keys=(KEY,), time_scale=time_scale, seed=seed, faults=FaultPlan.parse(faults), max_tasks=1_000_000
    )
    with start_emulator(profiles, config) as running:
        conn.send(running.url)
        conn.recv()  # stop
        store = running.app.state.emulator.store  # type: ignore[attr-defined]
        created: dict[str, list[str | None]] = {}
        for profile in profiles:
            created[profile.id] = [task.external_task_id for task in store.of_gateway(profile.id)]
        conn.send({"created": created, "evicted": store.evicted})


@dataclass(slots=True)
class Tally:
    """Client-side counts."""

    creates: int = 0
    created_with_id: int = 0
    terminal: int = 0
    lost: list[str] = field(default_factory=list)
    create_failed: Counter[str] = field(default_factory=Counter)
    polls: int = 0
    poll_faults: int = 0
    per_gateway: Counter[str] = field(default_factory=Counter)
    external_ids: set[str] = field(default_factory=set)
    task_seconds: list[float] = field(default_factory=list)


def _targets() -> list[tuple[Any, str, str, Any]]:
    """(profile, create path, query path template, minimal body) for one family per built-in profile.

    Profiles whose engine refuses every official body (recorded through the engines: new-api routes on
    ``model``, one-hub has no Kling provider; ``[emulator] requires_model_field`` / ``submit_error``)
    create no task, so they are left out of the load."""
    from conformance.emulator.coverage import served_by_default
    from conformance.harness.scenarios import build_catalog
    from conformance.profiles import load_builtin_profiles

    out = []
    for profile in load_builtin_profiles().values():
        if not served_by_default(profile):  # documented-only gateways are served only when named
            continue
        if profile.family == "kling-v3":  # the 3.x contract takes 3.x bodies (through its writing), not /v1 ones
            continue
        knobs = profile.extra.get("emulator", {}) if isinstance(profile.extra, dict) else {}
        if knobs.get("submit_error") or knobs.get("requires_model_field"):
            continue
        catalog = {s.id: s for s in build_catalog(profile, run_token="load")}
        for family in FAMILIES:
            scenario = catalog.get(f"{family}.create.minimal")
            get_op = profile.operation(f"{family}.get")
            if scenario is None or scenario.skipped_reason or get_op is None or not get_op.supported:
                continue
            spec = scenario.requests[0]
            out.append((profile, spec.path, get_op.path, spec.body))
            break
    return out


async def _drive(
    url: str, tasks: int, seconds: float, poll_interval: float, task_deadline: float, tally: Tally
) -> None:
    import httpx

    from conformance.harness.client import GatewayClient, HttpLimits
    from conformance.harness.clock import RealClock
    from conformance.models import Evidence, EvidenceKind
    from conformance.normalize import normalize

    limits = HttpLimits(
        max_body_bytes=1024 * 1024,
        read_seconds=10.0,
        max_retries=4,
        backoff_base=0.05,
        backoff_cap=0.5,
        retry_after_cap=1.0,
        per_gateway_concurrency=64,
        global_concurrency=256,
    )
    targets = _targets()
    evidence = Evidence(kind=EvidenceKind.EMULATOR, source="bench_load")
    clock = RealClock()
    global_slots = asyncio.Semaphore(limits.global_concurrency)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(limits.read_seconds),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=256),
        trust_env=False,
    ) as http:
        clients = [
            (
                profile,
                create_path,
                query_path,
                body,
                GatewayClient(
                    gateway=profile.id,
                    base_url=f"{url}/{profile.id}",
                    http=http,
                    clock=clock,
                    key=KEY,
                    limits=limits,
                    global_slots=global_slots,
                    rng=random.Random(index),
                ),
            )
            for index, (profile, create_path, query_path, body) in enumerate(targets)
        ]
        end = time.monotonic() + seconds

        async def worker(number: int) -> None:
            profile, create_path, query_path, body, client = clients[number % len(clients)]
            serial = 0
            while time.monotonic() < end:
                serial += 1
                external = f"load-{number}-{serial}"
                request = dict(body or {}, external_task_id=external)
                tally.creates += 1
                tally.external_ids.add(external)
                started = time.monotonic()
                sent = await client.send(
                    scenario="load",
                    operation_id="create",
                    ref=external,
                    evidence=evidence,
                    method="POST",
                    url=client.url_for(create_path),
                    body=request,
                )
                ex = sent.exchange
                norm = normalize(
                    ex.response.body if ex.response else b"",
                    status_code=ex.response.status_code if ex.response else None,
                    profile=profile,
                )
                if not norm.task_id or norm.is_error:
                    tally.create_failed[ex.error.split(":")[0] if ex.error else str(norm.shape.value)] += 1
                    await asyncio.sleep(poll_interval)
                    continue
                tally.created_with_id += 1
                tally.per_gateway[profile.id] += 1
                deadline = time.monotonic() + task_deadline
                while True:
                    await asyncio.sleep(poll_interval)
                    polled = await client.send(
                        scenario="load",
                        operation_id="get",
                        ref=external,
                        evidence=evidence,
                        method="GET",
                        url=client.url_for(query_path.replace("{task_id}", norm.task_id)),
                    )
                    tally.polls += 1
                    resp = polled.exchange.response
                    state = normalize(
                        resp.body if resp else b"", status_code=resp.status_code if resp else None, profile=profile
                    )
                    if state.status is not None and state.status.value in TERMINAL:
                        tally.terminal += 1
                        tally.task_seconds.append(time.monotonic() - started)
                        break
                    if state.status is None or state.is_error:
                        tally.poll_faults += 1
                    if time.monotonic() > deadline:
                        last = (
                            f"HTTP {resp.status_code} {state.shape.value} {state.raw_status}"
                            if resp
                            else str(polled.exchange.error)
                        )
                        tally.lost.append(
                            f"{profile.id}:{norm.task_id} (create: {norm.shape.value}, last poll: {last})"
                        )
                        break

        await asyncio.gather(*(worker(n) for n in range(tasks)))


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _sample(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(_rss_mb())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def run_load(
    tasks: int = 200, seconds: float = 60.0, fault_share: float = 0.10, time_scale: float = 0.002, seed: int = 11
) -> dict[str, Any]:
    """Run the load and return the figures (see the module docstring)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    faults = fault_plan(fault_share)
    server = ctx.Process(target=_serve, args=(child, faults, time_scale, seed), daemon=True)
    server.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("emulator process did not start")
        url = parent.recv()
        tally = Tally()
        samples: list[float] = []
        poll_interval = max(0.01, 3.0 * time_scale)
        task_deadline = max(60.0, 900.0 * time_scale)  # a task is lost only if still unseen after this

        async def main() -> None:
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample(samples, stop))
            await _drive(url, tasks, seconds, poll_interval, task_deadline, tally)
            stop.set()
            await sampler

        started = time.monotonic()
        asyncio.run(main())
        wall = time.monotonic() - started
        parent.send("stop")
        server_side: dict[str, Any] = parent.recv() if parent.poll(60) else {"created": {}, "evicted": -1}
    finally:
        server.join(15)
        if server.is_alive():
            server.kill()
    created: dict[str, list[str | None]] = server_side["created"]
    ids = Counter(ext for per in created.values() for ext in per if ext)
    ours = {ext: n for ext, n in ids.items() if ext in tally.external_ids}
    quarter = max(1, len(samples) // 4)
    return {
        "tasks": tasks,
        "seconds": round(wall, 1),
        "fault_share": fault_share,
        "faults": faults,
        "time_scale": time_scale,
        "creates_sent": tally.creates,
        "creates_with_id": tally.created_with_id,
        "create_answers_broken": dict(tally.create_failed),
        "results_terminal": tally.terminal,
        "lost_results": len(tally.lost),
        "lost_examples": tally.lost[:5],
        "emulator_tasks": sum(len(v) for v in created.values()),
        "emulator_tasks_without_external_id": sum(1 for v in created.values() for ext in v if not ext),
        "duplicated_creations": sum(n - 1 for n in ours.values() if n > 1),
        "orphaned_by_fault": sum(1 for ext in ours if ext) - tally.created_with_id,
        "emulator_evicted": server_side["evicted"],
        "polls": tally.polls,
        "polls_faulted": tally.poll_faults,
        "tasks_per_second": round(tally.terminal / wall, 1) if wall else 0.0,
        "task_seconds_p50": round(statistics.median(tally.task_seconds), 3) if tally.task_seconds else None,
        "rss_mb_first_quarter": round(statistics.mean(samples[:quarter]), 1) if samples else None,
        "rss_mb_last_quarter": round(statistics.mean(samples[-quarter:]), 1) if samples else None,
        "rss_mb_max": round(max(samples), 1) if samples else None,
        "gateways": dict(tally.per_gateway),
        "gateway_targets": len(_targets()),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fault-share", type=float, default=0.10)
    parser.add_argument("--time-scale", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--json-out", help="Also write the figures to this JSON file (e.g. benchmarks/results/load.json)."
    )
    args = parser.parse_args(argv)
    figures = run_load(args.tasks, args.seconds, args.fault_share, args.time_scale, args.seed)
    if args.json_out:
        import datetime as dt
        from pathlib import Path

        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        stamped = dict(figures, measured_on=dt.date.today().isoformat(), cpus=os.cpu_count())
        out.write_text(json.dumps(stamped, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for key, value in figures.items():
        print(f"{key:>36}: {value}")
    growth = (figures["rss_mb_last_quarter"] or 0) - (figures["rss_mb_first_quarter"] or 0)
    print(f"{'client RSS growth first->last quarter':>36}: {growth:+.1f} MB")
    print("LOAD " + json.dumps(figures, sort_keys=True))
    return 0 if figures["lost_results"] == 0 and figures["duplicated_creations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
