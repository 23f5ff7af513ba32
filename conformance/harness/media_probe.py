"""Probing a result file within a byte cap: what it is, how large, how long, which tracks.

:func:`probe_media` reads the head of the file with a ranged GET (``bytes=0-65535``), walks the ISO
BMFF top-level boxes itself, and when the index (``moov``) lies beyond the head (a file written
without faststart) jumps over the box in the way with one more ranged read, at most
``ProbeLimits.max_jumps`` times and ``ProbeLimits.max_bytes`` in all. FFmpeg (PyAV, imported here
only, and only when a probe runs: replays never load it) is then given only ``ftyp`` + ``moov``: it
reads codecs, picture size and the frames' duration without decoding a frame, off the event loop.
Images are sized from their own header (PNG, JPEG, GIF, WebP).

Every read goes through the caller's ``fetch`` (the executor sends it as a ``result-fetch`` through
:class:`~conformance.harness.client.GatewayClient`, so the address guard and the body caps apply).
A probe never raises on content: a truncated, lying or non-media file gives facts with ``error``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

_CONTAINERS = frozenset(
    {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"moof", b"mfra", b"meta", b"pdin", b"styp"}
)
_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
FFMPEG_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    """How much a probe may read: the head read, the total, the jumps over boxes before ``moov``."""

    head_bytes: int = 64 * 1024
    max_bytes: int = 1024 * 1024
    max_jumps: int = 4


@dataclass(frozen=True, slots=True)
class Read:
    """One ranged read as the fetch gave it back."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    error: str = ""


#: ``fetch(start, end, cap)``: GET the URL with ``Range: bytes=start-end``, reading at most ``cap`` bytes.
Fetch = Callable[[int, int, int], Awaitable[Read]]


class _Failed(Exception):
    """The file cannot be probed further; the message is the finding."""


class _File:
    """What has been read of the remote file: sparse spans, the reads made, the total size."""

    def __init__(self, fetch: Fetch, limits: ProbeLimits, facts: dict[str, Any]) -> None:
        self.fetch = fetch
        self.limits = limits
        self.facts = facts
        self.spans: dict[int, bytes] = {}
        self.digest = hashlib.sha256()
        self.total: int | None = None
        self.ranges = False

    @property
    def read_bytes(self) -> int:
        return int(self.facts["bytes_read"])

    async def read(self, start: int, length: int) -> bytes:
        """Bytes ``start``..``start+length`` (fewer at the end of the file); the first read also sniffs the server."""
        room = self.limits.max_bytes - self.read_bytes
        if room <= 0:
            raise _Failed(f"the probe's cap of {self.limits.max_bytes} bytes is spent")
        length = min(length, room)
        answer = await self.fetch(start, start + length - 1, length)
        self.facts["requests"] += 1
        if answer.status is None:
            raise _Failed(answer.error or "no response")
        first = self.facts["requests"] == 1
        if first:
            self.facts["status"] = answer.status
            self.facts["content_type"] = answer.headers.get("content-type", "")
        if first and answer.status == 416:
            raise _Failed("empty file (HTTP 416 for its first bytes)")
        if answer.status not in (200, 206):
            raise _Failed(f"HTTP {answer.status}")
        body = answer.body[:length] if answer.status == 206 else answer.body
        self.facts["bytes_read"] += len(body)
        self.digest.update(body)
        if answer.status == 206:
            self.ranges = True
            match = _RANGE.match(answer.headers.get("content-range", ""))
            if match is None or int(match[1]) != start:
                raise _Failed(
                    f"a ranged read of {start}- answered Content-Range {answer.headers.get('content-range')!r}"
                )
            if match[3] != "*":
                self.total = int(match[3])
            self.spans[start] = body
            return body
        length_header = answer.headers.get("content-length", "")
        if first and length_header.isdigit():
            self.total = int(length_header)
        self.spans[0] = body  # a server ignoring Range sends the file from its start (cut at the cap)
        return body[start : start + length]

    def have(self, start: int, end: int) -> bytes | None:
        """Bytes ``start``..``end`` when one read holds them all."""
        for offset, data in self.spans.items():
            if offset <= start and end <= offset + len(data):
                return data[start - offset : end - offset]
        return None


def _box_at(data: bytes, offset: int) -> tuple[bytes, int, int]:
    """``(type, size, header length)`` of the box starting at ``offset`` of ``data`` (size 0: to the end)."""
    size, kind = struct.unpack(">I4s", data[offset : offset + 8])
    header = 8
    if size == 1:
        if len(data) < offset + 16:
            raise _Failed("truncated: the file ends inside a box header")
        size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        header = 16
    if size != 0 and size < header:
        raise _Failed(f"hostile box size {size} for {kind!r} at byte {offset}")
    if not all(32 <= c < 127 for c in kind):
        raise _Failed(f"not an MP4 box at byte {offset} (type {kind!r})")
    return kind, size, header


