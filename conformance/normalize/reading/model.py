"""Compile a reading description (data) into fast readers: shapes, field steps, conditions, transforms.

A *description* is a table with ``shapes`` (tried in order; the first whose ``when`` all hold wins),
optional ``readers`` (named field sets a shape or a transform reuses), ``statuses`` (raw word ->
canonical status) and ``base`` (bundled descriptions tried after these shapes). Its keys are documented
in ``docs/profiles.md``; a profile holds one under ``[reading]`` and the bundled ones live in
``conformance/normalize/descriptions/<id>.toml``.

Compilation happens once per description: every JSONPath is parsed, every condition becomes a
predicate and every field a step closure, so reading a body is a handful of dict lookups per field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.models import TaskStatus
from conformance.normalize.fields import Draft
from conformance.normalize.reading.conditions import (
    JSON_TYPES,
    DescriptionError,
    Predicate,
    _query,
    compile_conditions,
    condition_paths,
    required_members,
)
from conformance.normalize.reading.paths import MISSING, WILDCARD, Query
from conformance.normalize.reading.steps import (
    ID_FIELDS,
    LIST_FIELDS,
    TIME_FIELDS,
    Alternative,
    FieldSpec,
    Step,
    decode_body,
    decode_notes_step,
    field_step,
    guarded,
    note_step,
    status_rule_step,
    timestamps_step,
    transform_step,
)
from conformance.normalize.result import ShapeId, shape_id
from conformance.normalize.vocab import fold_status_word

__all__ = ["ID_FIELDS", "LIST_FIELDS", "TIME_FIELDS", "Alternative", "FieldSpec", "Step", "decode_body"]

FIELDS = (
    *ID_FIELDS,
    "status",
    *LIST_FIELDS,
    "failure_reason",
    "error_code",
    "error_message",
    *TIME_FIELDS,
)
READER_KEYS = (*FIELDS, "at", "notes", "transforms", "steps", "status_rules")
SHAPE_KEYS = ("id", "error", "operations", "when", "decode", "read", *READER_KEYS)
DESCRIPTION_KEYS = ("base", "statuses", "shapes", "readers", "title", "description")
ALTERNATIVE_KEYS = ("path", "note", "label", "type", "matches", "rank", "unit", "as")
FIELD_TABLE_KEYS = ("paths", "missing_note", "unit", "first_present", "first_set")
STEP_KEYS = ("field", "note", "reader", "transform", "when", "at")
UNITS = ("auto", "ms", "s", "iso")
CANONICAL = tuple(status.value for status in TaskStatus)


@dataclass(frozen=True, slots=True)
class Reader:
    """A compiled field set: the node it reads (``at``) and its steps in order."""

    name: str
    at: Query | None
    steps: tuple[Step, ...]
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    def read(self, body: Any, draft: Draft) -> None:
        """Run every step on ``body`` (or on the node at ``at``; nothing when that node is absent)."""
        node = body if self.at is None else self.at.get(body)
        if node is MISSING:
            return
        for step in self.steps:
            step(node, body, draft)


@dataclass(frozen=True, slots=True)
class ShapeSpec:
    """One body kind: when it applies, whether it is an error, and how it is read."""

    id: ShapeId
    error: bool
    when: Predicate | None
    operations: tuple[str, ...]
    decode: tuple[tuple[Query, str], ...]
    reader: Reader
    #: Top-level members a body must have for ``when`` to hold (a prefilter; empty: no certainty).
    requires: frozenset[str] = frozenset()
    #: Whether ``when`` may read a value the decode steps change (then it is tested on the decoded
    #: body; otherwise on the body as sent, and only a matching body is decoded).
    when_sees_decoded: bool = True

    def matches_operation(self, operation: str) -> bool:
        """Whether this shape is meant for ``operation`` (``image2video.get``)."""
        return not self.operations or _operation_matches(operation, self.operations)

    @property
    def fields(self) -> dict[str, FieldSpec]:
        """The field places this shape reads (for emulation and documentation)."""
        return self.reader.fields


def _operation_matches(operation: str, patterns: tuple[str, ...]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(operation, pattern) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class Description:
    """A compiled description: its shapes in order, named readers, status words and base ids."""

    id: str
    shapes: tuple[ShapeSpec, ...]
    readers: dict[str, Reader]
    statuses: dict[str, TaskStatus]
    base: tuple[str, ...] | None  # None: not said (the default set applies)


class _Compiler:
    """Compiles one description; every error names the dotted key it is about."""

    def __init__(self, prefix: str, lookup_reader: Callable[[str], Reader | None]) -> None:
        self.prefix = prefix
        self.lookup_reader = lookup_reader
        self.readers: dict[str, Reader] = {}

    def where(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def unknown_keys(self, raw: dict[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
        for key in raw:
            if key not in allowed:
                from conformance.errors import did_you_mean

                hint = _NATURAL_KEYS.get(key, "")
                suggestion = f" Did you mean {hint!r}?" if hint else did_you_mean(key, allowed)
                raise DescriptionError(
                    f"unknown key {key!r} in {what}.{suggestion}",
                    field=f"{where}.{key}",
                    fix=f"use one of: {', '.join(allowed)}",
                )

    def alternative(self, raw: Any, where: str, *, unit: str = "auto") -> Alternative:
        if isinstance(raw, str):
            query = _query(raw, where)
            return Alternative(query=query, label=_label(raw), unit=unit)
        if not isinstance(raw, dict):
            raise DescriptionError(
                "a field place is a JSONPath string or a table",
                field=where,
                fix='write "$.data.task_id" or { path = "$.data.id", note = "..." }',
            )
        self.unknown_keys(raw, ALTERNATIVE_KEYS, where, "a field place")
        if "path" not in raw:
            raise DescriptionError("a field place needs a path", field=where, fix='add path = "$.data.task_id"')
        query = _query(raw["path"], f"{where}.path")
        types = None
        if "type" in raw:
            wanted = raw["type"] if isinstance(raw["type"], list) else [raw["type"]]
            for name in wanted:
                if name not in JSON_TYPES:
                    raise DescriptionError(
                        f"unknown JSON type {name!r}", field=f"{where}.type", fix=f"use one of: {', '.join(JSON_TYPES)}"
                    )
            types = frozenset(wanted) | ({"integer"} if "number" in wanted else set())
        alt_unit = str(raw.get("unit", unit))
        if alt_unit not in UNITS:
            raise DescriptionError(
                f"unknown timestamp unit {alt_unit!r}", field=f"{where}.unit", fix=f"use one of: {', '.join(UNITS)}"
            )
        rank = raw.get("rank")
        if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool)):
            raise DescriptionError("rank is a whole number", field=f"{where}.rank")
        if raw.get("as") not in (None, "number"):
            raise DescriptionError(f"unknown conversion {raw.get('as')!r}", field=f"{where}.as", fix='use "number"')
        pattern = None
        if "matches" in raw:
            import re

            try:
                pattern = re.compile(str(raw["matches"]))
            except re.error as exc:
                raise DescriptionError(f"not a regular expression: {exc}", field=f"{where}.matches") from None
        return Alternative(
            pattern=pattern,
            query=query,
            note=str(raw.get("note", "")),
            label=str(raw.get("label") or _label(raw["path"])),
            types=types,
            rank=rank,
            unit=alt_unit,
            as_number=raw.get("as") == "number",
        )

    def field_spec(self, name: str, raw: Any, where: str) -> FieldSpec:
        missing_note = ""
        unit = "auto"
        options: dict[str, bool] = {}
        if isinstance(raw, dict) and "paths" in raw:
            self.unknown_keys(raw, FIELD_TABLE_KEYS, where, f"field {name!r}")
            missing_note = str(raw.get("missing_note", ""))
            unit = str(raw.get("unit", "auto"))
            options = {key: bool(raw[key]) for key in ("first_present", "first_set") if key in raw}
            raw = raw["paths"]
        items = raw if isinstance(raw, list) else [raw]
        alternatives = tuple(self.alternative(item, f"{where}[{i}]", unit=unit) for i, item in enumerate(items))
        if not alternatives and not missing_note:
            raise DescriptionError(f"field {name!r} lists no place", field=where, fix='give a path such as "$.data.x"')
        return FieldSpec(name=name, alternatives=alternatives, missing_note=missing_note, **options)

    def reader(self, name: str, raw: dict[str, Any], where: str, allowed: tuple[str, ...]) -> Reader:
        self.unknown_keys(raw, allowed, where, "a shape" if "id" in allowed else "a reader")
        fields = {key: self.field_spec(key, raw[key], f"{where}.{key}") for key in FIELDS if key in raw}
        steps: list[Step] = []
        timestamps_done = False
        for kind, item, step_where in self._step_order(raw, where):
            if kind == "field":
                if item in TIME_FIELDS:
                    if not timestamps_done:
                        steps.append(timestamps_step(fields.get("created_at"), fields.get("updated_at")))
                        timestamps_done = True
                    continue
                steps.append(field_step(fields[item]))
            elif kind == "notes":
                steps.extend(self.notes(raw.get("notes", []), f"{where}.notes"))
            elif kind == "status_rules":
                steps.extend(self.status_rules(raw.get("status_rules", []), f"{where}.status_rules"))
            elif kind == "transform":
                steps.append(transform_step(item, step_where))
            elif kind == "reader":
                steps.append(self.reader_step(item, step_where))
            elif kind == "decode":
                steps.append(decode_notes_step)
            elif kind == "table":
                steps.append(self.step_table(raw, item, step_where, fields))
        at = _query(raw["at"], f"{where}.at") if "at" in raw else None
        return Reader(name=name, at=at, steps=tuple(steps), fields=fields)

    def _step_order(self, raw: dict[str, Any], where: str) -> list[tuple[str, Any, str]]:
        if "steps" in raw:
            order: list[tuple[str, Any, str]] = []
            for index, item in enumerate(raw["steps"]):
                item_where = f"{where}.steps[{index}]"
                if isinstance(item, dict):
                    order.append(("table", item, item_where))
                    continue
                text_item = str(item)
                if text_item in FIELDS:
                    if text_item not in raw:
                        raise DescriptionError(
                            f"step {text_item!r} names a field this shape does not place",
                            field=item_where,
                            fix=f'add {text_item} = "$...." or remove the step',
                        )
                    order.append(("field", text_item, item_where))
                elif text_item in ("notes", "status_rules", "decode"):
                    order.append((text_item, text_item, item_where))
                elif text_item.startswith("transform:"):
                    order.append(("transform", text_item.split(":", 1)[1], item_where))
                elif text_item.startswith("reader:"):
                    order.append(("reader", text_item.split(":", 1)[1], item_where))
                else:
                    raise DescriptionError(
                        f"unknown step {text_item!r}",
                        field=item_where,
                        fix="use a field name, notes, status_rules, decode, transform:<name>, reader:<name> or a table",
                    )
            return order
        order = [("decode", "decode", where)] if "decode" in raw else []
        for key in raw:
            if key in FIELDS:
                order.append(("field", key, f"{where}.{key}"))
            elif key == "notes":
                order.append((key, key, f"{where}.{key}"))
            elif key == "transforms":
                names = raw["transforms"] if isinstance(raw["transforms"], list) else [raw["transforms"]]
                order.extend(("transform", str(name), f"{where}.transforms") for name in names)
        if "status_rules" in raw:  # combinations apply after everything else is read
            order.append(("status_rules", "status_rules", f"{where}.status_rules"))
        return order

    def step_table(self, raw: dict[str, Any], item: dict[str, Any], where: str, fields: dict[str, FieldSpec]) -> Step:
        """A step written as a table: one of field/note/reader/transform, with optional when and at."""
        self.unknown_keys(item, STEP_KEYS, where, "a step")
        kinds = [key for key in ("field", "note", "reader", "transform") if key in item]
        if len(kinds) != 1:
            raise DescriptionError(
                "a step table has exactly one of field, note, reader, transform",
                field=where,
                fix='e.g. { note = "..." }',
            )
        kind = kinds[0]
        inner: Step
        if kind == "field":
            name = str(item["field"])
            if name not in fields or name in TIME_FIELDS:
                raise DescriptionError(f"step field {name!r} is not placed by this shape", field=f"{where}.field")
            inner = field_step(fields[name])
        elif kind == "note":
            inner = note_step(str(item["note"]), None)
        elif kind == "reader":
            inner = self.reader_step(str(item["reader"]), f"{where}.reader")
        else:
            inner = transform_step(str(item["transform"]), f"{where}.transform")
        at = _query(item["at"], f"{where}.at") if "at" in item else None
        predicate = compile_conditions(item.get("when"), f"{where}.when")
        return guarded(inner, at, predicate)

    def reader_step(self, name: str, where: str) -> Step:
        found = self.readers.get(name) or self.lookup_reader(name)
        if found is None:
            raise DescriptionError(f"unknown reader {name!r}", field=where, fix="define it under [readers.<name>]")
        read = found.read
        return lambda node, body, draft: read(node, draft)

    def notes(self, raw: Any, where: str) -> list[Step]:
        steps: list[Step] = []
        for index, item in enumerate(raw if isinstance(raw, list) else [raw]):
            item_where = f"{where}[{index}]"
            if not isinstance(item, dict) or "note" not in item:
                raise DescriptionError("a note is a table with note and when", field=item_where)
            self.unknown_keys(item, ("note", "when"), item_where, "a note")
            predicate = compile_conditions(item.get("when"), f"{item_where}.when")
            steps.append(note_step(str(item["note"]), predicate, f"{item_where}.note"))
        return steps

    def status_rules(self, raw: Any, where: str) -> list[Step]:
        steps: list[Step] = []
        for index, item in enumerate(raw if isinstance(raw, list) else [raw]):
            item_where = f"{where}[{index}]"
            if not isinstance(item, dict):
                raise DescriptionError("a status rule is a table with status and when", field=item_where)
            self.unknown_keys(item, ("status", "when", "note"), item_where, "a status rule")
            status = str(item.get("status", ""))
            if status not in CANONICAL:
                raise DescriptionError(
                    f"status {status!r} is not a canonical status",
                    field=f"{item_where}.status",
                    fix=f"use one of: {', '.join(CANONICAL)}",
                )
            predicate = compile_conditions(item.get("when"), f"{item_where}.when")
            note = str(item.get("note", ""))
            steps.append(status_rule_step(TaskStatus(status), predicate, note))
        return steps

    def shape(self, raw: Any, where: str) -> ShapeSpec:
        if not isinstance(raw, dict):
            raise DescriptionError("a shape is a table", field=where, fix="write [[reading.shapes]] then its keys")
        self.unknown_keys(raw, SHAPE_KEYS, where, "a shape")
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident or not _is_id(ident):
            raise DescriptionError(
                "a shape needs an id of lower-case letters, digits and '-'",
                field=f"{where}.id",
                fix='add id = "my-gateway-task"',
            )
        if "read" in raw:
            if any(key in raw for key in READER_KEYS):
                raise DescriptionError(
                    "a shape either places its fields or names a reader, not both",
                    field=f"{where}.read",
                    fix="move the fields into the reader",
                )
            found = self.readers.get(str(raw["read"])) or self.lookup_reader(str(raw["read"]))
            if found is None:
                raise DescriptionError(f"unknown reader {raw['read']!r}", field=f"{where}.read")
            reader = found
        else:
            reader = self.reader(ident, raw, where, SHAPE_KEYS)
        decode = []
        for index, item in enumerate(raw.get("decode", [])):
            if isinstance(item, str):
                decode.append((_query(item, f"{where}.decode[{index}]"), ""))
            elif isinstance(item, dict) and "path" in item:
                self.unknown_keys(item, ("path", "note"), f"{where}.decode[{index}]", "a decode step")
                decode.append((_query(item["path"], f"{where}.decode[{index}].path"), str(item.get("note", ""))))
            else:
                raise DescriptionError(
                    "a decode step is a JSONPath or { path, note }", field=f"{where}.decode[{index}]"
                )
        for query, _ in decode:
            if not query.singular:
                raise DescriptionError(
                    "decode paths must name one value", field=f"{where}.decode", fix="use names and indexes only"
                )
        operations = raw.get("operations", [])
        operations = tuple(str(op) for op in (operations if isinstance(operations, list) else [operations]))
        error = raw.get("error", False)
        if not isinstance(error, bool):
            raise DescriptionError("error is true or false", field=f"{where}.error")
        when = compile_conditions(raw.get("when"), f"{where}.when")
        # decoding keeps the body's top-level members unless a decode path is the body itself ("$")
        keeps_members = all(query.steps for query, _ in decode)
        return ShapeSpec(
            id=shape_id(ident),
            error=error,
            when=when,
            operations=operations,
            decode=tuple(decode),
            reader=reader,
            requires=required_members(raw.get("when")) if keeps_members else frozenset(),
            when_sees_decoded=_reads_decoded(raw.get("when"), decode),
        )


def _reads_decoded(when: Any, decode: list[tuple[Query, str]]) -> bool:
    """Whether a condition path and a decode path overlap (one leads into the other, ``*`` matching any
    step); a query beyond names, indexes and wildcards counts as overlapping."""
    if not decode:
        return False
    for path in condition_paths(when):
        for query, _ in decode:
            target = query.steps
            if path is None or target is None:
                return True
            if all(a == b or a is WILDCARD or b is WILDCARD for a, b in zip(path, target, strict=False)):
                return True
    return False


def _is_id(text: str) -> bool:
    return text[0].isalnum() and all(ch.islower() or ch.isdigit() or ch == "-" for ch in text) and text.isascii()


def _label(path: str) -> str:
    """The name a note uses for a path: ``$.data.task_id`` -> ``data.task_id``."""
    return path[2:] if path.startswith("$.") else path


#: Keys new users naturally try, and the real key (a did-you-mean that string distance would not find).
_NATURAL_KEYS: dict[str, str] = {
    "task_id_path": "task_id",
    "status_path": "status",
    "status_map": "statuses",
    "status_mapping": "statuses",
    "url_path": "video_urls",
    "video_url": "video_urls",
    "video_url_path": "video_urls",
    "image_url": "image_urls",
    "error_path": "error_message",
    "message_path": "error_message",
    "code_path": "error_code",
    "success_code": "when",
    "success_codes": "when",
    "match": "when",
    "condition": "when",
    "conditions": "when",
    "created": "created_at",
    "updated": "updated_at",
    "shape": "shapes",
}


def natural_key_hint(key: str) -> str:
    """The real key for a key new users naturally try (``task_id_path`` -> ``task_id``), or ``""``."""
    return _NATURAL_KEYS.get(key, "")


def compile_description(
    raw: dict[str, Any],
    *,
    id: str,
    prefix: str = "",
    lookup_reader: Callable[[str], Reader | None] = lambda name: None,
) -> Description:
    """Compile one description table; raises :class:`DescriptionError` naming the key at fault."""
    compiler = _Compiler(prefix, lookup_reader)
    compiler.unknown_keys(raw, DESCRIPTION_KEYS, prefix or "(description)", "[reading]")
    for name, reader_raw in (raw.get("readers") or {}).items():
        if not isinstance(reader_raw, dict):
            raise DescriptionError("a reader is a table", field=compiler.where(f"readers.{name}"))
        compiler.readers[name] = compiler.reader(name, reader_raw, compiler.where(f"readers.{name}"), READER_KEYS)
    statuses: dict[str, TaskStatus] = {}
    raw_statuses = raw.get("statuses") or {}
    if not isinstance(raw_statuses, dict):
        raise DescriptionError("statuses is a table of word = status", field=compiler.where("statuses"))
    for word, status in raw_statuses.items():
        if status not in CANONICAL:
            from conformance.errors import did_you_mean

            raise DescriptionError(
                f"{status!r} is not a canonical status.{did_you_mean(str(status), CANONICAL)}",
                field=compiler.where(f"statuses.{word}"),
                fix=f"use one of: {', '.join(CANONICAL)}",
            )
        statuses[fold_status_word(str(word))] = TaskStatus(status)
    shapes_raw = raw.get("shapes") or []
    if not isinstance(shapes_raw, list):
        raise DescriptionError(
            "shapes is an array of tables", field=compiler.where("shapes"), fix="write [[reading.shapes]]"
        )
    shapes = tuple(compiler.shape(item, compiler.where(f"shapes[{i}]")) for i, item in enumerate(shapes_raw))
    base = raw.get("base")
    if base is not None:
        base = tuple(str(item) for item in (base if isinstance(base, list) else [base]))
    return Description(id=id, shapes=shapes, readers=dict(compiler.readers), statuses=statuses, base=base)
