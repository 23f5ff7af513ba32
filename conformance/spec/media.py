"""What Kling's result media look like for a request: defaults, sizes by mode, aspect arithmetic.

Shared by the emulator (which renders such media) and the checks (which compare probed media with
them). Kling's defaults stand in for what a request leaves out: 16:9, ``std``, 5 s, no sound, one
image. A video's short side is 720 pixels in ``std`` and 1080 in ``pro`` (the issue 18 rule: real
models may differ, which a live recording shows); an image's long side is 1024 pixels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_ASPECT = "16:9"
DEFAULT_SECONDS = 5
VIDEO_SECONDS = (5, 10)
#: Short side of a result video by mode.
SHORT_SIDE = {"std": 720, "pro": 1080}
#: Long side of a result image.
IMAGE_LONG_SIDE = 1024
_ASPECT = re.compile(r"^\s*(\d{1,3})\s*:\s*(\d{1,3})\s*$")


def parse_aspect(text: object) -> tuple[int, int] | None:
    """``"9:16"`` as ``(9, 16)``; ``None`` for anything else."""
    match = _ASPECT.match(text) if isinstance(text, str) else None
    if match is None or not int(match[1]) or not int(match[2]):
        return None
    return int(match[1]), int(match[2])


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def video_size(aspect: str, mode: str) -> tuple[int, int]:
    """Width and height of a result video: short side by ``mode`` (720 std, 1080 pro), ``aspect`` kept."""
    w, h = parse_aspect(aspect) or (16, 9)
    short = SHORT_SIDE.get(mode, SHORT_SIDE["std"])
    return (_even(short * w / h), short) if w >= h else (short, _even(short * h / w))


def image_size(aspect: str) -> tuple[int, int]:
    """Width and height of a result image: long side 1024, ``aspect`` kept."""
    w, h = parse_aspect(aspect) or (1, 1)
    long = IMAGE_LONG_SIDE
    return (long, _even(long * h / w)) if w >= h else (_even(long * w / h), long)


@dataclass(frozen=True, slots=True)
class AskedMedia:
    """What a create request asked of its result media (Kling's defaults where it said nothing).

    ``aspect`` is ``None`` where the input decides (an image2video without ``aspect_ratio``).
    """

    aspect: str | None
    mode: str
    seconds: int
    sound: bool
    count: int
    aspect_given: bool


def field_of(body: Mapping[str, Any], name: str) -> Any:
    """A request field, at the top level or inside a wrapping ``input`` object."""
    inner = body.get("input")
    if name not in body and isinstance(inner, Mapping):
        return inner.get(name)
    return body.get(name)


def asked_media(body: Mapping[str, Any], *, input_decides_aspect: bool = False) -> AskedMedia:
    """What ``body`` asked for, as Kling reads it."""
    aspect = field_of(body, "aspect_ratio")
    given = parse_aspect(aspect) is not None
    mode = field_of(body, "mode")
    duration = str(field_of(body, "duration") or DEFAULT_SECONDS)
    count = field_of(body, "n")
    return AskedMedia(
        aspect=str(aspect).strip() if given else (None if input_decides_aspect else DEFAULT_ASPECT),
        mode=mode if mode in SHORT_SIDE else "std",
        seconds=int(duration) if duration.isdigit() and int(duration) in VIDEO_SECONDS else DEFAULT_SECONDS,
        sound=field_of(body, "sound") == "on",
        count=count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 9 else 1,
        aspect_given=given,
    )
