"""The mutable draft a family extractor fills in, and the small readers every family shares.

Extractors never trust a type: every reader accepts any value and either returns what it understood or
adds a note. :meth:`Draft.finish` turns the draft into the immutable
:class:`~conformance.normalize.result.NormalizedResponse`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conformance.jsonpath import json_type_phrase as json_type  # "a number", "an object", "null"...
from conformance.models import TaskStatus
from conformance.normalize.result import NormalizedResponse, ShapeId, result_from_fields
from conformance.normalize.vocab import KLING_WORDS, STATUS_WORDS, fold_status_word, is_success_message

#: Failure-reason sources in the order they are trusted (issue 3).
REASON_TASK_STATUS_MSG = 0
REASON_ERROR_MESSAGE = 1
REASON_FAIL_REASON = 2
REASON_MESSAGE = 3

_MS_FLOOR = 1e12  # a timestamp above this is milliseconds, below it seconds
_MS_CEILING = 1e14  # year 5138 in ms: anything larger is not a timestamp we understand


@dataclass(slots=True)
class Draft:
    """Everything found so far in one body; families write, :meth:`finish` freezes."""

    shape: ShapeId
    status_code: int | None = None
    error_shape: bool = False  # the shape that matched is an error shape
    notes: list[str] = field(default_factory=list)
    status: TaskStatus | None = None
    raw_status: str | None = None
    task_id: str | None = None
    upstream_task_id: str | None = None
    external_task_id: str | None = None
    video_urls: list[str] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)
    video_durations: list[str] = field(default_factory=list)
    reasons: list[tuple[int, str]] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    timestamp_unit: str | None = None
    statuses: dict[str, TaskStatus] | None = None  # the description's own status words (folded)
    pending_notes: list[str] = field(default_factory=list)  # decode notes, said at the shape's decode step

    def note(self, text: str) -> None:
        """Record an oddity once."""
        if text not in self.notes:
            self.notes.append(text)

    @property
    def is_error(self) -> bool:
        """HTTP status >= 400, or an error shape (a failed task in a success envelope is not an error)."""
        return (self.status_code is not None and self.status_code >= 400) or self.error_shape

    def offer_reason(self, rank: int, value: Any) -> None:
        """Offer a failure-reason candidate; success words (``SUCCEED``) are never a reason."""
        if isinstance(value, str) and not is_success_message(value):
            self.reasons.append((rank, value))

    def failure_reason(self) -> str | None:
        """The most trusted reason, when the task failed or the body is an error."""
        if self.status is not TaskStatus.FAILED and not self.is_error:
            return None
        if self.reasons:
            return min(self.reasons, key=lambda pair: pair[0])[1]
        return self.error_message

    def finish(self) -> NormalizedResponse:
        """The immutable result."""
        reason = self.failure_reason()
        if self.status is TaskStatus.FAILED and reason is None:
            self.note("task failed without a reason")
        if self.status is TaskStatus.SUCCEED and not self.video_urls and not self.image_urls:
            self.note("task succeeded without a result URL")
        return result_from_fields(
            {
                "shape": self.shape,
                "is_error": self.is_error,
                "status": self.status,
                "raw_status": self.raw_status,
                "task_id": self.task_id,
                "upstream_task_id": self.upstream_task_id,
                "external_task_id": self.external_task_id,
                "video_urls": tuple(self.video_urls),
                "image_urls": tuple(self.image_urls),
                "video_durations": tuple(self.video_durations),
                "failure_reason": reason,
                "error_code": self.error_code,
                "error_message": self.error_message,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "timestamp_unit": self.timestamp_unit,
                "status_code": self.status_code,
                "notes": tuple(self.notes),
                "departures": (),
                "error_shape": self.error_shape,
            }
        )


def as_dict(value: Any) -> dict[str, Any] | None:
    """``value`` when it is a JSON object, else ``None``."""
    return value if isinstance(value, dict) else None


def text(value: Any) -> str | None:
    """A non-empty string, a number as text, or ``None``."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    return None


