"""The compiled steps of a reader: one closure per field, note, rule, guard or transform.

A step is ``(node, body, draft) -> None``: ``node`` is the value the reader reads, ``body`` the reader's
input. Everything a step needs is worked out once, when the description is compiled: each place of a
field becomes a *plan* (its member name when the query is a plain ``$.name``, looked up inline with
``dict.get``; otherwise the compiled query), so reading a body costs a few dict lookups per field and no
exceptions, and a note string is built only when it is said.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.models import TaskStatus
from conformance.normalize.fields import (
    _MS_CEILING,
    _MS_FLOOR,
    Draft,
    add_duration,
    add_url,
    json_type,
    read_id,
    read_status,
    read_timestamps,
    text,
)
from conformance.normalize.parse import parse_wrapped_json
from conformance.normalize.reading.conditions import (
    DescriptionError,
    Predicate,
    _query,
    as_number,
    json_type_of,
    member_name,
)
from conformance.normalize.reading.paths import MISSING, Query

#: A compiled step: (the node fields are read from, the reader's input, the draft).
Step = Callable[[Any, Any, Draft], None]

ID_FIELDS = ("task_id", "upstream_task_id", "external_task_id")
LIST_FIELDS = ("video_urls", "image_urls", "video_durations")
TIME_FIELDS = ("created_at", "updated_at")


@dataclass(frozen=True, slots=True)
class Alternative:
    """One place a field may be: a query, and what to say when this is the place it was found."""

    query: Query
    note: str = ""
    label: str = ""  # the name notes use ("data.task_id"); default: the path without "$."
    types: frozenset[str] | None = None  # only values of these JSON types count
    rank: int | None = None
    unit: str = "auto"
    as_number: bool = False
    pattern: Any = None  # only strings this regex finds something in count

    @property
    def path(self) -> str:
        """The JSONPath text."""
        return self.query.text

    @property
    def steps(self) -> tuple[Any, ...] | None:
        """Name/index steps when the path is singular (writable), else ``None``."""
        return self.query.steps if self.query.singular else None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one canonical field lives: alternatives in order, and what to note when none holds it."""

    name: str
    alternatives: tuple[Alternative, ...]
    missing_note: str = ""
    first_present: bool = False  # the first place holding a value decides, usable or not
    first_set: bool = False  # timestamps: skip unset values (null, 0, "", booleans) even with one place


def _usable(alt: Alternative, value: Any) -> bool:
    """Whether ``value`` passes the place's ``type`` and ``matches`` filters."""
    if alt.types is not None and json_type_of(value) not in alt.types:
        return False
    return alt.pattern is None or (isinstance(value, str) and alt.pattern.search(value) is not None)


def _two_names(query: Query) -> tuple[str | None, str | None]:
    """(first, second) member names of a plain ``$.a`` or ``$.a.b`` query (looked up inline), else Nones."""
    steps = query.steps
    if query.singular and steps is not None and 1 <= len(steps) <= 2 and all(type(step) is str for step in steps):
        return str(steps[0]), str(steps[1]) if len(steps) == 2 else None
    return None, None


#: A place, compiled: (first member name or None, second member name or None, the query's ``get``,
#: whether it filters, the alternative). With a first name the value is looked up inline (absent and
#: null are alike to every step that uses a plan).
Plan = tuple[str | None, str | None, Callable[[Any], Any], bool, Alternative]


def _plans(alternatives: tuple[Alternative, ...]) -> tuple[Plan, ...]:
    return tuple(
        (*_two_names(alt.query), alt.query.get, alt.types is not None or alt.pattern is not None, alt)
        for alt in alternatives
    )


def _first_taken(plans: tuple[Plan, ...], node: Any, draft: Draft, first_present: bool, take: Take) -> bool:
    """Offer each place's non-null value to ``take`` in order until it takes one (True) or, with
    ``first_present``, until the first value that it could not use (also True: decided, nothing taken).
    False: no place decided (the field's ``missing_note`` applies)."""
    is_dict = type(node) is dict
    for first, second, get, filtered, alt in plans:
        if first is not None:
            value = node.get(first) if is_dict else None
            if second is not None and value is not None:
                value = value.get(second) if type(value) is dict else None
        else:
            value = get(node)
            if value is MISSING:
                continue
        if value is None:
            continue
        if filtered and not _usable(alt, value):
            if first_present:
                return True
            continue
        if take(draft, value, alt):
            return True
        if first_present:
            return True
    return False


