"""Result media: real files FFmpeg decodes (PyAV), matching the request, and a profile's departures."""

from __future__ import annotations

import io
import struct

import av
import httpx
import pytest
from emulator_support import poll

from conformance.emulator import RunningEmulator
from conformance.emulator.media import FPS, VideoSpec, mp4_bytes, png_bytes
from conformance.emulator.media_plan import plan_media
from conformance.profiles import load_profile, profile_from_data
from conformance.spec.media import image_size, video_size


def _decode(data: bytes) -> tuple[int, int, int, int, float, set[int]]:
    """(width, height, video frames, audio samples, duration, luma values of the first frame)."""
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        frames = 0
        luma: set[int] = set()
        for frame in container.decode(video=0):
            if not frames:
                plane = frame.planes[0]
                rows = bytes(plane)
                luma = {
                    b
                    for y in range(0, frame.height, 97)
                    for b in rows[y * plane.line_size : y * plane.line_size + frame.width]
                }
            frames += 1
        duration = (container.duration or 0) / 1_000_000
        width, height = video.codec_context.width, video.codec_context.height
    samples = 0
    with av.open(io.BytesIO(data)) as container:
        if container.streams.audio:
            samples = sum(frame.samples for frame in container.decode(audio=0))
    return width, height, frames, samples, duration, luma


@pytest.mark.parametrize(
    ("spec", "audio"),
    [
        (VideoSpec(1280, 720, 5, False), False),
        (VideoSpec(1080, 1920, 10, True), True),
        (VideoSpec(720, 720, 5, True, moov_last=True), True),
    ],
)
def test_videos_decode_to_the_asked_size_length_and_tracks(spec: VideoSpec, audio: bool) -> None:
    width, height, frames, samples, duration, luma = _decode(mp4_bytes(spec))
    assert (width, height, frames) == (spec.width, spec.height, spec.seconds * FPS)
    assert luma == {128}  # flat grey: every macroblock was decoded, none left black
    assert abs(duration - spec.seconds) < 0.1
    assert (samples >= spec.seconds * 16000) is audio


def test_videos_are_small_cached_and_byte_stable() -> None:
    spec = VideoSpec(1920, 1080, 10, True)
    first = mp4_bytes(spec)
    assert mp4_bytes(spec) is first  # cached by parameters
    mp4_bytes.cache_clear()
    assert mp4_bytes(spec) == first  # the same bytes when built again (no encoder, no clock)
    assert len(first) < 20_000
    assert first.index(b"moov") < first.index(b"mdat")  # faststart


def test_hostile_knobs_change_only_what_they_say() -> None:
    plain = mp4_bytes(VideoSpec())
    lying = mp4_bytes(VideoSpec(declared_seconds=150000))
    mvhd = lying.index(b"mvhd")
    timescale, duration = struct.unpack(">II", lying[mvhd + 16 : mvhd + 24])
    assert duration / timescale == 150000 and len(lying) == len(plain)
    padded = mp4_bytes(VideoSpec(padding=1 << 20))
    assert len(padded) > 1 << 20 and padded.index(b"moov") < 200


def test_sizes_by_mode_and_aspect() -> None:
    assert video_size("16:9", "std") == (1280, 720)
    assert video_size("9:16", "pro") == (1080, 1920)
    assert video_size("1:1", "std") == (720, 720)
    assert image_size("9:16") == (576, 1024)
    assert image_size("4:3") == (1024, 768)


def test_png_has_the_asked_size() -> None:
    data = png_bytes(576, 1024)
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (576, 1024)
    with av.open(io.BytesIO(data)) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (576, 1024)


def test_the_plan_follows_the_request_and_the_profile() -> None:
    official = load_profile("kling-official")
    body = {"aspect_ratio": "9:16", "mode": "pro", "duration": "10", "sound": "on"}
    assert plan_media(official, body, image=False).video == VideoSpec(1080, 1920, 10, True)
    assert plan_media(official, {}, image=False).video == VideoSpec(1280, 720, 5, False)
    assert plan_media(official, {"aspect_ratio": "9:16", "n": 3}, image=True).count == 3
    for gateway in ("newapi", "bynewapi"):  # aspect_ratio and sound dropped; getAspectRatio -> 1:1
        assert plan_media(load_profile(gateway), body, image=False).video == VideoSpec(1080, 1080, 10, False)


def test_knobs_cap_duration_and_strip_audio() -> None:
    capped = profile_from_data(
        {"id": "capped", "extends": "kling-official", "emulator": {"media": {"max_seconds": 5, "audio": False}}},
        source="test",
    )
    plan = plan_media(capped, {"duration": "10", "sound": "on", "aspect_ratio": "1:1"}, image=False)
    assert plan.video == VideoSpec(720, 720, 5, False)


def _finished(client: httpx.Client, url: str) -> dict[str, object]:
    answers = poll(client, url, lambda r: "task_result" in r.text and "succeed" in r.text.lower())
    return answers[-1].json()


def test_the_route_serves_what_the_task_asked(emulator: RunningEmulator, client: httpx.Client) -> None:
    base = emulator.base_url("kling-official")
    body = {"model_name": "kling-v1", "prompt": "a cat", "aspect_ratio": "9:16", "mode": "pro", "duration": "10"}
    created = client.post(f"{base}/v1/videos/text2video", json={**body, "sound": "on"})
    if created.status_code != 200:  # the schema may tie sound to newer models: ask without it
        created = client.post(f"{base}/v1/videos/text2video", json=body)
    assert created.status_code == 200, created.text
    task_id = created.json()["data"]["task_id"]
    done = _finished(client, f"{base}/v1/videos/text2video/{task_id}")
    url = done["data"]["task_result"]["videos"][0]["url"]  # type: ignore[index]
    width, height, frames, *_ = _decode(client.get(url).content)
    assert (width, height, frames) == (1080, 1920, 240)

    created = client.post(
        f"{base}/v1/images/generations", json={"model_name": "kling-v1", "prompt": "a", "n": 2, "aspect_ratio": "9:16"}
    )
    assert created.status_code == 200, created.text
    task_id = created.json()["data"]["task_id"]
    done = _finished(client, f"{base}/v1/images/generations/{task_id}")
    images = done["data"]["task_result"]["images"]  # type: ignore[index]
    assert len(images) == 2
    for image in images:
        assert struct.unpack(">II", client.get(image["url"]).content[16:24]) == (576, 1024)


def test_newapi_serves_square_silent_videos(emulator: RunningEmulator, client: httpx.Client) -> None:
    base = emulator.base_url("newapi")
    body = {"model": "kling-v1", "prompt": "a cat", "aspect_ratio": "9:16", "sound": "on", "duration": "5"}
    created = client.post(f"{base}/kling/v1/videos/text2video", json=body)
    assert created.status_code == 200, created.text
    task_id = created.json()["task_id"]
    store = emulator.app.state.emulator.store  # type: ignore[attr-defined]
    task = store.get("newapi", task_id)
    assert task.media.video == VideoSpec(720, 720, 5, False)