def _number_text(value: float) -> str | None:
    try:
        return str(value)
    except ValueError:  # an integer with more digits than Python prints
        return None


def read_id(draft: Draft, value: Any, name: str) -> str | None:
    """A task id as a string; numbers are converted with a note, anything else is noted and dropped."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip():
            return value
        draft.note(f"{name} is empty")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        draft.note(f"{name} is a number, not a string")
        return _number_text(value)
    if isinstance(value, float) and math.isfinite(value):
        draft.note(f"{name} is a number, not a string (precision may be lost)")
        return str(int(value)) if value.is_integer() else str(value)
    draft.note(f"{name} is {json_type(value)}, not a string")
    return None


def read_status(draft: Draft, value: Any, name: str = "status") -> None:
    """Set ``raw_status``/``status`` from a raw status word, noting words outside Kling's vocabulary."""
    if value is None:
        return
    if not isinstance(value, str):
        draft.note(f"{name} is {json_type(value)}, not a word")
        if isinstance(value, dict | list):
            return
        word = _number_text(value) if isinstance(value, int | float) else str(value)
        if word is None:
            return
        value = word
    draft.raw_status = value
    folded = fold_status_word(value)
    status = draft.statuses.get(folded) if draft.statuses else None
    if status is None:
        status = STATUS_WORDS.get(folded)
    if status is None:
        draft.status = TaskStatus.UNKNOWN
        draft.note(f"status word not in vocabulary: {value!r}")
        return
    draft.status = status
    if value not in KLING_WORDS:
        draft.note(f"status word {value!r} is not Kling's (read as {status.value})")


def add_url(draft: Draft, value: Any, *, image: bool = False) -> None:
    """Add a result URL once (video list unless ``image``); non-http values are kept and noted."""
    if not isinstance(value, str) or not value.strip():
        return
    target = draft.image_urls if image else draft.video_urls
    if value in target:
        return
    if not value.startswith(("http://", "https://")):
        draft.note(f"result URL is not an http(s) URL: {value[:80]!r}")
    target.append(value)


def add_duration(draft: Draft, value: Any) -> None:
    """Record a video duration as text (Kling sends strings such as ``"5.1"``)."""
    duration = text(value)
    if duration is not None:
        draft.video_durations.append(duration)


def read_task_result(draft: Draft, value: Any) -> None:
    """Collect URLs and durations from a Kling ``task_result``.

    ``videos[].url`` go to the video list; ``images[].url`` (with ``index`` or a blank ``id``) and the
    omni-image ``series_images[].url`` go to the image list. ``watermark_url`` copies and ``audios`` are
    only noted: they are not the main result a client downloads.
    """
    result = as_dict(value)
    if result is None:
        if value is not None:
            draft.note(f"task_result is {json_type(value)}, not an object")
        return
    videos = result.get("videos")
    if isinstance(videos, list):
        for video in videos:
            if isinstance(video, dict):
                add_url(draft, video.get("url"))
                add_duration(draft, video.get("duration"))
                note_watermark(draft, video)
    for key in ("images", "series_images"):
        images = result.get(key)
        if isinstance(images, list):
            for image in images:
                if isinstance(image, dict):
                    add_url(draft, image.get("url"), image=True)
                    note_watermark(draft, image, image=True)
                elif isinstance(image, str):
                    add_url(draft, image, image=True)
    audios = result.get("audios")
    if isinstance(audios, list) and audios:
        draft.note(f"task_result.audios has {len(audios)} audio result(s), not listed as video or image URLs")


