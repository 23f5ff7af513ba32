"""The ``NORMALIZERS`` registry: one recogniser per response family, tried in a defined order.

A :class:`Recognizer` says whether a JSON object is one of its family's shapes (``classify``) and reads
that shape's fields into a :class:`~conformance.normalize.fields.Draft` (``extract``). The engine asks
each recogniser in ascending ``order`` and the first shape returned wins, so the more specific families
come first: envelopes with a ``code`` (Kling, new-api), then the OpenAI video object, then the flat task,
and the bare OpenAI error object last (a task object may carry an ``error`` too).

The bundled families are data (``conformance/normalize/descriptions/<id>.toml``); their recognisers
name the description (``reading``) and the engine reads its compiled shapes directly. A plug-in adds a
family with ``NORMALIZERS.add("name", Recognizer(...))`` (code: ``classify`` + ``extract``); it must
never raise, but the engine wraps it anyway and turns a crash into a note. A description-based family
is better added as data: a profile's ``[reading]`` shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.normalize.fields import Draft
from conformance.normalize.result import Shape, ShapeId
from conformance.registry import Registry


@dataclass(frozen=True, slots=True, kw_only=True)
class Recognizer:
    """One response family: which shapes it recognises and how it reads them."""

    family: str
    order: int
    shapes: tuple[ShapeId, ...]
    classify: Callable[[dict[str, Any]], Shape | None]
    extract: Callable[[dict[str, Any], Draft], None]
    description: str = ""
    reading: str = ""  # a bundled description id: the engine reads its shapes directly (data, not code)


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


def _description_recognizer(description_id: str, order: int) -> Recognizer:
    """The recogniser of a bundled description (``classify``/``extract`` run its shapes, for plug-in callers)."""
    from conformance.normalize.reading.engine import bundled

    description = bundled(description_id)
    shapes = tuple(dict.fromkeys(shape.id for shape in description.shapes))

    def first(body: dict[str, Any], draft: Draft | None = None) -> Any:
        probe = draft if draft is not None else Draft(shape=Shape.UNKNOWN)
        for shape in description.shapes:
            if shape.when is None or shape.when(body, probe):
                return shape
        return None

    def classify(body: dict[str, Any]) -> Shape | None:
        shape = first(body)
        return shape.id if shape is not None else None

    def extract(body: dict[str, Any], draft: Draft) -> None:
        shape = first(body, draft)
        if shape is not None:
            draft.error_shape = shape.error
            shape.reader.read(body, draft)

    return Recognizer(
        family=description_id,
        order=order,
        shapes=shapes,
        classify=classify,
        extract=extract,
        description=description_id and _title(description_id),
        reading=description_id,
    )


def _title(description_id: str) -> str:
    import tomllib

    from conformance.normalize.reading.engine import DESCRIPTIONS_DIR

    raw = tomllib.loads((DESCRIPTIONS_DIR / f"{description_id}.toml").read_text(encoding="utf-8"))
    return str(raw.get("title", description_id))


def register_bundled_families() -> None:
    """Register the bundled families (kling 10, newapi 20, openai-video 30, flat 40, openai-error 90)."""
    from conformance.normalize.reading.engine import FAMILY_ORDER

    for description_id, order in FAMILY_ORDER:
        if description_id not in NORMALIZERS.names():
            NORMALIZERS.add(description_id, _description_recognizer(description_id, order))
