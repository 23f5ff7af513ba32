"""Media end to end: a gateway that squares and silences results is caught live, and again in replay offline."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from conformance.harness.cassette import load_cassette
from conformance.harness.options import RunOptions
from conformance.harness.runner import execute_run

SQUARE = """
id = "square"
extends = "kling-official"

[emulator.media]
aspect_ratio = "1:1"
audio = false
"""


def _media(report) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    return {
        (r.subject, r.outcome.value): r.message
        for r in report.results
        if r.check == "result_media_matches_request" and r.operation == "text2video.create"
    }


def test_a_square_gateway_fails_live_and_replay_judges_the_same_facts(tmp_path: Path) -> None:
    profile = tmp_path / "square.toml"
    profile.write_text(SQUARE, encoding="utf-8")
    cassettes = tmp_path / "cassettes"
    common = {"gateways": ["square"], "profile_paths": [str(profile)], "write_report": False}
    recorded = asyncio.run(
        execute_run(
            RunOptions(
                **common,  # type: ignore[arg-type]
                mode="record",
                emulator=True,
                time_scale=0.001,
                poll_interval=0.02,
                cassettes_dir=cassettes,
                checks=["result_media_matches_request"],
            )
        )
    )
    live = _media(recorded)
    message = live[("text2video.create.param.aspect_ratio", "fail")]
    assert "aspect ratio: asked 9:16, got 720×720 (1:1)" in message
    assert (
        "audio: asked an audio track (sound: on), got no audio track" in live[("text2video.create.param.sound", "fail")]
    )
    assert ("text2video.create.minimal", "fail") in live  # 16:9 by default, square served
    stored = load_cassette(cassettes / "square" / "text2video.create.param.aspect_ratio.yaml")
    (facts,) = stored.meta["media"]["files"]
    assert (facts["width"], facts["height"], facts["video_codec"]) == (720, 720, "h264")
    fetches = [i for i in stored.interactions if i.purpose == "result-fetch"]
    assert fetches and all(i.response is not None and i.response.body == b"" for i in fetches)  # facts, not media
    sys.modules.pop("av", None)
    replayed = asyncio.run(
        execute_run(RunOptions(**common, cassettes_dir=cassettes, checks=["result_media_matches_request"]))  # type: ignore[arg-type]
    )
    assert _media(replayed) == live
    assert "av" not in sys.modules  # replay judges the stored facts without FFmpeg
