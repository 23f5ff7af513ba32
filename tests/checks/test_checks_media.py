"""result_media_matches_request: probed files vs the request (expected vs actual), hostile files as findings."""

from __future__ import annotations

import asyncio
from typing import Any

from factories import context, exchange, kling_envelope, kling_task, run_check, trace

from conformance.emulator.media import VideoSpec, mp4_bytes, png_bytes
from conformance.harness.media_probe import Read, probe_media
from conformance.models import Outcome

CHECK = "result_media_matches_request"


def _facts(data: bytes, index: int = 0) -> dict[str, Any]:
    async def fetch(start: int, end: int, cap: int) -> Read:
        part = data[start : end + 1]
        headers = {"content-type": "video/mp4", "content-range": f"bytes {start}-{start + len(part) - 1}/{len(data)}"}
        return Read(status=206, headers=headers, body=part)

    return {"index": index, **asyncio.run(probe_media(fetch))}


def _verdict(
    scenario: str, body: dict[str, Any], *files: bytes, urls: int | None = None, status: str = "succeed"
) -> Any:
    family = scenario.split(".")[0]
    media = {"urls": len(files) if urls is None else urls, "files": [_facts(f, i) for i, f in enumerate(files)]}
    created = exchange(kling_envelope(kling_task()), scenario=scenario, operation=f"{family}.create")
    one = trace(scenario, created, request_body=body, meta={"terminal_status": status, "media": media})
    (verdict,) = run_check(CHECK, context(one))
    return verdict


T2V = {"model_name": "kling-v1", "prompt": "a boat"}


def test_matching_media_pass() -> None:
    verdict = _verdict("text2video.create.minimal", T2V, mp4_bytes(VideoSpec(1280, 720, 5)))
    assert verdict.outcome is Outcome.PASS and "1280×720 h264, 5.0 s" in verdict.message
    sound = {**T2V, "mode": "pro", "sound": "on", "aspect_ratio": "9:16"}
    verdict = _verdict("text2video.create.param.sound", sound, mp4_bytes(VideoSpec(1080, 1920, 5, True)))
    assert verdict.outcome is Outcome.PASS and "audio aac" in verdict.message


def test_a_square_video_for_9_16_names_expected_and_actual() -> None:
    body = {**T2V, "aspect_ratio": "9:16"}
    verdict = _verdict("text2video.create.param.aspect_ratio", body, mp4_bytes(VideoSpec(720, 720, 5)))
    assert verdict.outcome is Outcome.FAIL
    assert "aspect ratio: asked 9:16, got 720×720 (1:1)" in verdict.message
    assert verdict.json_path == "$.aspect_ratio"


def test_resolution_duration_and_audio_are_judged() -> None:
    body = {**T2V, "mode": "pro", "duration": "10", "sound": "on"}
    verdict = _verdict("text2video.create.param.sound", body, mp4_bytes(VideoSpec(1280, 720, 5)))
    assert verdict.outcome is Outcome.FAIL
    for words in (
        "resolution: asked 1080p (pro), got 720p",
        "duration: asked 10 s, got 5 s",
        "audio: asked an audio track (sound: on), got no audio track",
    ):
        assert words in verdict.message


def test_image_count_and_aspect() -> None:
    body = {"model_name": "kling-v1", "prompt": "a", "aspect_ratio": "9:16", "n": 2}
    good = _verdict("generations.create.param.aspect_ratio", body, png_bytes(576, 1024), png_bytes(576, 1024))
    assert good.outcome is Outcome.PASS
    bad = _verdict("generations.create.param.aspect_ratio", body, png_bytes(1024, 1024))
    assert bad.outcome is Outcome.FAIL
    assert "image count: asked 2 image(s), got 1 image(s)" in bad.message
    assert "aspect ratio: asked 9:16, got 1024×1024 (1:1)" in bad.message


def test_where_the_input_decides_nothing_is_asked() -> None:
    body = {"model_name": "kling-v1", "image": "https://x/a.png", "prompt": "walk"}
    verdict = _verdict("image2video.create.minimal", body, mp4_bytes(VideoSpec(720, 720, 5)))
    assert verdict.outcome is Outcome.PASS


def test_hostile_files_are_findings() -> None:
    lying = _verdict("text2video.create.minimal", T2V, mp4_bytes(VideoSpec(declared_seconds=150000)))
    assert lying.outcome is Outcome.FAIL
    assert "header duration: asked 5 s (what the frames last), got 150000 s" in lying.message
    html = _verdict("text2video.create.minimal", T2V, b"<!doctype html><title>login</title>")
    assert html.outcome is Outcome.FAIL and "not a media file" in html.message
    cut = _verdict("text2video.create.minimal", T2V, mp4_bytes(VideoSpec())[:500])
    assert cut.outcome is Outcome.FAIL and "truncated" in cut.message


def test_no_probe_or_no_success_is_no_evidence() -> None:
    failed_task = _verdict("text2video.create.minimal", T2V, status="failed")
    assert failed_task.outcome is Outcome.SKIPPED and "did not succeed" in failed_task.message
    created = exchange(
        kling_envelope(kling_task()), scenario="text2video.create.minimal", operation="text2video.create"
    )
    old = trace("text2video.create.minimal", created, request_body=T2V, meta={"terminal_status": "succeed"})
    (verdict,) = run_check(CHECK, context(old))
    assert verdict.outcome is Outcome.SKIPPED and "not probed" in verdict.message


def test_a_fetch_that_got_no_response_is_no_evidence_not_a_finding() -> None:
    refused = {"index": 0, "status": None, "error": "address guard: 10.0.0.5 is a private address", "bytes_read": 0}
    created = exchange(
        kling_envelope(kling_task()), scenario="text2video.create.minimal", operation="text2video.create"
    )
    meta = {"terminal_status": "succeed", "media": {"urls": 1, "files": [refused]}}
    (verdict,) = run_check(CHECK, context(trace("text2video.create.minimal", created, request_body=T2V, meta=meta)))
    assert verdict.outcome is Outcome.SKIPPED and "address guard" in verdict.message


def test_a_field_the_request_mapping_does_not_send_is_not_judged() -> None:
    """A gateway dialect without ``sound`` (3.x) was never asked for audio."""
    from dataclasses import replace

    from factories import profile

    from conformance.profiles.model import RequestMapping

    base = profile()
    mapping = RequestMapping(rename={"prompt": "prompt", "mode": "settings.resolution"}, unmapped="drop")
    operations = {**base.operations}
    operations["text2video.create"] = replace(operations["text2video.create"], request=mapping)
    dialect = replace(base, operations=operations)
    body = {**T2V, "mode": "pro", "sound": "on"}
    media = {"urls": 1, "files": [_facts(mp4_bytes(VideoSpec(1920, 1080, 5)))]}
    created = exchange(
        kling_envelope(kling_task()), scenario="text2video.create.param.sound", operation="text2video.create"
    )
    one = trace(
        "text2video.create.param.sound", created, request_body=body, meta={"terminal_status": "succeed", "media": media}
    )
    (verdict,) = run_check(CHECK, context(one, gateway_profile=dialect))
    assert verdict.outcome is Outcome.PASS
    (canonical,) = run_check(CHECK, context(one))
    assert canonical.outcome is Outcome.FAIL and "audio" in canonical.message
