"""What media the upstream makes for a request after the gateway's changes, as data from the profile.

A field the profile lists in ``flags.drops_fields`` never reaches the upstream, so it falls back to
Kling's default (:mod:`conformance.spec.media`); ``[emulator.media]`` declares what the gateway
sends instead:

- ``aspect_ratio = "1:1"``: every result in that aspect (new-api's ``getAspectRatio`` without
  ``size``, ``reference/engines.md`` §1.2);
- ``max_seconds = 5``: videos no longer than that;
- ``audio = false``: no audio track, whatever ``sound`` said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.emulator.media import MediaPlan, VideoSpec
from conformance.emulator.validation import emulator_extra
from conformance.profiles.model import GatewayProfile
from conformance.spec.media import asked_media, image_size, parse_aspect, video_size

#: Keys of ``[emulator.media]`` (the profile schema checks them too).
MEDIA_KEYS = ("aspect_ratio", "max_seconds", "audio")


def media_knobs(profile: GatewayProfile) -> Mapping[str, Any]:
    """``[emulator.media]`` of ``profile`` (``{}`` when absent)."""
    knobs = emulator_extra(profile).get("media", {})
    return knobs if isinstance(knobs, dict) else {}


def _forwarded(body: Mapping[str, Any], dropped: tuple[str, ...]) -> dict[str, Any]:
    """``body`` as the upstream gets it: the dropped fields removed (top level and inside ``input``)."""
    kept = {k: v for k, v in body.items() if k not in dropped}
    if isinstance(kept.get("input"), Mapping):
        kept["input"] = {k: v for k, v in kept["input"].items() if k not in dropped}
    return kept


def plan_media(profile: GatewayProfile, body: Mapping[str, Any], *, image: bool) -> MediaPlan:
    """What the upstream renders for ``body`` on ``profile``'s gateway."""
    knobs = media_knobs(profile)
    asked = asked_media(_forwarded(body, profile.drops_fields))
    aspect = asked.aspect or "16:9"
    forced = knobs.get("aspect_ratio")
    if isinstance(forced, str) and parse_aspect(forced) is not None:
        aspect = forced
    if image:
        return MediaPlan(image=image_size(aspect), count=asked.count)
    seconds = asked.seconds
    cap = knobs.get("max_seconds")
    if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0:
        seconds = min(seconds, cap)
    audio = asked.sound and knobs.get("audio", True) is not False
    width, height = video_size(aspect, asked.mode)
    return MediaPlan(video=VideoSpec(width=width, height=height, seconds=seconds, audio=audio))
