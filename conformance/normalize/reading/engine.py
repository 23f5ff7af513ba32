"""Reading models: which shapes are tried for a body, in which order, and the one dispatch loop.

A :class:`ReadingModel` is the ordered list a body is tried against: a profile's own shapes, then the
bundled descriptions its ``[reading] base`` names (default: the ``classic`` set, exactly how the
built-in gateways read), then a fallback shape that always matches. Without a profile the ``auto``
model applies: common success codes first, the classic families, and the ``conventions`` fallback
(zero-config reading that says ``unknown`` when it cannot tell).

Bundled descriptions (``conformance/normalize/descriptions/<id>.toml``) are compiled once per process.
The families among them are registered in ``NORMALIZERS`` (``conformance.normalize.recognizer``) with
their order; a plug-in may register a code :class:`~conformance.normalize.recognizer.Recognizer` there
too and is tried at its order, in the same loop.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.models import TaskStatus
from conformance.normalize.fields import Draft
from conformance.normalize.reading.conditions import DescriptionError
from conformance.normalize.reading.model import Description, Reader, ShapeSpec, compile_description, decode_body
from conformance.normalize.recognizer import NORMALIZERS

DESCRIPTIONS_DIR = Path(__file__).resolve().parent.parent / "descriptions"

#: The bundled families, in the order the classic set tries them (with their NORMALIZERS order).
FAMILY_ORDER: tuple[tuple[str, int], ...] = (
    ("kling", 10),
    ("newapi", 20),
    ("openai-video", 30),
    ("flat", 40),
    ("openai-error", 90),
)
#: ``base`` ids that stand for a set rather than one description.
SETS = ("classic", "auto")


def bundled_ids() -> list[str]:
    """Ids of the bundled descriptions (``common`` holds only shared readers)."""
    return sorted(path.stem for path in DESCRIPTIONS_DIR.glob("*.toml"))


@functools.cache
def bundled(description_id: str) -> Description:
    """The compiled bundled description ``description_id`` (parsed and compiled once per process)."""
    path = DESCRIPTIONS_DIR / f"{description_id}.toml"
    if not path.is_file():
        raise DescriptionError(
            f"unknown bundled description {description_id!r}",
            field="reading.base",
            fix=f"use one of: {', '.join([*SETS, *bundled_ids()])}",
        )
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    lookup = _shared_reader if description_id != "common" else (lambda name: None)
    return compile_description(
        raw, id=description_id, prefix=f"descriptions/{description_id}.toml", lookup_reader=lookup
    )


def _shared_reader(name: str) -> Reader | None:
    return bundled("common").readers.get(name)


def bundled_reader(name: str) -> Reader:
    """A reader of the shared set (``kling-task``, ``kling-upstream``, ``task-dto``, ``common-urls``)."""
    reader = _shared_reader(name)
    if reader is None:  # a programming error in a transform
        raise KeyError(name)
    return reader


#: One entry of a model: a compiled shape, or a plug-in recogniser (code) from ``NORMALIZERS``.
Entry = Any


@dataclass(frozen=True, slots=True)
class ReadingModel:
    """The shapes tried for a body in order, the status words, and the fallback that always matches."""

    entries: tuple[Entry, ...]
    fallback: ShapeSpec
    statuses: dict[str, TaskStatus] = field(default_factory=dict)
    name: str = ""


def _family_entries() -> tuple[Entry, ...]:
    """The classic families in NORMALIZERS order: each description's shapes, or a plug-in recogniser."""
    from conformance.normalize.recognizer import recognizers_in_order

    entries: list[Entry] = []
    for recognizer in recognizers_in_order():
        if recognizer.reading:
            entries.extend(bundled(recognizer.reading).shapes)
        else:
            entries.append(recognizer)
    return tuple(entries)


_models: dict[str, tuple[Any, ReadingModel]] = {}


def _cached(name: str, build: Any) -> ReadingModel:
    stamp = NORMALIZERS.version
    found = _models.get(name)
    if found is not None and found[0] == stamp:
        return found[1]
    model = build()
    _models[name] = (stamp, model)
    return model


def classic_model() -> ReadingModel:
    """How the built-in gateways read: the bundled families in order, then the ``unknown`` fallback."""
    return _cached(
        "classic",
        lambda: ReadingModel(entries=_family_entries(), fallback=bundled("unknown").shapes[0], name="classic"),
    )


