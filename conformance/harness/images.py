"""A deterministic test image (300×300 PNG, Kling's minimum size), as raw base64 and as a data URI."""

from __future__ import annotations

import base64
import functools
import struct
import zlib

SIDE = 300


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def png_bytes() -> bytes:
    """A valid 300×300 RGB PNG with a horizontal gradient (same bytes on every machine)."""
    row = b"\x00" + b"".join(bytes(((x * 255) // SIDE, 96, 160)) for x in range(SIDE))  # filter "none" + RGB
    rows = row * SIDE  # identical rows: compresses to ~1 KB
    header = struct.pack(">IIBBBBB", SIDE, SIDE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


@functools.cache
def png_base64() -> str:
    """Raw base64 of :func:`png_bytes` (no ``data:`` prefix), as Kling wants it."""
    return base64.b64encode(png_bytes()).decode("ascii")


def png_data_uri() -> str:
    """The same image as a ``data:image/png;base64,...`` URI (which official Kling rejects)."""
    return "data:image/png;base64," + png_base64()