#: Takes a field's value into the draft (True), or refuses it (False: the next place is tried).
Take = Callable[[Draft, Any, Alternative], bool]


def _first_field_step(spec: FieldSpec, take: Take, *, first_present: bool) -> Step:
    plans = _plans(spec.alternatives)
    missing_note = spec.missing_note

    def step(node: Any, body: Any, draft: Draft) -> None:
        if not _first_taken(plans, node, draft, first_present, take) and missing_note:
            draft.note(missing_note)

    return step


def _id_step(spec: FieldSpec) -> Step:
    name = spec.name

    def take(draft: Draft, value: Any, alt: Alternative) -> bool:
        found = value if type(value) is str and value.strip() else read_id(draft, value, alt.label)
        if found is None:
            return False
        setattr(draft, name, found)
        if alt.note:
            draft.note(alt.note)
        return True

    return _first_field_step(spec, take, first_present=spec.first_present)


def _take_status(draft: Draft, value: Any, alt: Alternative) -> bool:
    read_status(draft, value, alt.label)
    if alt.note:
        draft.note(alt.note)
    return True


def _take_error_code(draft: Draft, value: Any, alt: Alternative) -> bool:
    if alt.as_number:
        number = as_number(value)
        found = None if number is MISSING else str(number)
    else:
        found = text(value)
    if found is None:
        return False
    draft.error_code = found
    if alt.note:
        draft.note(alt.note)
    return True


def _take_error_message(draft: Draft, value: Any, alt: Alternative) -> bool:
    if not isinstance(value, str) or not value:
        return False
    draft.error_message = value
    if alt.note:
        draft.note(alt.note)
    return True


def _list_step(spec: FieldSpec) -> Step:
    alternatives = spec.alternatives
    if spec.name == "video_durations":

        def durations(node: Any, body: Any, draft: Draft) -> None:
            for alt in alternatives:
                for value in alt.query.all(node):
                    add_duration(draft, value)

        return durations
    image = spec.name == "image_urls"
    plans = tuple((*plan, plan[4].query.singular, plan[4].query.all) for plan in _plans(alternatives))

    def urls(node: Any, body: Any, draft: Draft) -> None:
        is_dict = type(node) is dict
        for first, second, get, filtered, alt, singular, every in plans:
            if first is not None:  # an absent or null value adds nothing and says nothing
                value = node.get(first) if is_dict else None
                if second is not None and value is not None:
                    value = value.get(second) if type(value) is dict else None
                if value is None:
                    continue
                values: Any = (value,)
            elif singular:
                value = get(node)
                if value is MISSING:
                    continue
                values = (value,)
            else:
                values = every(node)
            if filtered:
                values = [value for value in values if _usable(alt, value)]
            if alt.note and any(values):
                draft.note(alt.note)
            for value in values:
                add_url(draft, value, image=image)

    return urls


def _reason_step(spec: FieldSpec) -> Step:
    ranked = tuple(
        (alt.query.get, alt.query.all, alt.query.singular, alt.rank if alt.rank is not None else index)
        for index, alt in enumerate(spec.alternatives)
    )

    def step(node: Any, body: Any, draft: Draft) -> None:
        for get, every, singular, rank in ranked:
            if singular:
                value = get(node)
                if isinstance(value, str):
                    draft.offer_reason(rank, value)
            else:
                for value in every(node):
                    draft.offer_reason(rank, value)

    return step