def _sniff_image(head: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` from an image header, else ``None``."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        return ("png", *struct.unpack(">II", head[16:24]))
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return ("gif", *struct.unpack("<HH", head[6:10]))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8X":
            return "webp", 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
        if chunk == b"VP8L":
            bits = int.from_bytes(head[21:25], "little")
            return "webp", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        if chunk == b"VP8 ":
            w, h = struct.unpack("<HH", head[26:30])
            return "webp", w & 0x3FFF, h & 0x3FFF
    if head[:2] == b"\xff\xd8":
        offset = 2
        while offset + 9 <= len(head):
            if head[offset] != 0xFF:
                return None
            marker = head[offset + 1]
            length = struct.unpack(">H", head[offset + 2 : offset + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", head[offset + 5 : offset + 9])
                return "jpeg", w, h
            offset += 2 + length
    return None


def _declared_seconds(moov: bytes) -> float | None:
    """The movie duration ``mvhd`` declares (``None`` when absent)."""
    offset = 8
    while offset + 8 <= len(moov):
        size, kind = struct.unpack(">I4s", moov[offset : offset + 8])
        if size < 8:
            return None
        if kind == b"mvhd":
            version = moov[offset + 8]
            if version == 1 and offset + 40 <= len(moov):
                timescale, duration = struct.unpack(">IQ", moov[offset + 28 : offset + 40])
            elif offset + 28 <= len(moov):
                timescale, duration = struct.unpack(">II", moov[offset + 20 : offset + 28])
            else:
                return None
            return round(duration / timescale, 3) if timescale else None
        offset += size
    return None


def _ffmpeg_facts(header: bytes) -> dict[str, Any]:
    """What FFmpeg reads from ``ftyp`` + ``moov`` alone (no frame is decoded)."""
    import av  # live and record probes only
    import av.logging

    if av.logging.get_level() is not None:  # PyAV < 13 logs FFmpeg's notes on a header without frames
        av.logging.set_level(av.logging.PANIC)
    facts: dict[str, Any] = {}
    try:
        with av.open(io.BytesIO(header), mode="r") as container:
            facts["format"] = container.format.name
            videos, audios = container.streams.video, container.streams.audio
            facts["streams"] = len(container.streams)
            if videos:
                video = videos[0]
                facts["video_codec"] = video.codec_context.name
                facts["width"], facts["height"] = video.codec_context.width, video.codec_context.height
                if video.duration is not None and video.time_base is not None:
                    facts["duration"] = round(float(video.duration * video.time_base), 3)
                facts["frames"] = video.frames
            facts["audio_codec"] = audios[0].codec_context.name if audios else ""
    except Exception as exc:  # any FFmpeg refusal is a finding about the file, never a crash
        facts["error"] = f"FFmpeg could not read the header: {type(exc).__name__}: {exc}"[:300]
    return facts


async def _probe_video(file: _File, head: bytes, facts: dict[str, Any]) -> None:
    offset, jumps = 0, 0
    ftyp = b""
    while True:
        chunk = file.have(offset, offset + 16) or file.have(offset, offset + 8)
        if chunk is None:
            if file.total is not None and offset >= file.total:
                raise _Failed(f"no moov box in the file's {file.total} bytes (truncated or not an MP4)")
            if not file.ranges:
                raise _Failed(
                    f"moov is not within the first {file.read_bytes} bytes and the server ignores Range"
                    if file.read_bytes
                    else "empty file"
                )
            jumps += 1
            if jumps > file.limits.max_jumps:
                raise _Failed(f"moov not found after {file.limits.max_jumps} jumps over the boxes before it")
            got = await file.read(offset, file.limits.head_bytes)
            if len(got) < 8:
                raise _Failed(f"truncated: the file ends inside a box header at byte {offset}")
            chunk = got[:16]
        kind, size, _ = _box_at(chunk, 0)
        if kind not in _CONTAINERS and offset == 0:
            raise _Failed(f"not an MP4 (first box {kind!r})")
        if size == 0:
            size = (file.total - offset) if file.total is not None else file.limits.max_bytes + 1
        if kind in (b"ftyp", b"moov"):
            if size > file.limits.max_bytes:
                raise _Failed(f"{kind.decode()} box of {size} bytes is larger than the probe's cap")
            if file.total is not None and offset + size > file.total:
                raise _Failed(f"truncated: the {kind.decode()} box runs past the end of the file ({file.total} bytes)")
            data = file.have(offset, offset + size)
            if data is None and file.ranges:
                missing = await file.read(offset, size)
                data = missing if len(missing) >= size else None
            if data is None:
                raise _Failed(f"truncated: the {kind.decode()} box ({size} bytes at byte {offset}) is cut short")
            if kind == b"ftyp":
                ftyp = data
                facts["container"] = data[8:12].decode("latin-1")
            else:
                facts["declared_duration"] = _declared_seconds(data)
                found = await asyncio.wait_for(asyncio.to_thread(_ffmpeg_facts, ftyp + data), FFMPEG_SECONDS)
                facts.update(found)
                return
        offset += size


async def probe_media(fetch: Fetch, limits: ProbeLimits | None = None) -> dict[str, Any]:
    """Facts about the file ``fetch`` reads (JSON-ready, sorted keys); ``error`` says what went wrong."""
    limits = limits or ProbeLimits()
    facts: dict[str, Any] = {"bytes_read": 0, "requests": 0, "error": "", "status": None, "content_type": ""}
    file = _File(fetch, limits, facts)
    try:
        head = await file.read(0, limits.head_bytes)
        image = _sniff_image(head)
        if image is not None:
            facts["kind"] = "image"
            facts["format"], facts["width"], facts["height"] = image
        elif len(head) >= 8 and head[4:8] in _CONTAINERS:
            facts["kind"] = "video"
            await _probe_video(file, head, facts)
        else:
            facts["kind"] = "unknown"
            raise _Failed(f"not a media file (starts with {head[:16]!r})" if head else "empty file")
    except _Failed as exc:
        facts["error"] = str(exc)
    except TimeoutError:
        facts["error"] = f"FFmpeg took longer than {FFMPEG_SECONDS:g} s on the header"
    except (struct.error, ValueError, OverflowError) as exc:
        facts["error"] = f"unreadable header ({type(exc).__name__}: {exc})"
    facts["range"] = file.ranges
    facts["total_size"] = file.total
    facts["sha256"] = file.digest.hexdigest()
    return dict(sorted(facts.items()))
