"""The replay transport: O(1) index, repeated polls in recorded order, misses named, no real sleeps."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
import vcr

from conformance.harness.cassette import Cassette, Interaction, load_cassette, parse_cassette
from conformance.harness.replay import SCENARIO_EXTENSION, ReplayIndex, ReplayMiss, ReplayTransport
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse

BASE = "http://recorded.invalid/gw"


def _poll(status: str) -> Interaction:
    body = f'{{"code":0,"data":{{"task_id":"1","task_status":"{status}"}}}}'.encode()
    return Interaction(
        request=RecordedRequest(method="GET", url=f"{BASE}/kling/v1/videos/image2video/1"),
        response=RecordedResponse(status_code=200, headers=(("Content-Type", "application/json"),), body=body),
        purpose="poll",
    )


def _cassette(*items: Interaction, scenario: str = "image2video.create.minimal") -> Cassette:
    return Cassette(
        gateway="gw",
        scenario=scenario,
        operation="image2video.create",
        evidence=Evidence(kind=EvidenceKind.EMULATOR, source="test"),
        base_url=BASE,
        interactions=list(items),
    )


async def _get(client: httpx.AsyncClient, url: str, scenario: str = "image2video.create.minimal") -> httpx.Response:
    return await client.get(url, extensions={SCENARIO_EXTENSION: scenario})


def test_repeated_identical_polls_replay_in_recorded_order() -> None:
    index = ReplayIndex([_cassette(_poll("submitted"), _poll("processing"), _poll("succeed"))])

    async def main() -> list[str]:
        # replayed against another base URL than the one recorded: keys are relative to the base
        async with httpx.AsyncClient(transport=ReplayTransport(index, "https://other.example")) as client:
            out = []
            for _ in range(3):
                resp = await _get(client, "https://other.example/kling/v1/videos/image2video/1")
                out.append(resp.json()["data"]["task_status"])
            return out

    assert asyncio.run(main()) == ["submitted", "processing", "succeed"]


def test_miss_names_the_nearest_recorded_request() -> None:
    index = ReplayIndex([_cassette(_poll("submitted"))])

    async def main() -> None:
        async with httpx.AsyncClient(transport=ReplayTransport(index, BASE)) as client:
            await _get(client, f"{BASE}/kling/v1/videos/image2video/2")

    with pytest.raises(ReplayMiss) as info:
        asyncio.run(main())
    assert "nearest recorded request: GET /kling/v1/videos/image2video/1" in str(info.value)


def test_exhausted_queue_is_a_miss_not_a_repeat() -> None:
    index = ReplayIndex([_cassette(_poll("succeed"))])

    async def main() -> None:
        async with httpx.AsyncClient(transport=ReplayTransport(index, BASE)) as client:
            await _get(client, f"{BASE}/kling/v1/videos/image2video/1")
            await _get(client, f"{BASE}/kling/v1/videos/image2video/1")

    with pytest.raises(ReplayMiss, match="already used"):
        asyncio.run(main())


def test_scenarios_never_share_recordings() -> None:
    index = ReplayIndex([_cassette(_poll("succeed"), scenario="a"), _cassette(_poll("failed"), scenario="b")])

    async def main() -> tuple[str, str]:
        async with httpx.AsyncClient(transport=ReplayTransport(index, BASE)) as client:
            b = await _get(client, f"{BASE}/kling/v1/videos/image2video/1", "b")
            a = await _get(client, f"{BASE}/kling/v1/videos/image2video/1", "a")
            return a.json()["data"]["task_status"], b.json()["data"]["task_status"]

    assert asyncio.run(main()) == ("succeed", "failed")


def test_vcrpy_reads_our_cassettes(tmp_path: Path) -> None:
    path = tmp_path / "gw" / "image2video.create.minimal.yaml"
    _cassette(_poll("submitted"), _poll("succeed")).write(path)
    with vcr.use_cassette(str(path), record_mode="none") as cassette:
        assert len(cassette) == 2
        with httpx.Client() as client:
            resp = client.get(f"{BASE}/kling/v1/videos/image2video/1")
    assert resp.json()["data"]["task_status"] == "submitted"


def test_bundled_cassettes_load_and_vcrpy_reads_one() -> None:
    from conformance.paths import cassettes_dir

    files = sorted(cassettes_dir().rglob("*.yaml"))
    assert files, "bundled cassettes are missing"
    sample = next(p for p in files if p.name == "image2video.create.minimal.yaml")
    assert load_cassette(sample).interactions
    with vcr.use_cassette(str(sample), record_mode="none") as cassette:
        assert len(cassette) == len(load_cassette(sample).interactions)


def test_newer_cassette_format_is_a_usage_error() -> None:
    from conformance.errors import CassetteError

    text = "kling_conformance: {format: 99}\ninteractions: []\nversion: 1\n"
    with pytest.raises(CassetteError, match="newer"):
        parse_cassette(text, where="x.yaml")


def test_full_replay_never_sleeps(tmp_path: Path) -> None:
    """A default replay of one gateway: virtual poll intervals add up to minutes, wall time stays small."""
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import RunState, execute_run

    state = RunState()
    started = time.perf_counter()
    report = asyncio.run(execute_run(RunOptions(gateways=["kling-official"], write_report=False), state=state))
    elapsed = time.perf_counter() - started
    polls = sum(
        1 for t in state.traces["kling-official"].values() for e in t.exchanges if e.meta.get("purpose") == "poll"
    )
    assert polls >= 10  # at 10 s per poll interval a sleeping replay would take minutes
    assert elapsed < 30
    assert report.results