def field_step(spec: FieldSpec) -> Step:
    """The step reading one canonical field (not a timestamp: see :func:`timestamps_step`)."""
    if spec.name in ID_FIELDS:
        return _id_step(spec)
    if spec.name == "status":
        return _first_field_step(spec, _take_status, first_present=spec.first_present)
    if spec.name in LIST_FIELDS:
        return _list_step(spec)
    if spec.name == "failure_reason":
        return _reason_step(spec)
    if spec.name == "error_code":  # error codes and messages never stop at the first place
        return _first_field_step(spec, _take_error_code, first_present=False)
    return _first_field_step(spec, _take_error_message, first_present=False)


def _pick_time(spec: FieldSpec | None, node: Any, default_label: str) -> tuple[str, Any, str]:
    """(label, value, unit): one place is used as it is; of several, the first holding a set timestamp."""
    if spec is None or not spec.alternatives:
        return default_label, None, "auto"
    alternatives = spec.alternatives
    if len(alternatives) == 1 and not spec.first_set:
        alt = alternatives[0]
        value = alt.query.get(node)
        return alt.label, None if value is MISSING else value, alt.unit
    for alt in alternatives:
        value = alt.query.get(node)
        if value is not MISSING and value is not None and value != 0 and value != "" and not isinstance(value, bool):
            return alt.label, value, alt.unit
    first = alternatives[0]
    return first.label, None, first.unit


def _first_plain_member(spec: FieldSpec | None) -> tuple[str, str] | None:
    """(member name, label) of a timestamp field's first place when it is a plain ``$.name`` read in ``auto``."""
    if spec is None or not spec.alternatives:
        return None
    first = spec.alternatives[0]
    name = member_name(first.query)
    return (name, first.label) if name is not None and first.unit == "auto" else None


def timestamps_step(created: FieldSpec | None, updated: FieldSpec | None) -> Step:
    """The step reading both timestamps (their units are compared, so they are read together).

    Fast path: both first places hold integers, both in milliseconds or both in seconds. Such a value is
    "set", so it is the one :func:`_pick_time` picks, and :func:`read_timestamps` reads it in that unit.
    """
    created_first = _first_plain_member(created)
    updated_first = _first_plain_member(updated)
    fast = created_first is not None and updated_first is not None
    created_key, created_label = created_first or ("", "")
    updated_key, updated_label = updated_first or ("", "")
    before_note = f"{updated_label} is before {created_label}"

    def step(node: Any, body: Any, draft: Draft) -> None:
        if fast and type(node) is dict:
            created_ms = node.get(created_key)
            updated_ms = node.get(updated_key)
            if type(created_ms) is int and type(updated_ms) is int:
                if _MS_FLOOR < created_ms <= _MS_CEILING and _MS_FLOOR < updated_ms <= _MS_CEILING:
                    draft.created_at = created_ms
                    draft.updated_at = updated_ms
                    draft.timestamp_unit = "ms"
                    if updated_ms < created_ms:
                        draft.note(before_note)
                    return
                if 1 <= created_ms <= _MS_FLOOR and 1 <= updated_ms <= _MS_FLOOR:  # both in seconds
                    draft.created_at = created_ms * 1000
                    draft.updated_at = updated_ms * 1000
                    draft.timestamp_unit = "s"
                    draft.note("timestamps in seconds")
                    if updated_ms < created_ms:
                        draft.note(before_note)
                    return
        created_name, created_value, created_unit = _pick_time(created, node, "created_at")
        updated_name, updated_value, updated_unit = _pick_time(updated, node, "updated_at")
        read_timestamps(
            draft,
            created_value,
            updated_value,
            created_name=created_name,
            updated_name=updated_name,
            created_unit_declared=created_unit,
            updated_unit_declared=updated_unit,
        )

    return step


_TEMPLATE = re.compile(r"\{(\$[^{}!]*)(?:!(r|type))?(?::(\d+))?\}")


