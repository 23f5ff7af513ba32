#!/usr/bin/env python
"""Result media probing: bytes read per probed video vs the file's size, and the cost of a probe per result.

    python benchmarks/bench_media.py [ROUNDS]

Serves emulator-made MP4s (``conformance.emulator.media``, padded with a ``free`` box to real-world
sizes) and one JSON task body from a Starlette app on loopback (uvicorn in a thread), and probes them
through the harness's real path: ``GatewayClient.send`` (purpose ``result-fetch``, the address guard,
the per-request cap) and ``media_probe.probe_media`` (FFmpeg via PyAV on ``ftyp`` + ``moov`` only).

Reports per file: size, bytes the probe read, the bytes the server application handed to its socket
(``written``: a server ignoring Range hands over the whole file; the client stops reading at the cap
and closes the connection), requests; and per probe, the median wall time as a ratio to two
references taken in the same run through the same client: one full GET of the file, one JSON poll.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.emulator.media import VideoSpec, mp4_bytes, ranged_response  # noqa: E402
from conformance.emulator.server import bind_socket  # noqa: E402
from conformance.harness.client import GatewayClient, HttpLimits  # noqa: E402
from conformance.harness.clock import RealClock  # noqa: E402
from conformance.harness.media_fetch import read_of  # noqa: E402
from conformance.harness.media_probe import Read, probe_media  # noqa: E402
from conformance.models import Evidence, EvidenceKind  # noqa: E402

EVIDENCE = Evidence(kind=EvidenceKind.EMULATOR, source="bench")
MB = 1024 * 1024
FILES: dict[str, tuple[VideoSpec, bool]] = {
    "720p 5 s, faststart, 3.5 MB": (VideoSpec(1280, 720, 5, padding=int(3.5 * MB)), True),
    "1080p 10 s + audio, faststart, 12 MB": (VideoSpec(1920, 1080, 10, True, padding=12 * MB), True),
    "1080p 10 s, moov at the end, 12 MB": (VideoSpec(1920, 1080, 10, moov_last=True, padding=12 * MB), True),
    "1080p 10 s, faststart, 12 MB, server ignores Range": (VideoSpec(1920, 1080, 10, padding=12 * MB), False),
}
POLL_BODY = (
    b'{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"1","task_status":"succeed",'
    b'"task_result":{"videos":[{"id":"v","url":"http://x/0.mp4","duration":"5.1"}]}}}'
)
_NAME = re.compile(r"^/f/(\d+)\.mp4$")


class Counter:
    """Bytes the server wrote per path (ASGI ``http.response.body`` messages)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")

        async def counting(message: Any) -> None:
            if message["type"] == "http.response.body":
                self.sent[path] = self.sent.get(path, 0) + len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting)


def build_app(files: list[tuple[bytes, bool]]) -> Counter:
    async def media(request: Request) -> Response:
        index = int(request.path_params["n"])
        data, ranges = files[index]
        if ranges:
            return ranged_response(request, data, "video/mp4")
        return Response(data, 200, media_type="video/mp4")

    async def poll(request: Request) -> Response:
        return Response(POLL_BODY, media_type="application/json")

    return Counter(Starlette(routes=[Route("/f/{n}.mp4", media), Route("/poll", poll)]))


def serve(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = bind_socket("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    return url, server, thread


async def bench(url: str, counter: Counter, sizes: list[int], rounds: int) -> list[dict[str, Any]]:
    limits = HttpLimits(max_body_bytes=32 * MB)
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        client = GatewayClient(gateway="bench", base_url=url, http=http, clock=RealClock(), key=None, limits=limits)

        async def get(target: str, headers: tuple[tuple[str, str], ...] = (), cap: int | None = None) -> Read:
            attempted = await client.send(
                scenario="bench",
                operation_id="text2video.get",
                ref="bench",
                evidence=EVIDENCE,
                method="GET",
                url=target,
                headers=headers,
                auth="none",
                meta={"purpose": "result-fetch"},
                max_bytes=cap,
            )
            return read_of(attempted.exchange)

        async def timed(make: Any) -> float:
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                await make()
                times.append(time.perf_counter() - started)
            return statistics.median(times)

        await probe_media(_fetcher(get, f"{url}/f/0.mp4"))  # warm-up: FFmpeg loaded, connection open
        poll_s = await timed(lambda: get(f"{url}/poll"))
        rows = []
        for index, (name, size) in enumerate(zip(FILES, sizes, strict=True)):
            target = f"{url}/f/{index}.mp4"
            counter.sent.clear()
            facts = await probe_media(_fetcher(get, target))
            await asyncio.sleep(0.05)  # let the server finish writing what it had queued
            written = counter.sent.get(f"/f/{index}.mp4", 0)
            probe_s = await timed(lambda t=target: probe_media(_fetcher(get, t)))
            full_s = await timed(lambda t=target: get(t))
            rows.append(
                {
                    "file": name,
                    "size": size,
                    "read": facts["bytes_read"],
                    "written": written,
                    "requests": facts["requests"],
                    "error": facts["error"],
                    "probe_ms": probe_s * 1000,
                    "vs_full_get": probe_s / full_s,
                    "vs_poll": probe_s / poll_s,
                }
            )
        return rows


def _fetcher(get: Any, target: str) -> Any:
    async def fetch(start: int, end: int, cap: int) -> Read:
        return await get(target, (("Range", f"bytes={start}-{end}"),), cap)  # type: ignore[no-any-return]

    return fetch


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    files = [(mp4_bytes(spec), ranges) for spec, ranges in FILES.values()]
    counter = build_app(files)
    url, server, thread = serve(counter)
    try:
        rows = asyncio.run(bench(url, counter, [len(d) for d, _ in files], rounds))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(f"media probe, median of {rounds} rounds, loopback uvicorn, GatewayClient + PyAV")
    head = ("file", "size", "read", "share", "written", "req", "ms", "÷GET", "÷poll")
    print("{:52} {:>10} {:>8} {:>7} {:>10} {:>3} {:>7} {:>6} {:>6}".format(*head))
    for row in rows:
        share = row["read"] / row["size"]
        print(
            f"{row['file']:52} {row['size']:>10} {row['read']:>8} {share:>7.2%} {row['written']:>10} "
            f"{row['requests']:>3} {row['probe_ms']:>7.1f} {row['vs_full_get']:>6.2f} {row['vs_poll']:>6.1f}"
        )
        if row["error"]:
            print(f"    finding: {row['error']}")


if __name__ == "__main__":
    main()