def note_watermark(draft: Draft, item: dict[str, Any], *, image: bool = False) -> None:
    """``watermark_url`` is a watermarked copy of the result: noted, not listed as the result URL, unless
    the item has no plain ``url`` (then the watermarked copy is the only result there is)."""
    watermarked = item.get("watermark_url")
    if not isinstance(watermarked, str) or not watermarked:
        return
    url = item.get("url")
    if isinstance(url, str) and url.strip():
        draft.note("watermarked copies offered (watermark_url); not listed as result URLs")
        return
    draft.note("result item has only a watermark_url; listed as the result URL")
    add_url(draft, watermarked, image=image)


def read_outputs(draft: Draft, value: Any) -> None:
    """Collect URLs from a 3.x-style ``outputs[{type, url, duration}]`` list."""
    if not isinstance(value, list):
        return
    for output in value:
        if isinstance(output, dict):
            kind = output.get("type")
            is_image = isinstance(kind, str) and kind.lower() == "image"
            add_url(draft, output.get("url"), image=is_image)
            note_watermark(draft, output, image=is_image)
            if not is_image:
                add_duration(draft, output.get("duration"))


def read_common_urls(draft: Draft, obj: dict[str, Any]) -> None:
    """URLs at the places the non-Kling families put them: ``result_url``, ``url``, ``video_url``, ``metadata``."""
    add_url(draft, obj.get("result_url"))
    add_url(draft, obj.get("url"))
    add_url(draft, obj.get("video_url"))
    metadata = obj.get("metadata")
    if isinstance(metadata, dict):
        add_url(draft, metadata.get("url"))
        add_duration(draft, metadata.get("duration"))
    if "task_result" in obj:
        read_task_result(draft, obj.get("task_result"))
    if "outputs" in obj:
        read_outputs(draft, obj.get("outputs"))


def read_error_object(draft: Draft, value: Any) -> dict[str, Any] | None:
    """Offer ``error.message`` as a failure reason; returns the error object when there is one."""
    error = as_dict(value)
    if error is not None:
        draft.offer_reason(REASON_ERROR_MESSAGE, error.get("message"))
    return error


def read_legacy_fail_reason(draft: Draft, value: Any) -> None:
    """``fail_reason``: a failure reason, or (legacy new-api) the video URL of a succeeded task."""
    if not isinstance(value, str) or not value:
        return
    if draft.status is TaskStatus.SUCCEED and value.startswith(("http://", "https://")):
        draft.note("video URL carried in fail_reason (legacy new-api)")
        add_url(draft, value)
        return
    draft.offer_reason(REASON_FAIL_REASON, value)


def to_ms(draft: Draft, value: Any, name: str, unit: str = "auto") -> tuple[int | None, str | None]:
    """A timestamp in ms and the unit it was sent in (``ms``, ``s`` or ``iso``), or ``(None, None)``.

    ``unit`` is what the description declares: ``auto`` (numbers above 1e12 are ms, below seconds; ISO 8601
    strings parsed), or ``ms``/``s``/``iso`` to read the value in exactly that unit.
    """
    if type(value) is int and unit == "auto":  # the everyday case: an integer in ms or in seconds
        if _MS_FLOOR < value <= _MS_CEILING:
            return value, "ms"
        if 1 <= value <= _MS_FLOOR:
            return value * 1000, "s"
    if value is None or value == "" or value == 0:  # Go zero values mean "not set"
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        draft.note(f"{name} is {json_type(value)}, not a timestamp")
        return None, None
    if unit != "auto":
        return _declared_to_ms(draft, value, name, unit)
    if isinstance(value, str):
        return _string_to_ms(draft, value, name)
    if not math.isfinite(value):
        draft.note("number out of range")
        return None, None
    if value < 0.001:  # also rounds to 0 ms
        draft.note(f"{name} is not a positive timestamp: {value!r}")
        return None, None
    if value > _MS_CEILING:
        draft.note(f"{name} out of range for a timestamp: {value!r}")
        return None, None
    if value > _MS_FLOOR:
        return int(value), "ms"
    return int(value * 1000), "s"