def _render_template(note: str, where: str) -> Callable[[Any], str] | None:
    """``{$.path}``, ``{$.path!r}``, ``{$.path!r:40}`` (cut to 40 characters), ``{$.path!type}`` in a note."""
    parts = list(_TEMPLATE.finditer(note))
    if not parts:
        return None
    pieces: list[Any] = []
    last = 0
    for match in parts:
        pieces.append(note[last : match.start()])
        pieces.append((_query(match[1], where), match[2] or "", int(match[3]) if match[3] else None))
        last = match.end()
    pieces.append(note[last:])

    def render(node: Any) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            query, conversion, cut = piece
            value = query.get(node)
            if isinstance(value, str) and cut is not None:
                value = value[:cut]
            if conversion == "type":
                out.append(json_type(None if value is MISSING else value))
            elif conversion == "r":
                out.append(repr(value))
            else:
                out.append(str(value))
        return "".join(out)

    return render


def note_step(note: str, predicate: Predicate | None, where: str = "note") -> Step:
    """Say ``note`` (a template, rendered only when said) when ``predicate`` holds."""
    render = _render_template(note, where)
    if predicate is None and render is None:
        return lambda node, body, draft: draft.note(note)
    if render is None:
        assert predicate is not None
        holds = predicate

        def plain(node: Any, body: Any, draft: Draft) -> None:
            if holds(node, draft):
                draft.note(note)

        return plain

    def step(node: Any, body: Any, draft: Draft) -> None:
        if predicate is None or predicate(node, draft):
            draft.note(render(node))

    return step


def guarded(inner: Step, at: Query | None, predicate: Predicate | None) -> Step:
    """``inner`` on the node at ``at`` (skipped when absent), when ``predicate`` holds on that node."""
    if at is None and predicate is None:
        return inner
    if at is None:
        assert predicate is not None
        holds = predicate

        def when_only(node: Any, body: Any, draft: Draft) -> None:
            if holds(node, draft):
                inner(node, body, draft)

        return when_only
    member = member_name(at)
    get = at.get

    def step(node: Any, body: Any, draft: Draft) -> None:
        if member is not None:
            if type(node) is not dict or member not in node:
                return
            target = node[member]
        else:
            target = get(node)
            if target is MISSING:
                return
        if predicate is None or predicate(target, draft):
            inner(target, body, draft)

    return step


def decode_notes_step(node: Any, body: Any, draft: Draft) -> None:
    """Say which strings held JSON (the engine decoded them before matching)."""
    for note in draft.pending_notes:
        draft.note(note)
    draft.pending_notes.clear()


def status_rule_step(status: TaskStatus, predicate: Predicate | None, note: str) -> Step:
    """Set ``status`` when a status was read and ``predicate`` holds (a combination such as COMPLETED + error)."""

    def step(node: Any, body: Any, draft: Draft) -> None:
        held = draft.status is not None and (predicate is None or predicate(node, draft))
        if held and draft.status is not status:
            draft.status = status
            draft.note(note or f"status {draft.raw_status!r} read as {status.value} (a status rule)")

    return step


def transform_step(name: str, where: str) -> Step:
    """The registered transform ``name`` itself (a transform is already a step)."""
    from conformance.normalize.reading.transforms import READ_TRANSFORMS

    if name not in READ_TRANSFORMS.names():
        from conformance.errors import did_you_mean

        raise DescriptionError(
            f"unknown transform {name!r}.{did_you_mean(name, READ_TRANSFORMS.names())}",
            field=where,
            fix=f"use one of: {', '.join(READ_TRANSFORMS.names())}",
        )
    return READ_TRANSFORMS.get(name).run


def decode_body(body: Any, decode: tuple[tuple[Query, str], ...], draft: Draft | None) -> Any:
    """``body`` with JSON held in strings at the decode paths parsed (copies only the containers on the way)."""
    for query, note in decode:
        value = query.get(body)
        if not isinstance(value, str):
            continue
        inner = parse_wrapped_json(value)
        if not isinstance(inner, dict | list):
            continue
        body = _replace(body, query.steps or (), inner)
        if draft is not None and note:
            draft.pending_notes.append(note)
    return body


def _replace(node: Any, steps: tuple[Any, ...], value: Any) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(node, dict):
        copy = dict(node)
        copy[head] = _replace(node[head], rest, value)
        return copy
    copy_list = list(node)
    copy_list[head] = _replace(node[head], rest, value)
    return copy_list
