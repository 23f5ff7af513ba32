#!/usr/bin/env python
"""Replay throughput: plain vcrpy vs our indexed transport, same 1,000-interaction cassette, same process.

    python benchmarks/bench_replay.py [N] [--skip-vcrpy-default]

Every variant replays the same cassette (N/2 create+poll lifecycles, ~300-byte Kling bodies) in
recorded order and *validates* each body (orjson + a prebuilt jsonschema-rs validator), so the figure
is "validated interactions/s". Variants:

* vcrpy, default matchers (method, scheme, host, port, path, query): O(n) scan per request;
* vcrpy, ``match_on=("method", "uri")``;
* ours, ``ReplayTransport`` under ``httpx.AsyncClient`` (what third-party code sees);
* ours, the harness path (``GatewayClient.send``: redaction, exchange building, the same index looked up
  directly, without building an ``httpx.Request``).

Then the full bundled matrix: ``kling-conformance run`` (every built-in gateway, replay) in process,
and as a fresh process (start-up included). Prints a calibration probe first (perf-anchors §0).
``benchmarks/bench_default_run.py`` measures the default run's wall time and phases in more detail.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import httpx
import jsonschema_rs
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.harness.cassette import Cassette, Interaction, load_cassette  # noqa: E402
from conformance.harness.client import GatewayClient  # noqa: E402
from conformance.harness.clock import VirtualClock  # noqa: E402
from conformance.harness.replay import SCENARIO_EXTENSION, ReplayIndex, ReplayTransport  # noqa: E402
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse  # noqa: E402

BASE = "http://127.0.0.1:8123/kling-official"
SCENARIO = "bench.lifecycle"
ENVELOPE = {
    "type": "object",
    "required": ["code", "message", "request_id", "data"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "request_id": {"type": "string"},
        "data": {
            "type": "object",
            "required": ["task_id", "task_status", "created_at", "updated_at"],
            "properties": {
                "task_id": {"type": "string"},
                "task_status": {"enum": ["submitted", "processing", "succeed", "failed"]},
                "created_at": {"type": "integer"},
                "updated_at": {"type": "integer"},
            },
        },
    },
}
VALIDATOR = jsonschema_rs.validator_for(ENVELOPE)
EVIDENCE = Evidence(kind=EvidenceKind.EMULATOR, source="bench")


def build_cassette(n: int, path: Path) -> Cassette:
    """N/2 create+poll lifecycles, bodies shaped like the 293-byte Kling query body."""
    items = []
    for i in range(n // 2):
        task_id = f"{860000000000000000 + i}"
        create_body = orjson.dumps({"model_name": "kling-v1", "image": "https://example.com/a.png", "prompt": f"p{i}"})
        for method, url, body, status in (
            ("POST", f"{BASE}/v1/videos/image2video", create_body, "submitted"),
            ("GET", f"{BASE}/v1/videos/image2video/{task_id}", b"", "succeed"),
        ):
            data = {
                "task_id": task_id,
                "task_status": status,
                "task_status_msg": "",
                "task_info": {},
                "created_at": 1732268000000,
                "updated_at": 1732268060000,
            }
            resp = orjson.dumps({"code": 0, "message": "SUCCEED", "request_id": f"req-{i:08d}-0000-0000", "data": data})
            items.append(
                Interaction(
                    request=RecordedRequest(
                        method=method, url=url, headers=(("Content-Type", "application/json"),), body=body
                    ),
                    response=RecordedResponse(
                        status_code=200, headers=(("Content-Type", "application/json"),), body=resp
                    ),
                    purpose="create" if method == "POST" else "poll",
                )
            )
    cassette = Cassette(
        gateway="kling-official",
        scenario=SCENARIO,
        operation="image2video.create",
        evidence=EVIDENCE,
        base_url=BASE,
        interactions=items,
    )
    cassette.write(path)
    return cassette


def _validate(body: bytes) -> None:
    if not VALIDATOR.is_valid(orjson.loads(body)):
        raise AssertionError("invalid body")


def bench_vcrpy(path: Path, cassette: Cassette, match_on: tuple[str, ...] | None) -> float:
    import vcr

    kwargs = {"record_mode": "none"}
    if match_on:
        kwargs["match_on"] = match_on
    started = time.perf_counter()
    with vcr.use_cassette(str(path), **kwargs), httpx.Client() as client:
        for item in cassette.interactions:
            req = item.request
            resp = client.request(req.method, req.url, content=req.body or None, headers=dict(req.headers))
            _validate(resp.content)
    return len(cassette.interactions) / (time.perf_counter() - started)


def bench_load(path: Path) -> tuple[float, float]:
    """(seconds to load the cassette as we do: orjson; seconds for the same file through libyaml)."""
    import yaml

    started = time.perf_counter()
    load_cassette(path)
    json_s = time.perf_counter() - started
    started = time.perf_counter()
    yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # what vcrpy does
    return json_s, time.perf_counter() - started


def bench_transport(path: Path) -> float:
    cassette = load_cassette(path)
    started = time.perf_counter()
    index = ReplayIndex([cassette])

    async def main() -> None:
        async with httpx.AsyncClient(transport=ReplayTransport(index, BASE)) as client:
            for item in cassette.interactions:
                req = item.request
                resp = await client.request(
                    req.method, req.url, content=req.body or None, extensions={SCENARIO_EXTENSION: SCENARIO}
                )
                _validate(resp.content)

    asyncio.run(main())
    return len(cassette.interactions) / (time.perf_counter() - started)


def bench_harness(path: Path) -> float:
    cassette = load_cassette(path)
    started = time.perf_counter()
    index = ReplayIndex([cassette])

    async def main() -> None:
        transport = ReplayTransport(index, BASE)
        async with httpx.AsyncClient(transport=transport) as http:
            client = GatewayClient(
                gateway="kling-official", base_url=BASE, http=http, clock=VirtualClock(), key=None, direct=transport
            )
            for n, item in enumerate(cassette.interactions):
                req = item.request
                attempted = await client.send(
                    scenario=SCENARIO,
                    operation_id="image2video.create",
                    ref=f"b#{n}",
                    evidence=EVIDENCE,
                    method=req.method,
                    url=req.url,
                    raw_body=req.body or None,
                    meta={"purpose": item.purpose},
                )
                assert attempted.exchange.response is not None
                _validate(attempted.exchange.response.body)

    asyncio.run(main())
    return len(cassette.interactions) / (time.perf_counter() - started)


def bench_matrix() -> tuple[float, float]:
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import execute_run

    started = time.perf_counter()
    asyncio.run(execute_run(RunOptions(write_report=False)))
    in_process = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--quiet", "--reports-dir", tmp],
            capture_output=True,
            check=False,
            cwd=tmp,
        )
        cli = time.perf_counter() - started
    return in_process, cli


def main() -> None:
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "1000"))
    probe = min(timeit.repeat("sum(range(10000))", number=200, repeat=7)) / 200 * 1e6
    print(f"calibration probe: {probe:.0f} µs (quiet machine: 192-198 µs)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kling-official" / f"{SCENARIO}.yaml"
        cassette = build_cassette(n, path)
        print(f"cassette: {n} interactions, {path.stat().st_size / 1024:.0f} KiB")
        rows = []
        if "--skip-vcrpy-default" not in sys.argv:
            rows.append(("vcrpy, default matchers", bench_vcrpy(path, cassette, None)))
        rows.append(("vcrpy, match_on=(method, uri)", bench_vcrpy(path, cassette, ("method", "uri"))))
        ours_transport = statistics.median(bench_transport(path) for _ in range(3))
        ours_harness = statistics.median(bench_harness(path) for _ in range(3))
        rows.append(("ours, ReplayTransport via httpx.AsyncClient", ours_transport))
        rows.append(("ours, harness path GatewayClient.send", ours_harness))
        reference = rows[0][1]
        for name, rate in rows:
            print(f"  {name:<48} {rate:>9,.0f} validated int/s  ({rate / reference:6.1f}x {rows[0][0]})")
        json_s, yaml_s = bench_load(path)
        print(
            f"  load: ours (orjson, the file is JSON) {json_s * 1000:.0f} ms; the same file through libyaml "
            f"CSafeLoader {yaml_s * 1000:.0f} ms ({yaml_s / json_s:.0f}x; vcrpy times above include its YAML load)"
        )
        print(f"  ours incl. load: {n / (n / ours_harness + json_s):,.0f} validated int/s")
    in_process, cli = bench_matrix()
    print(
        f"full bundled matrix replay (8 gateways, every check): {in_process:.2f} s in process (no report), "
        f"{cli:.2f} s as `kling-conformance run` incl. start-up and report writing"
    )


if __name__ == "__main__":
    main()
