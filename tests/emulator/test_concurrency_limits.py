"""Concurrent use (no lost or duplicated tasks), rate and concurrency limits, media with Range."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib

import httpx
from emulator_support import AUTH, I2V, KEY, kling_like, newapi_like

from conformance.emulator import EmulatorConfig, start_emulator
from conformance.emulator.media import VideoSpec, mp4_bytes, png_bytes

CREATE = "/kling/v1/videos/image2video"


def test_200_concurrent_creates_lose_and_duplicate_nothing() -> None:
    async def main(base: str) -> tuple[list[str], list[int]]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(headers=AUTH, limits=limits, timeout=60, trust_env=False) as client:
            bodies = [{**I2V, "external_task_id": f"job-{n}"} for n in range(200)]
            created = await asyncio.gather(*(client.post(base, json=body) for body in bodies))
            ids = [r.json()["data"]["task_id"] for r in created]
            sample = ids[::10]  # the store is checked directly below; HTTP spot-checks a sample
            queried = await asyncio.gather(*(client.get(f"{base}/{task_id}") for task_id in sample))
            return ids, [r.status_code for r in queried]

    with start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), time_scale=0.001)) as emu:
        ids, statuses = asyncio.run(main(emu.base_url("kling-like") + CREATE))
        store = emu.app.state.emulator.store  # type: ignore[attr-defined]
        assert len(ids) == len(set(ids)) == 200
        assert statuses == [200] * 20
        assert len(store) == 200
        assert {t.task_id for t in store.of_gateway("kling-like")} == set(ids)
        externals = {t.external_task_id for t in store.of_gateway("kling-like")}
        assert externals == {f"job-{n}" for n in range(200)}


def test_rate_limit_answers_429_with_retry_after() -> None:
    with (
        start_emulator([kling_like(), newapi_like()], EmulatorConfig(keys=(KEY,), rate_limit=2, rate_burst=3)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        statuses = [client.post(emu.base_url("kling-like") + CREATE, json=I2V) for _ in range(5)]
        assert [r.status_code for r in statuses][:3] == [200, 200, 200]
        limited = statuses[-1]
        assert limited.status_code == 429 and limited.json()["code"] == 1302
        assert int(limited.headers["retry-after"]) >= 1
        for _ in range(3):
            last = client.post(emu.base_url("newapi-like") + CREATE, json=I2V)
        assert last.status_code in (200, 429)
        extra = client.post(emu.base_url("newapi-like") + CREATE, json=I2V)
        assert extra.status_code == 429 and extra.json()["message"] == "API request too fast"
        assert "retry-after" in extra.headers


def test_concurrency_limit_answers_1303_until_a_task_finishes() -> None:
    config = EmulatorConfig(
        keys=(KEY,), max_running_tasks=2, schedules={"kling-like": (("submitted", 0.0), ("succeed", 0.3))}
    )
    with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
        url = emu.base_url("kling-like") + CREATE
        assert [client.post(url, json=I2V).status_code for _ in range(2)] == [200, 200]
        full = client.post(url, json=I2V)
        assert full.status_code == 429 and full.json()["code"] == 1303
        assert full.json()["message"] == "parallel task over resource pack limit"
        assert full.headers["retry-after"] == "1"
        time.sleep(0.35)
        assert client.post(url, json=I2V).status_code == 200


def _boxes(data: bytes) -> list[bytes]:
    kinds, offset = [], 0
    while offset < len(data):
        size = struct.unpack(">I", data[offset : offset + 4])[0]
        kinds.append(data[offset + 4 : offset + 8])
        offset += size
    assert offset == len(data)
    return kinds


def test_generated_media_is_valid() -> None:
    video = mp4_bytes(VideoSpec(seconds=10))
    assert _boxes(video) == [b"ftyp", b"moov", b"mdat"]
    moov = video[video.index(b"moov") + 4 :]
    assert _boxes(moov[: struct.unpack(">I", video[video.index(b"moov") - 4 : video.index(b"moov")])[0] - 8]) == [
        b"mvhd",
        b"trak",
    ]
    mvhd = video.index(b"mvhd")
    timescale, duration = struct.unpack(">II", video[mvhd + 16 : mvhd + 24])
    assert duration / timescale == 10.0
    image = png_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    offset = 8
    while offset < len(image):
        length = struct.unpack(">I", image[offset : offset + 4])[0]
        chunk = image[offset + 4 : offset + 8 + length]
        assert struct.unpack(">I", image[offset + 8 + length : offset + 12 + length])[0] == zlib.crc32(chunk)
        offset += 12 + length
    assert offset == len(image)


def test_media_supports_range_and_only_exists_for_succeeded_tasks() -> None:
    config = EmulatorConfig(keys=(KEY,), schedules={"kling-like": (("submitted", 0.0), ("succeed", 0.05))})
    with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
        task_id = client.post(emu.base_url("kling-like") + CREATE, json=I2V).json()["data"]["task_id"]
        url = f"{emu.url}/_media/kling-like/{task_id}/0.mp4"
        assert client.get(url).status_code == 404  # not finished yet
        time.sleep(0.08)
        whole = client.get(url)
        assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
        assert whole.headers["accept-ranges"] == "bytes"
        part = client.get(url, headers={"Range": "bytes=4-11"})
        assert part.status_code == 206 and part.content == b"ftyp" + whole.content[8:12]
        assert part.headers["content-range"] == f"bytes 4-11/{len(whole.content)}"
        tail = client.get(url, headers={"Range": "bytes=-4"})
        assert tail.content == whole.content[-4:]
        beyond = client.get(url, headers={"Range": f"bytes={len(whole.content)}-"})
        assert beyond.status_code == 416
        assert client.get(f"{emu.url}/_media/kling-like/{task_id}/1.mp4").status_code == 404
        assert client.get(f"{emu.url}/_media/kling-like/000/0.mp4").status_code == 404
