"""Result media generated in code: a small valid MP4 (ISO BMFF ftyp/moov/mdat) and a PNG, with Range."""

from __future__ import annotations

import functools
import re
import struct
import zlib

from starlette.requests import Request
from starlette.responses import Response

VIDEO_TYPE = "video/mp4"
IMAGE_TYPE = "image/png"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


@functools.lru_cache(maxsize=16)
def mp4_bytes(duration_seconds: float = 5.0) -> bytes:
    """A structurally valid MP4 with one (empty) video track whose header says ``duration_seconds``."""
    timescale = 1000
    duration = int(duration_seconds * timescale)
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mvhd = _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, timescale, duration)
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\0" * 10
        + _MATRIX
        + b"\0" * 24
        + struct.pack(">I", 2),
    )
    tkhd = _full_box(
        b"tkhd",
        0,
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, duration)
        + b"\0" * 8
        + struct.pack(">hhhH", 0, 0, 0, 0)
        + _MATRIX
        + struct.pack(">II", 1280 << 16, 720 << 16),
    )
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, timescale, duration) + struct.pack(">HH", 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I", 0) + b"vide" + b"\0" * 12 + b"VideoHandler\0")
    vmhd = _full_box(b"vmhd", 0, 1, b"\0" * 8)
    dinf = _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1) + _full_box(b"url ", 0, 1, b"")))
    empty_table = struct.pack(">I", 0)
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, empty_table)
        + _full_box(b"stts", 0, 0, empty_table)
        + _full_box(b"stsc", 0, 0, empty_table)
        + _full_box(b"stsz", 0, 0, struct.pack(">II", 0, 0))
        + _full_box(b"stco", 0, 0, empty_table),
    )
    minf = _box(b"minf", vmhd + dinf + stbl)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))
    moov = _box(b"moov", mvhd + trak)
    mdat = _box(b"mdat", b"kling-conformance emulator media\0" * 4)
    return ftyp + moov + mdat


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=4)
def png_bytes(size: int = 16) -> bytes:
    """A valid ``size``×``size`` RGB PNG (a gradient)."""
    rows = b"".join(
        b"\0" + b"".join(bytes(((x * 255) // size, (y * 255) // size, 128)) for x in range(size)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
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
