"""Memory and time stay bounded: body-size and read-time caps cut hostile bodies, and both are configurable.

The emulator runs as a separate ``kling-conformance serve`` process here, so that the Python memory
measured (tracemalloc) and the resident set sampled (``/proc/self/statm``) are the client's alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from hardening_live import CANARY, TEST_LIMITS, LiveRun, base_url_run, emulator_run, free_port

CLI = [sys.executable, "-m", "conformance"]
GATEWAY = "kling-official"
FIFTY_MB = 50 * 1024 * 1024


def _cut(run: LiveRun) -> list[dict[str, object]]:
    """Exchange summaries (report.json) whose response the client cut short."""
    return [e for e in run.report.exchanges.values() if (e.get("response") or {}).get("truncated")]


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssSampler:
    """Samples this process's resident set every 20 ms in a thread; ``peak`` is the largest sample."""

    def __init__(self) -> None:
        self.peak = self.start = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_bytes())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _served(faults: str) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, KLING_CONFORMANCE_EMULATOR_KEYS=CANARY)
    command = [*CLI, "serve", "-g", GATEWAY, "--port", str(port), "--time-scale", "0.001", "--faults", faults]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"serve did not start ({command})")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/{GATEWAY}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def plain_server() -> Iterator[str]:
    """A served gateway without faults."""
    yield from _served("latency=0:1ms")


@pytest.fixture
def fat_server() -> Iterator[str]:
    """A served gateway answering every 10th request with a 50 MB JSON body."""
    yield from _served("big-body=%10:50MB")


def _measured(base_url: str, workdir: Path) -> tuple[LiveRun, int, int]:
    tracemalloc.start()
    try:
        with RssSampler() as rss:
            run = base_url_run(GATEWAY, base_url, workdir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return run, peak, rss.peak - rss.start


@pytest.mark.slow
def test_50mb_bodies_are_cut_at_the_cap_and_memory_stays_bounded(
    plain_server: str, fat_server: str, tmp_path: Path
) -> None:
    """Several 50 MB bodies cost the client about what a clean run costs, not 50 MB each."""
    clean, clean_peak, _ = _measured(plain_server, tmp_path / "clean")
    fat, fat_peak, rss_growth = _measured(fat_server, tmp_path / "fat")
    cut = _cut(fat)
    assert cut, "no exchange was cut at the body cap"
    assert any(re.search(r"(body|size) cap", f) for f in fat.findings(GATEWAY)), "no finding names the body cap"
    assert not _cut(clean)
    extra = fat_peak - clean_peak
    cap = TEST_LIMITS.max_body_bytes
    assert extra < FIFTY_MB, f"Python peak grew by {extra / 2**20:.1f} MB over a clean run"
    assert extra < 40 * cap, f"Python peak grew by {extra / 2**20:.1f} MB with a {cap / 2**20:.0f} MB cap"
    assert rss_growth < 2 * FIFTY_MB, f"resident set grew by {rss_growth / 2**20:.0f} MB"


def test_body_and_time_caps_are_configurable(tmp_path: Path) -> None:
    """The same answers are cut or kept depending on ``max_body_bytes`` and ``read_seconds`` alone."""
    faults = f"big-body@{GATEWAY}=#2:200KB,slow-drip@{GATEWAY}=#3:1.5s"
    tight = replace(TEST_LIMITS, max_body_bytes=64 * 1024, read_seconds=0.5)
    loose = replace(TEST_LIMITS, max_body_bytes=1024 * 1024, read_seconds=5.0)
    cut_run = emulator_run([GATEWAY], tmp_path / "tight", faults, limits=tight)
    kept_run = emulator_run([GATEWAY], tmp_path / "loose", faults, limits=loose)
    cut_findings = " ".join(cut_run.findings(GATEWAY))
    assert len(_cut(cut_run)) >= 1
    assert re.search(r"(body|size) cap", cut_findings) and "time cap" in cut_findings, cut_findings[:500]
    assert not _cut(kept_run)
    assert not any(re.search(r"truncated|cap", f) for f in kept_run.findings(GATEWAY))


@pytest.mark.parametrize("cap", ["read", "stored"])
def test_per_run_byte_caps_cut_bodies_with_a_clear_note(cap: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Across the whole run (every response, every gateway), bytes read and body bytes kept stop at the
    run's caps; the bodies past the cap are cut and their findings say it was the run cap."""
    import asyncio

    from lax_gateway import lax_gateway

    from conformance.harness.options import RunOptions
    from conformance.harness.runner import RunState, execute_run

    monkeypatch.setenv("KLING_API_KEY", "kc-caps-test-key-0000")
    limit = 300_000
    limits = replace(
        TEST_LIMITS, **({"max_run_read_bytes": limit} if cap == "read" else {"max_run_stored_bytes": limit})
    )
    state = RunState()
    with lax_gateway("accept") as gw:
        gw.pad = 40_000  # every answer is ~40 KB: the run needs far more than the cap
        options = RunOptions(
            gateways=["kling-official"],
            mode="live",
            base_url=gw.url,
            max_paid_tasks=5,
            poll_interval=0.01,
            task_deadline=5.0,
            write_report=False,
            fetch_results=False,
            limits=limits,
            quiet=True,
        )
        report = asyncio.run(execute_run(options, state=state))
    meter = state.meter
    assert len(gw.requests) * 40_000 > 3 * limit, "the run never needed more than the cap: vacuous"
    if cap == "read":
        assert meter.read <= limit
        assert meter.read_cut > 0
    else:
        assert meter.stored <= limit and meter.store_cut > 0
    notes = [
        str(ex.meta.get("body_note", ""))
        for traces in state.traces.values()
        for trace in traces.values()
        for ex in trace.exchanges
    ]
    assert any(n.startswith("run cap:") for n in notes), notes[:5]
    assert any("run cap:" in r.message for r in report.results), "no finding names the run cap"