def _declared_to_ms(draft: Draft, value: Any, name: str, unit: str) -> tuple[int | None, str | None]:
    """A timestamp the description says is in ``unit`` (``ms``, ``s`` or ``iso``)."""
    if unit == "iso":
        if not isinstance(value, str):
            draft.note(f"{name} is a number, not the ISO-8601 string the description declares")
            return None, None
        return _iso_to_ms(draft, value.strip(), name, declared=True)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            draft.note(f"{name} is not a timestamp: {value[:40]!r}")
            return None, None
        draft.note(f"{name} is a string, not a number")
    if not math.isfinite(value) or value <= 0:
        draft.note(f"{name} is not a positive timestamp: {value!r}")
        return None, None
    millis = value if unit == "ms" else value * 1000
    if millis > _MS_CEILING:
        draft.note(f"{name} out of range for a timestamp: {value!r}")
        return None, None
    return int(millis), unit


def _iso_to_ms(draft: Draft, stripped: str, name: str, *, declared: bool) -> tuple[int | None, str | None]:
    text = stripped[:-1] + "+00:00" if stripped.endswith(("Z", "z")) else stripped
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        draft.note(f"{name} is not a timestamp: {stripped[:40]!r}")
        return None, None
    if not declared:
        draft.note(f"{name} is an ISO-8601 string, not a number")
    if moment.tzinfo is None:
        draft.note(f"{name} has no time zone")
    try:
        return int(moment.timestamp() * 1000), "iso"
    except (OverflowError, OSError, ValueError):
        draft.note(f"{name} out of range for a timestamp: {stripped[:40]!r}")
        return None, None


def _string_to_ms(draft: Draft, value: str, name: str) -> tuple[int | None, str | None]:
    stripped = value.strip()
    try:
        number = float(stripped)
    except ValueError:
        number = None
    if number is not None:
        draft.note(f"{name} is a string, not a number")
        return to_ms(draft, number, name)
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        draft.note(f"{name} is not a timestamp: {value[:40]!r}")
        return None, None
    draft.note(f"{name} is an ISO-8601 string, not a number")
    if moment.tzinfo is None:
        draft.note(f"{name} has no time zone")
    try:
        return int(moment.timestamp() * 1000), "iso"
    except (OverflowError, OSError, ValueError):
        draft.note(f"{name} out of range for a timestamp: {value[:40]!r}")
        return None, None


def read_timestamps(
    draft: Draft,
    created: Any,
    updated: Any,
    *,
    created_name: str,
    updated_name: str,
    created_unit_declared: str = "auto",
    updated_unit_declared: str = "auto",
) -> None:
    """Set ``created_at``/``updated_at`` in ms and ``timestamp_unit``, noting seconds and mixed units."""
    created_ms, created_unit = to_ms(draft, created, created_name, created_unit_declared)
    updated_ms, updated_unit = to_ms(draft, updated, updated_name, updated_unit_declared)
    draft.created_at = created_ms
    draft.updated_at = updated_ms
    unit = created_unit or updated_unit
    draft.timestamp_unit = unit
    if created_unit and updated_unit and created_unit != updated_unit:
        draft.note(f"mixed timestamp units ({created_name} {created_unit}, {updated_name} {updated_unit})")
    if "s" in (created_unit, updated_unit):
        draft.note("timestamps in seconds")
    if draft.created_at is not None and draft.updated_at is not None and draft.updated_at < draft.created_at:
        draft.note(f"{updated_name} is before {created_name}")


def first_timestamp(obj: dict[str, Any], *keys: str) -> tuple[str, Any]:
    """The first key of ``keys`` holding a set timestamp (not null, ``0`` or ``""``), and its value."""
    for key in keys:
        value = obj.get(key)
        if value is not None and value != 0 and value != "" and not isinstance(value, bool):
            return key, value
    return keys[0], None


def first_present(obj: dict[str, Any], *keys: str) -> tuple[str, Any]:
    """The first key of ``keys`` present in ``obj`` with a non-null value, and that value."""
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return key, value
    return keys[0], None
