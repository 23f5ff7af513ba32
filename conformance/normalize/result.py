"""The normalizer's immutable result: what a gateway body is and what it means."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from conformance.models import TaskStatus


class Shape(enum.StrEnum):
    """Response shape ids (issue 3). The values are stable: profiles, reports and tests use them."""

    KLING = "kling"  # official envelope, integer code 0, data object or array
    KLING_ERROR = "kling-error"  # non-zero integer code, no data
    NEWAPI_TASK = "newapi-task"  # {code: "success", data: {...}}
    NEWAPI_ERROR = "newapi-error"  # string code other than "success"
    OPENAI_VIDEO = "openai-video"  # object "video…", or id+status+progress without a code
    OPENAI_ERROR = "openai-error"  # top-level error object
    FLAT_TASK = "flat-task"  # task_id+status without a code (or a lone task_id: new-api 2025-06 submit)
    TASK = "task"  # zero-config only: a task body read by common conventions (family not known)
    EMPTY = "empty"  # {} or an empty body
    NOT_JSON = "not-json"  # an HTML page or text
    UNKNOWN = "unknown"


ERROR_SHAPES = frozenset({Shape.KLING_ERROR, Shape.NEWAPI_ERROR, Shape.OPENAI_ERROR})


class CustomShape(str):
    """A shape id a profile's reading description defines (``piapi-task``); behaves like a :class:`Shape`."""

    __slots__ = ()

    @property
    def value(self) -> str:
        """The id, as ``Shape.value`` gives it."""
        return str(self)


#: A built-in shape or a profile-defined one.
ShapeId = Shape | CustomShape


def shape_id(text: str) -> ShapeId:
    """The :class:`Shape` called ``text``, or a :class:`CustomShape` for a profile's own id."""
    try:
        return Shape(text)
    except ValueError:
        return CustomShape(text)


@dataclass(frozen=True, kw_only=True)
class NormalizedResponse:
    """Canonical reading of one gateway response body.

    ``created_at``/``updated_at`` are always milliseconds. ``notes`` lists every oddity found
    ("timestamps in seconds", "code is a string", ...). ``departures`` is filled only when a profile
    was given: where the body departs from what that gateway's profile expects.

    Not ``slots``: the normalizer builds every result with :func:`result_from_fields` (one ``__dict__``
    update instead of a frozen ``__init__``'s twenty ``object.__setattr__`` calls, 4x faster).
    """

    shape: ShapeId
    is_error: bool
    status: TaskStatus | None = None
    raw_status: str | None = None
    task_id: str | None = None
    upstream_task_id: str | None = None
    external_task_id: str | None = None
    video_urls: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    video_durations: tuple[str, ...] = ()
    failure_reason: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    timestamp_unit: str | None = None  # "ms" | "s" | None when the body carries no timestamp
    status_code: int | None = None
    notes: tuple[str, ...] = ()
    departures: tuple[str, ...] = ()
    error_shape: bool = False  # the body's shape is an error shape (kling-error, a profile's error shape...)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object printed by ``kling-conformance inspect --json``."""
        return {
            "shape": self.shape.value,
            "is_error": self.is_error,
            "status": self.status.value if self.status is not None else None,
            "raw_status": self.raw_status,
            "task_id": self.task_id,
            "upstream_task_id": self.upstream_task_id,
            "external_task_id": self.external_task_id,
            "video_urls": list(self.video_urls),
            "image_urls": list(self.image_urls),
            "failure_reason": self.failure_reason,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "notes": list(self.notes),
            "departures": list(self.departures),
        }


_new_object = object.__new__


def result_from_fields(fields: dict[str, Any]) -> NormalizedResponse:
    """A :class:`NormalizedResponse` from a dict holding every one of its fields, in field order.

    The fast constructor of the normalizer's hot path: nothing is checked, so ``fields`` must name each
    field exactly once (``Draft.finish`` does; tests compare it with the dataclass constructor).
    """
    result = _new_object(NormalizedResponse)
    result.__dict__.update(fields)
    return result


def is_error_shape(result: NormalizedResponse) -> bool:
    """Whether ``result``'s shape is an error shape: a built-in one or a profile's ``error = true`` shape."""
    return result.error_shape or result.shape in ERROR_SHAPES
