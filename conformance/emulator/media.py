"""Result media the emulator serves: real, small, decodable MP4 and PNG files that match a request.

Videos are H.264 Baseline (:mod:`.h264`, written byte for byte) at 24 fps in an ISO BMFF (MP4)
container with ``moov`` before ``mdat``, plus an AAC-LC track of silence when the request asked
for sound; images are flat PNGs. Sizes follow the request: a video's short side is 720 (``std``)
or 1080 (``pro``) pixels, an image's long side 1024 pixels, both in the asked aspect ratio. Files
are built in about a millisecond and cached by their parameters; nothing is written to disk.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from conformance.emulator import h264

VIDEO_TYPE = "video/mp4"
IMAGE_TYPE = "image/png"
FPS = 24
AUDIO_RATE = 16000


@dataclass(frozen=True, slots=True)
class VideoSpec:
    """What a result video is: size, length, audio; plus knobs for hostile files in tests and benchmarks.

    ``declared_seconds`` overrides the duration the headers claim (the frames still last ``seconds``),
    ``moov_last`` puts the index after the media data, ``padding`` adds a ``free`` box of that many
    bytes before the media data (a large file whose header is still small).
    """

    width: int = 1280
    height: int = 720
    seconds: int = 5
    audio: bool = False
    declared_seconds: float | None = None
    moov_last: bool = False
    padding: int = 0


@dataclass(frozen=True, slots=True)
class MediaPlan:
    """The result media of one task: a video (``video``) or ``count`` images of ``image`` size."""

    video: VideoSpec | None = None
    image: tuple[int, int] = (1024, 576)
    count: int = 1


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def _descriptor(tag: int, payload: bytes) -> bytes:
    return bytes([tag, len(payload)]) + payload


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_VIDEO_TIMESCALE = FPS * 512
_DREF = _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1) + _full_box(b"url ", 0, 1, b"")))


def _mvhd(timescale: int, duration: int, next_track: int) -> bytes:
    return _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, timescale, duration)
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\0" * 10
        + _MATRIX
        + b"\0" * 24
        + struct.pack(">I", next_track),
    )


def _trak(
    track_id: int, duration_ms: int, handler: bytes, media: tuple[int, int], minf: bytes, size: tuple[int, int]
) -> bytes:
    """One track: ``media`` is (timescale, duration) of its samples, ``size`` the display size (0 for audio)."""
    volume = 0x100 if handler == b"soun" else 0
    tkhd = _full_box(
        b"tkhd",
        0,
        3,
        struct.pack(">IIIII", 0, 0, track_id, 0, duration_ms)
        + b"\0" * 8
        + struct.pack(">hhhH", 0, 0, volume, 0)
        + _MATRIX
        + struct.pack(">II", size[0] << 16, size[1] << 16),
    )
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, *media) + struct.pack(">HH", 0x55C4, 0))
    name = b"VideoHandler\0" if handler == b"vide" else b"SoundHandler\0"
    hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I", 0) + handler + b"\0" * 12 + name)
    return _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))


def _tables(entry: bytes, count: int, delta: int, sizes: list[int] | int, offset: int, *, sync: bool) -> bytes:
    """``stbl`` with one sample description, one chunk at ``offset`` and ``count`` samples of ``delta`` ticks."""
    if isinstance(sizes, int):
        stsz = _full_box(b"stsz", 0, 0, struct.pack(">II", sizes, count))
    else:
        stsz = _full_box(b"stsz", 0, 0, struct.pack(">II", 0, count) + struct.pack(f">{count}I", *sizes))
    boxes = (
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1) + entry)
        + _full_box(b"stts", 0, 0, struct.pack(">III", 1, count, delta))
        + (_full_box(b"stss", 0, 0, struct.pack(">II", 1, 1)) if sync else b"")
        + _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, count, 1))
        + stsz
        + _full_box(b"stco", 0, 0, struct.pack(">II", 1, offset))
    )
    return _box(b"stbl", boxes)


def _avc1(picture: h264.Picture) -> bytes:
    return _box(
        b"avc1",
        b"\0" * 6
        + struct.pack(">H", 1)
        + b"\0" * 16
        + struct.pack(">HH", picture.width, picture.height)
        + struct.pack(">II", 0x480000, 0x480000)
        + b"\0" * 4
        + struct.pack(">H", 1)
        + b"\0" * 32
        + struct.pack(">Hh", 0x18, -1)
        + _box(b"avcC", h264.avc_config(picture)),
    )


def _mp4a() -> bytes:
    config = h264.aac_config(AUDIO_RATE, 1)
    decoder = _descriptor(4, bytes([0x40, 0x15]) + b"\0\0\0" + struct.pack(">II", 0, 0) + _descriptor(5, config))
    es = _descriptor(3, struct.pack(">HB", 2, 0) + decoder + _descriptor(6, b"\x02"))
    return _box(
        b"mp4a",
        b"\0" * 6
        + struct.pack(">H", 1)
        + b"\0" * 8
        + struct.pack(">HHHH", 1, 16, 0, 0)
        + struct.pack(">I", AUDIO_RATE << 16)
        + _full_box(b"esds", 0, 0, es),
    )


def _video_samples(picture: h264.Picture, frames: int) -> list[bytes]:
    def sample(nal: bytes) -> bytes:
        return struct.pack(">I", len(nal)) + nal

    return [sample(h264.idr_slice(picture))] + [sample(h264.skip_slice(picture, i)) for i in range(1, frames)]


def _moov(spec: VideoSpec, video: list[bytes], audio_frames: int, video_at: int, audio_at: int) -> bytes:
    picture = h264.Picture(spec.width, spec.height)
    declared = spec.seconds if spec.declared_seconds is None else spec.declared_seconds
    movie_ms = int(declared * 1000)
    scale = 1.0 if spec.declared_seconds is None else spec.declared_seconds / spec.seconds
    frames = len(video)
    video_minf = _box(
        b"minf",
        _full_box(b"vmhd", 0, 1, b"\0" * 8)
        + _DREF
        + _tables(_avc1(picture), frames, 512, [len(s) for s in video], video_at, sync=True),
    )
    traks = _trak(
        1, movie_ms, b"vide", (_VIDEO_TIMESCALE, int(frames * 512 * scale)), video_minf, (spec.width, spec.height)
    )
    if spec.audio:
        audio_minf = _box(
            b"minf",
            _full_box(b"smhd", 0, 0, b"\0" * 4)
            + _DREF
            + _tables(_mp4a(), audio_frames, h264.AAC_FRAME_SAMPLES, len(h264.AAC_SILENT_FRAME), audio_at, sync=False),
        )
        audio_ticks = int(audio_frames * h264.AAC_FRAME_SAMPLES * scale)
        traks += _trak(2, movie_ms, b"soun", (AUDIO_RATE, audio_ticks), audio_minf, (0, 0))
    return _box(b"moov", _mvhd(1000, movie_ms, 3 if spec.audio else 2) + traks)


@functools.lru_cache(maxsize=32)
def mp4_bytes(spec: VideoSpec = VideoSpec()) -> bytes:
    """A decodable MP4 as ``spec`` describes it (cached by ``spec``)."""
    video = _video_samples(h264.Picture(spec.width, spec.height), spec.seconds * FPS)
    audio_frames = -(-spec.seconds * AUDIO_RATE // h264.AAC_FRAME_SAMPLES) if spec.audio else 0
    media = b"".join(video) + h264.AAC_SILENT_FRAME * audio_frames
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    free = _box(b"free", b"\0" * spec.padding) if spec.padding else b""
    mdat_header = 8
    video_bytes = sum(len(s) for s in video)
    if spec.moov_last:
        start = len(ftyp) + len(free) + mdat_header
        moov = _moov(spec, video, audio_frames, start, start + video_bytes)
        return ftyp + free + _box(b"mdat", media) + moov
    size = len(_moov(spec, video, audio_frames, 0, 0))
    start = len(ftyp) + size + len(free) + mdat_header
    moov = _moov(spec, video, audio_frames, start, start + video_bytes)
    return ftyp + moov + free + _box(b"mdat", media)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=16)
def png_bytes(width: int = 16, height: int | None = None) -> bytes:
    """A valid ``width``×``height`` RGB PNG of one flat colour (cached by size)."""
    height = width if height is None else height
    rows = (b"\0" + b"\x80\x80\xc0" * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_response(request: Request, body: bytes, media_type: str) -> Response:
    """``body`` as a full 200, or a 206/416 honouring a single ``Range: bytes=`` header."""
    headers = {"accept-ranges": "bytes"}
    spec = request.headers.get("range")
    if not spec:
        return Response(body, 200, headers=headers, media_type=media_type)
    match = _RANGE.match(spec.split(",", 1)[0].strip())
    total = len(body)
    start: int | None = None
    end = total - 1
    if match is not None and (match[1] or match[2]):
        if match[1]:
            start = int(match[1])
            if match[2]:
                end = min(int(match[2]), total - 1)
        else:
            start = max(0, total - int(match[2]))
    if start is None or start >= total or start > end:
        return Response(b"", 416, headers={**headers, "content-range": f"bytes */{total}"}, media_type=media_type)
    headers["content-range"] = f"bytes {start}-{end}/{total}"
    return Response(body[start : end + 1], 206, headers=headers, media_type=media_type)
