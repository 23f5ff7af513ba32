"""Probing result files: few bytes read (Range), facts FFmpeg reads, hostile files as findings, never a crash."""

from __future__ import annotations

import asyncio
import struct

import httpx
import pytest

from conformance.emulator.media import VideoSpec, mp4_bytes, png_bytes
from conformance.harness.client import GatewayClient, HttpLimits
from conformance.harness.clock import RealClock
from conformance.harness.media_fetch import read_of
from conformance.harness.media_probe import ProbeLimits, Read, probe_media
from conformance.models import Evidence, EvidenceKind


def serve(data: bytes, *, ranges: bool = True, status: int = 200, content_type: str = "video/mp4"):  # type: ignore[no-untyped-def]
    """A fetch over ``data`` as a server would answer it (honouring Range, or not)."""
    seen: list[tuple[int, int]] = []

    async def fetch(start: int, end: int, cap: int) -> Read:
        seen.append((start, end))
        headers = {"content-type": content_type}
        if status != 200:
            return Read(status=status, headers=headers, body=b"not found")
        if not ranges:
            return Read(status=200, headers={**headers, "content-length": str(len(data))}, body=data[:cap])
        if start >= len(data):
            return Read(status=416, headers=headers, body=b"")
        part = data[start : min(end, len(data) - 1) + 1]
        headers["content-range"] = f"bytes {start}-{start + len(part) - 1}/{len(data)}"
        return Read(status=206, headers=headers, body=part)

    fetch.seen = seen  # type: ignore[attr-defined]
    return fetch


def probe(data: bytes, **kwargs: object) -> dict[str, object]:
    return asyncio.run(probe_media(serve(data, **kwargs)))  # type: ignore[arg-type]


def test_a_faststart_video_is_probed_from_its_head_only() -> None:
    data = mp4_bytes(VideoSpec(1080, 1920, 10, True, padding=4 << 20))
    facts = probe(data)
    assert facts["error"] == ""
    assert (facts["kind"], facts["video_codec"], facts["audio_codec"]) == ("video", "h264", "aac")
    assert (facts["width"], facts["height"], facts["container"]) == (1080, 1920, "isom")
    assert abs(facts["duration"] - 10) < 0.1 and facts["declared_duration"] == 10.0  # type: ignore[operator]
    assert facts["requests"] == 1 and facts["bytes_read"] == 65536 < len(data) // 50
    assert facts["range"] is True and facts["total_size"] == len(data)
    assert len(str(facts["sha256"])) == 64


def test_moov_at_the_end_costs_one_more_ranged_read() -> None:
    data = mp4_bytes(VideoSpec(1280, 720, 5, moov_last=True, padding=4 << 20))
    facts = probe(data)
    assert facts["error"] == "" and (facts["width"], facts["height"]) == (1280, 720)
    assert facts["requests"] == 2 and int(facts["bytes_read"]) < 65536 + 8000  # type: ignore[call-overload]


def test_a_server_ignoring_range_is_read_only_to_the_cap() -> None:
    head_first = probe(mp4_bytes(VideoSpec(padding=4 << 20)), ranges=False)
    assert head_first["error"] == "" and head_first["bytes_read"] == 65536 and head_first["range"] is False
    moov_last = probe(mp4_bytes(VideoSpec(moov_last=True, padding=4 << 20)), ranges=False)
    assert "server ignores Range" in str(moov_last["error"]) and moov_last["bytes_read"] == 65536


@pytest.mark.parametrize("cut", [40, 300, 900])
def test_truncated_videos_are_findings(cut: int) -> None:
    data = mp4_bytes(VideoSpec())
    facts = probe(data[:cut])
    assert facts["error"], facts
    assert "truncated" in str(facts["error"]) or "no moov" in str(facts["error"])


def test_a_huge_declared_duration_is_reported_beside_the_frames() -> None:
    facts = probe(mp4_bytes(VideoSpec(declared_seconds=150000)))
    assert facts["error"] == ""
    assert facts["declared_duration"] == 150000.0 and abs(facts["duration"] - 5) < 0.1  # type: ignore[operator]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<!doctype html><html><body>Just a moment...</body></html>", "not a media file"),
        (b"", "empty file"),
        (b"\0" * 4096, "not a media file"),
        (bytes(range(256)) * 16, "not a media file"),
        (struct.pack(">I4s", 8, b"ftyp") + struct.pack(">I4s", 4, b"moov"), "hostile box size"),
        (struct.pack(">I4s", 8, b"ftyp") + struct.pack(">I4sQ", 1, b"moov", 1 << 62), "larger than the probe's cap"),
        (struct.pack(">I4s", 8, b"ftyp") + struct.pack(">I4s", 0xFFFFFFFF, b"mdat"), "no moov"),
        (struct.pack(">I4s", 8, b"ftyp") + struct.pack(">I4s", 200, b"moov") + b"\0" * 192, "FFmpeg"),
    ],
    ids=["html", "empty", "zeros", "garbage", "box-size-4", "moov-2^62", "mdat-4GiB", "moov-of-zeros"],
)
def test_hostile_files_are_findings_never_crashes(data: bytes, words: str) -> None:
    facts = probe(data)
    assert words in str(facts["error"]), facts
    assert int(facts["requests"]) <= 5 and int(facts["bytes_read"]) <= ProbeLimits().max_bytes  # type: ignore[call-overload]


def test_http_errors_are_findings() -> None:
    facts = probe(b"", status=404)
    assert facts["error"] == "HTTP 404" and facts["status"] == 404


def test_images_are_sized_from_their_header() -> None:
    facts = probe(png_bytes(576, 1024), content_type="image/png")
    assert (facts["kind"], facts["format"], facts["width"], facts["height"]) == ("image", "png", 576, 1024)


def test_reads_go_through_the_gateway_client_with_its_cap() -> None:
    """A server ignoring Range sends the whole file: the client stops reading at the probe's cap."""
    data = mp4_bytes(VideoSpec(padding=2 << 20))
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("range", ""))
        return httpx.Response(200, content=data, headers={"content-type": "video/mp4"})

    async def main() -> dict[str, object]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = GatewayClient(
                gateway="g", base_url="http://127.0.0.1:9", http=http, clock=RealClock(), key=None, limits=HttpLimits()
            )
            evidence = Evidence(kind=EvidenceKind.USER_SUPPLIED, source="test")

            async def fetch(start: int, end: int, cap: int) -> Read:
                attempted = await client.send(
                    scenario="s",
                    operation_id="text2video.get",
                    ref="r",
                    evidence=evidence,
                    method="GET",
                    url="http://127.0.0.1:9/_media/v.mp4",
                    headers=(("Range", f"bytes={start}-{end}"),),
                    auth="none",
                    meta={"purpose": "result-fetch"},
                    max_bytes=cap,
                )
                return read_of(attempted.exchange)

            return await probe_media(fetch)

    facts = asyncio.run(main())
    assert sent == ["bytes=0-65535"]
    assert facts["error"] == "" and facts["bytes_read"] == 65536 and facts["range"] is False
