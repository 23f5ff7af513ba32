"""Audio results of the emulated audio families (tts, text-to-audio, video-to-audio): a real MP3 of silence.

An MPEG-1 Layer III stream written frame by frame, not encoded: every frame is a 4-byte header (32 kbit/s,
44.1 kHz, mono, no CRC) followed by zero side information and zero main data, which a decoder plays as
silence. 1152 samples a frame, so ``seconds`` of audio is ``ceil(seconds * 44100 / 1152)`` frames of 104
bytes. The bytes are the same on every machine (no encoder version in them).
"""

from __future__ import annotations

import math
from functools import lru_cache

AUDIO_TYPE = "audio/mpeg"
SAMPLE_RATE = 44_100
SAMPLES_PER_FRAME = 1152
BITRATE = 32_000
#: Sync word, MPEG-1, Layer III, no CRC | 32 kbit/s, 44.1 kHz, no padding | mono.
FRAME_HEADER = bytes((0xFF, 0xFB, 0x10, 0xC0))
FRAME_BYTES = 144 * BITRATE // SAMPLE_RATE  # 104
MAX_SECONDS = 60.0


@lru_cache(maxsize=16)
def mp3_bytes(seconds: float = 5.0) -> bytes:
    """``seconds`` (clamped to (0, 60]) of silent mono MP3."""
    seconds = min(max(seconds, 0.1), MAX_SECONDS)
    frames = math.ceil(seconds * SAMPLE_RATE / SAMPLES_PER_FRAME)
    frame = FRAME_HEADER + bytes(FRAME_BYTES - len(FRAME_HEADER))
    return frame * frames


def mp3_seconds(data: bytes) -> float:
    """The duration of a stream :func:`mp3_bytes` wrote (frames × 1152 / 44100)."""
    return (len(data) // FRAME_BYTES) * SAMPLES_PER_FRAME / SAMPLE_RATE
