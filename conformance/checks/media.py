"""Result media: the files a finished task produced match what the request asked for.

The harness probes each result file within a byte cap (``conformance.harness.media_probe``) and puts
the facts in ``trace.meta["media"]`` (live and record; a replay takes them from the cassette). This
check compares them with the request, read as Kling reads it (:mod:`conformance.spec.media`):
aspect ratio, resolution by mode (std 720p, pro 1080p), duration, an audio track when ``sound`` was
on, the number of images. Where the input decides (an image2video without ``aspect_ratio``, the
length of a lip-synced video) nothing is asked, so nothing is judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from conformance.checks._support import NO_EVIDENCE, failed, judge_runnable, passed, skipped
from conformance.checks.base import Area, CheckContext, ScenarioTrace, Verdict, check
from conformance.models import Exchange, Severity
from conformance.spec.media import SHORT_SIDE, AskedMedia, asked_media, parse_aspect

_SCENARIOS = ("*.create.minimal", "*.create.param.aspect_ratio", "*.create.param.sound")
#: Families whose input (an image, a video) decides the aspect ratio unless the request names one.
_INPUT_ASPECT = frozenset({"image2video", "effects", "kolors-virtual-try-on", "lip-sync", "video-extend"})
#: Families whose request decides the length and the resolution of the video.
_SIZED = frozenset({"text2video", "image2video", "multi-image2video"})
_IMAGE_FAMILIES = frozenset({"generations", "kolors-virtual-try-on"})
ASPECT_TOLERANCE = 0.02
SIZE_TOLERANCE = 0.02


def _seconds_tolerance(seconds: float) -> float:
    return max(0.5, 0.1 * seconds)


@check(
    severity=Severity.HIGH,
    area=Area.REQUEST_ACCEPTANCE,
    operations=("create",),
    paid=True,
    scenarios=_SCENARIOS,
)
def result_media_matches_request(ctx: CheckContext) -> Iterator[Verdict]:
    """The result files of a finished task are what was asked: aspect ratio, resolution, duration, audio, count.

    Judged against the canonical contract (Kling's defaults stand in for what the request left out:
    16:9, std = 720p, pro = 1080p, 5 s); evidence is the probed file (container, codec, picture size,
    duration, tracks), never the JSON. Unreadable, truncated or non-media files are findings.
    """
    yield from judge_runnable(ctx, _SCENARIOS, partial(_verdict, ctx))


def _verdict(ctx: CheckContext, trace: ScenarioTrace, main: Exchange) -> Verdict:
    if trace.meta.get("terminal_status") != "succeed":
        return skipped(NO_EVIDENCE, "the task did not succeed, so it has no result files", trace=trace)
    found = trace.meta.get("media")
    media: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    files = media.get("files")
    if not isinstance(files, list) or not files:
        why = "result files were not probed (a recording without probe facts, or result fetching was off)"
        return skipped(NO_EVIDENCE, why, trace=trace)
    fetched = [f for f in files if isinstance(f, Mapping) and f.get("status") is not None]
    if not fetched:  # nothing came back (address guard, transport): result_url_fetchable says why
        first = files[0] if isinstance(files[0], Mapping) else {}
        return skipped(
            NO_EVIDENCE, f"no result file could be fetched: {first.get('error') or 'no response'}", trace=trace
        )
    files = fetched
    family = trace.operation_id.rsplit(".", 1)[0]
    body = _sent(ctx, trace)
    asked = asked_media(body, input_decides_aspect=family in _INPUT_ASPECT)
    image = family in _IMAGE_FAMILIES
    problems: list[tuple[str, str, str]] = []  # (what, expected, actual)
    if image and family == "generations" and int(media.get("urls", 0)) != asked.count:
        problems.append(("image count", f"{asked.count} image(s)", f"{media.get('urls')} image(s)"))
    for facts in files:
        if isinstance(facts, Mapping):
            problems.extend(_file_problems(facts, asked, image=image, sized=family in _SIZED))
    fetch = next((ex for ex in trace.exchanges if ex.meta.get("purpose") == "result-fetch"), None)
    if problems:
        text = "; ".join(f"{what}: asked {expected}, got {actual}" for what, expected, actual in problems)
        return failed(
            f"result media differ from the request: {text}",
            trace=trace,
            exchange=fetch,
            expected="; ".join(f"{what}: {expected}" for what, expected, _ in problems),
            actual="; ".join(f"{what}: {actual}" for what, _, actual in problems),
            json_path=_path_of(problems[0][0]),
        )
    return passed(f"result media match the request: {_summary(files, image)}", trace=trace, exchange=fetch)


def _sent(ctx: CheckContext, trace: ScenarioTrace) -> dict[str, Any]:
    """The canonical request body less the fields the profile's request mapping does not send.

    A gateway with its own dialect (``[operations."<op>".request]``) may have no place for a field
    (3.x image2video has no aspect_ratio, no sound): it was not asked, so it is not judged.
    """
    body = dict(trace.request_body) if isinstance(trace.request_body, Mapping) else {}
    op = ctx.profile.operation(trace.operation_id)
    mapping = op.request if op is not None else None
    if mapping is None:
        return body
    return {
        name: value
        for name, value in body.items()
        if name not in mapping.drop and (name in mapping.rename or mapping.unmapped != "drop")
    }


def _path_of(what: str) -> str:
    return {
        "aspect ratio": "$.aspect_ratio",
        "resolution": "$.mode",
        "duration": "$.duration",
        "audio": "$.sound",
        "image count": "$.n",
    }.get(what, "")


def _summary(files: list[Any], image: bool) -> str:
    first = files[0] if isinstance(files[0], Mapping) else {}
    size = f"{first.get('width')}×{first.get('height')}"
    if image:
        return f"{len(files)} image(s), {size} {first.get('format', '')}".strip()
    audio = f", audio {first['audio_codec']}" if first.get("audio_codec") else ""
    return f"{size} {first.get('video_codec', '')}, {first.get('duration')} s{audio}"


def _ratio_text(width: int, height: int) -> str:
    for w, h in ((16, 9), (9, 16), (1, 1), (4, 3), (3, 4), (3, 2), (2, 3), (21, 9)):
        if abs(width / height - w / h) <= ASPECT_TOLERANCE * (w / h):
            return f"{w}:{h}"
    return f"{width / height:.3f}:1"


def _file_problems(
    facts: Mapping[str, Any], asked: AskedMedia, *, image: bool, sized: bool
) -> list[tuple[str, str, str]]:
    index = facts.get("index", 0)
    label = f"result {index}"
    error = str(facts.get("error") or "")
    want = "an image" if image else "an MP4 video"
    if error:
        return [(label, f"{want} the probe can read", error)]
    kind = facts.get("kind")
    if kind != ("image" if image else "video"):
        return [(label, want, f"a {kind or 'unknown'} file ({facts.get('content_type') or 'no Content-Type'})")]
    width, height = facts.get("width"), facts.get("height")
    if not isinstance(width, int) or not isinstance(height, int) or width <= 0 or height <= 0:
        what = "an image size" if image else "a video track with a picture size"
        return [(label, what, f"{width}×{height}" if width or height else "none")]
    problems: list[tuple[str, str, str]] = []
    ratio = parse_aspect(asked.aspect)
    if ratio is not None and abs(width / height - ratio[0] / ratio[1]) > ASPECT_TOLERANCE * ratio[0] / ratio[1]:
        problems.append(("aspect ratio", asked.aspect or "", f"{width}×{height} ({_ratio_text(width, height)})"))
    if image:
        return problems
    if not facts.get("video_codec"):
        problems.append(("video codec", "a video track", "no decodable video track"))
    if sized:
        short = SHORT_SIDE[asked.mode]
        if abs(min(width, height) - short) > SIZE_TOLERANCE * short:
            problems.append(("resolution", f"{short}p ({asked.mode})", f"{min(width, height)}p ({width}×{height})"))
        duration = facts.get("duration")
        if isinstance(duration, int | float) and abs(duration - asked.seconds) > _seconds_tolerance(asked.seconds):
            problems.append(("duration", f"{asked.seconds} s", f"{duration:g} s"))
    declared, frames = facts.get("declared_duration"), facts.get("duration")
    if (
        isinstance(declared, int | float)
        and isinstance(frames, int | float)
        and abs(declared - frames) > _seconds_tolerance(frames)
    ):
        problems.append(("header duration", f"{frames:g} s (what the frames last)", f"{declared:g} s"))
    if asked.sound and not facts.get("audio_codec"):
        problems.append(("audio", "an audio track (sound: on)", "no audio track"))
    return problems