def auto_model() -> ReadingModel:
    """Zero-config reading: common success codes, the classic families, then the ``conventions`` fallback."""
    found = _models.get("auto")
    if found is not None and found[0] == NORMALIZERS.version:
        return found[1]

    def build() -> ReadingModel:
        conventions = bundled("conventions")
        guard = bundled("success-codes").shapes
        return ReadingModel(
            entries=(*guard, *_family_entries(), *conventions.shapes[:-1]),
            fallback=conventions.shapes[-1],
            statuses=dict(conventions.statuses),
            name="auto",
        )

    return _cached("auto", build)


def build_model(description: Description | None, *, name: str = "") -> ReadingModel:
    """The model of a profile's compiled ``[reading]`` (``None``: the classic set)."""
    if description is None:
        return classic_model()
    base = description.base if description.base is not None else ("classic",)
    entries: list[Entry] = list(description.shapes)
    statuses: dict[str, TaskStatus] = {}
    fallback = bundled("unknown").shapes[0]
    for item in base:
        if item == "classic":
            entries.extend(classic_model().entries)
        elif item == "auto":
            auto = auto_model()
            entries.extend(auto.entries)
            statuses.update(auto.statuses)
            fallback = auto.fallback
        else:
            entries.extend(bundled(item).shapes)
            statuses.update(bundled(item).statuses)
    statuses.update(description.statuses)
    return ReadingModel(entries=tuple(entries), fallback=fallback, statuses=statuses, name=name)


_profile_models: dict[int, tuple[Description, Any, ReadingModel]] = {}


def model_for(description: Description | None) -> ReadingModel:
    """The reading model of a profile's compiled ``[reading]`` (cached per description)."""
    if description is None:
        return classic_model()
    stamp = NORMALIZERS.version
    found = _profile_models.get(id(description))
    if found is not None and found[0] is description and found[1] == stamp:
        return found[2]
    model = build_model(description, name=description.id)
    if len(_profile_models) > 256:
        _profile_models.clear()
    _profile_models[id(description)] = (description, stamp, model)
    return model


def dispatch(draft: Draft, body: dict[str, Any], model: ReadingModel, operation: str | None) -> None:
    """Try each entry of ``model`` in order on ``body``; the first that matches reads it."""
    draft.statuses = model.statuses or None
    members = body.keys()
    for entry in model.entries:
        if type(entry) is ShapeSpec:
            if entry.requires and not members >= entry.requires:
                continue
            if entry.operations and operation is not None and not entry.matches_operation(operation):
                continue
            if entry.decode and entry.when_sees_decoded:
                candidate = decode_body(body, entry.decode, draft)
                if entry.when is None or entry.when(candidate, draft):
                    _read(entry, candidate, draft)
                    return
                draft.pending_notes.clear()
            elif entry.when is None or entry.when(body, draft):  # decoding cannot change what `when` reads
                _read(entry, decode_body(body, entry.decode, draft) if entry.decode else body, draft)
                return
        elif _plugin(entry, body, draft):
            return
    _read(model.fallback, body, draft)


def _read(shape: ShapeSpec, body: Any, draft: Draft) -> None:
    draft.shape = shape.id
    draft.error_shape = shape.error
    shape.reader.read(body, draft)
    if draft.pending_notes:  # a shape without a decode step still says what it decoded
        draft.notes.extend(note for note in draft.pending_notes if note not in draft.notes)
        draft.pending_notes.clear()


def _plugin(recognizer: Any, body: dict[str, Any], draft: Draft) -> bool:
    """A code recogniser registered by a plug-in; a crash becomes a note."""
    try:
        shape = recognizer.classify(body)
    except Exception as exc:
        draft.note(f"normalizer {recognizer.family!r} failed to classify ({type(exc).__name__})")
        return False
    if shape is None:
        return False
    from conformance.normalize.result import ERROR_SHAPES

    draft.shape = shape
    draft.error_shape = shape in ERROR_SHAPES
    try:
        recognizer.extract(body, draft)
    except Exception as exc:
        draft.note(f"normalizer {recognizer.family!r} failed to read the body ({type(exc).__name__})")
    return True
