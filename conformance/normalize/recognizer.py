"""The ``NORMALIZERS`` registry: one recogniser per response family, tried in a defined order.

A :class:`Recognizer` says whether a JSON object is one of its family's shapes (``classify``) and reads
that shape's fields into a :class:`~conformance.normalize.fields.Draft` (``extract``). The engine asks
each recogniser in ascending ``order`` and the first shape returned wins, so the more specific families
come first: envelopes with a ``code`` (Kling, new-api), then the OpenAI video object, then the flat task,
and the bare OpenAI error object last (a task object may carry an ``error`` too).

A plug-in adds a family with ``NORMALIZERS.add("name", Recognizer(...))``; it must never raise, but the
engine wraps it anyway and turns a crash into a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.normalize.fields import Draft
from conformance.normalize.result import Shape
from conformance.registry import Registry


@dataclass(frozen=True, slots=True, kw_only=True)
class Recognizer:
    """One response family: which shapes it recognises and how it reads them."""

    family: str
    order: int
    shapes: tuple[Shape, ...]
    classify: Callable[[dict[str, Any]], Shape | None]
    extract: Callable[[dict[str, Any], Draft], None]
    description: str = ""


NORMALIZERS: Registry[Recognizer] = Registry("normalizer")

_cached_items: list[tuple[str, Recognizer]] = []
_cached_order: list[Recognizer] = []


def recognizers_in_order() -> list[Recognizer]:
    """Registered recognisers sorted by ``order`` (re-sorted only when the registry changed)."""
    global _cached_items, _cached_order
    items = NORMALIZERS.items()
    if items != _cached_items:  # list equality checks identity first: cheap when nothing changed
        _cached_order = sorted((item for _, item in items), key=lambda item: item.order)
        _cached_items = items
    return _cached_order
