"""Emulator throughput and latency against a minimal Starlette app, same machine, same run.

Each server runs in its own process pinned to one core (``taskset``-style affinity, core 1 when the
machine has two); the client is a sequential ``httpx.Client`` on the other core. Every round does
``--tasks`` create+query pairs (POST create, then GET of the returned id) and the rounds alternate
A/B/A/B so that host noise hits both sides alike. Prints tasks/s, requests/s, p50/p99 latency per
request, and the emulator/baseline ratio (target: >= 0.5).

    python benchmarks/bench_emulator.py [--tasks 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

KEY = "bench-key"
BODY = {"model_name": "kling-v1", "image": "https://cdn.example.com/a.jpg", "prompt": "walk", "duration": "5"}
CREATE = "/v1/videos/image2video"


def _serve(kind: str) -> None:
    """Child process: serve ``kind`` on a free loopback port and print the port."""
    import uvicorn

    from conformance.emulator import EmulatorConfig
    from conformance.emulator.server import bind_socket, uvicorn_server

    sock = bind_socket("127.0.0.1", 0)
    if kind == "emulator":
        from conformance.profiles import load_profile

        server = uvicorn_server([load_profile("kling-official")], EmulatorConfig(keys=(KEY,)))
    else:
        server = uvicorn.Server(
            uvicorn.Config(
                _baseline_app(),
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
            )
        )
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])


def _baseline_app() -> Starlette:
    """The reference: fixed bodies of the same shape and size as the emulator's, no logic at all."""
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    created = (
        b'{"code":0,"message":"SUCCEED","request_id":"c0656403-9b7e-4ad0-9a8e-4d32f8f7d2a1","data":{'
        b'"task_id":"867283741759111202","task_status":"submitted","task_info":{},'
        b'"created_at":1795352686919,"updated_at":1795352686919}}'
    )
    queried = created.replace(b"submitted", b"processing")

    async def create(request: Request) -> Response:
        await request.body()
        return Response(created, media_type="application/json")

    async def query(request: Request) -> Response:
        return Response(queried, media_type="application/json")

    prefix = "/kling-official" + CREATE
    return Starlette(routes=[Route(prefix, create, methods=["POST"]), Route(prefix + "/{task_id}", query)])


@dataclass
class Round:
    """One timed round."""

    kind: str
    seconds: float
    latencies: list[float]


def _start(kind: str, core: int | None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind], stdout=subprocess.PIPE, text=True)
    if core is not None:
        os.sched_setaffinity(process.pid, {core})
    assert process.stdout is not None
    port = int(process.stdout.readline())
    url = f"http://127.0.0.1:{port}/kling-official{CREATE}"
    for _ in range(200):
        try:
            httpx.get(url + "/0", trust_env=False)
            break
        except httpx.TransportError:
            time.sleep(0.02)
    return process, url


def _round(client: httpx.Client, kind: str, url: str, tasks: int) -> Round:
    latencies: list[float] = []
    clock = time.perf_counter
    started = clock()
    for _ in range(tasks):
        t0 = clock()
        created = client.post(url, json=BODY)
        t1 = clock()
        task_id = created.json()["data"]["task_id"]
        client.get(f"{url}/{task_id}").raise_for_status()
        t2 = clock()
        latencies.extend((t1 - t0, t2 - t1))
    return Round(kind, clock() - started, latencies)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=300, help="create+query pairs per round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per server (after one warm-up)")
    parser.add_argument("--serve", choices=("emulator", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve)
        return
    cores = sorted(os.sched_getaffinity(0))
    server_core = cores[-1] if len(cores) > 1 else None
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[0]})
    probe = min(_probe() for _ in range(5))
    servers = {kind: _start(kind, server_core) for kind in ("baseline", "emulator")}
    results: dict[str, list[Round]] = {"baseline": [], "emulator": []}
    try:
        with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}, trust_env=False) as client:
            for kind, (_, url) in servers.items():
                _round(client, kind, url, 50)  # warm-up
            for _ in range(args.rounds):
                for kind, (_, url) in servers.items():
                    results[kind].append(_round(client, kind, url, args.tasks))
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)
    print(
        f"calibration probe sum(range(10000)): {probe * 1e6:.0f} us; server core {server_core}, client core "
        f"{cores[0]}; {args.rounds} rounds x {args.tasks} create+query pairs, interleaved"
    )
    rates: dict[str, float] = {}
    for kind, rounds in results.items():
        tasks_per_s = statistics.median(args.tasks / r.seconds for r in rounds)
        latencies = [lat for r in rounds for lat in r.latencies]
        rates[kind] = tasks_per_s
        print(
            f"{kind:9} {tasks_per_s:7.0f} tasks/s  {2 * tasks_per_s:7.0f} req/s  "
            f"p50 {_percentile(latencies, 0.5) * 1e3:.2f} ms  p99 {_percentile(latencies, 0.99) * 1e3:.2f} ms  "
            f"(rounds: {', '.join(f'{args.tasks / r.seconds:.0f}' for r in rounds)})"
        )
    print(f"emulator / baseline throughput: {rates['emulator'] / rates['baseline']:.2f} (target >= 0.50)")


def _probe() -> float:
    started = time.perf_counter()
    for _ in range(200):
        sum(range(10000))
    return (time.perf_counter() - started) / 200


if __name__ == "__main__":
    main()
