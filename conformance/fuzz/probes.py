"""Deterministic single-field negative probes: one invalid value per field and constraint.

Schemathesis's random negative examples often mutate several things at once (or the body syntax), so a
gateway that wrongly accepts *one* bad field (``duration: "7"``) may go unnoticed in a small example
budget. These probes start from the operation's documented, valid request example and break exactly one
top-level field per probe (out-of-enum value, wrong JSON type, beyond minimum/maximum, too long, missing
when required). Each probe is confirmed invalid by the canonical validator *at that field* before it is
kept, so a probe that a gateway accepts names the field that gateway fails to validate.

Probes are plain data (no schemathesis import); the engine turns them into schemathesis cases with
coverage-phase metadata, so schemathesis's own ``negative_data_rejection`` judges them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

#: Longest string a ``maxLength`` probe builds (longer limits are not probed).
MAX_PROBE_STRING = 20_000

_WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "integer": "not-a-number",
    "number": "not-a-number",
    "boolean": "yes",
    "array": "not-an-array",
    "object": "not-an-object",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldProbe:
    """One request body that is invalid in exactly one top-level field.

    ``scenario`` is a schemathesis ``CoverageScenario`` value (``invalid_enum_value``, ``incorrect_type``,
    ``value_above_maximum``...); ``keyword`` the JSON Schema keyword violated.
    """

    operation_id: str
    field: str
    scenario: str
    keyword: str
    description: str
    body: dict[str, Any]
    value: Any = None

    @property
    def json_path(self) -> str:
        """``$.duration``."""
        return f"$.{self.field}"


def _flatten(schema: Any) -> dict[str, Any]:
    """A property schema with single-branch ``allOf`` wrappers merged in (enough to read its constraints)."""
    if not isinstance(schema, dict):
        return {}
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf") or ():
        for key, value in _flatten(part).items():
            merged.setdefault(key, value)
    return merged


def _enums_for(schema: Any, field: str, found: list[list[Any]]) -> None:
    """Every ``enum`` a (sub)schema declares for ``field``, including inside ``allOf``/``if``/``then``/``else``."""
    if isinstance(schema, dict):
        props = schema.get("properties")
        if isinstance(props, dict) and field in props:
            enum = _flatten(props[field]).get("enum")
            if isinstance(enum, list):
                found.append(enum)
        for key in ("allOf", "anyOf", "oneOf"):
            for part in schema.get(key) or ():
                _enums_for(part, field, found)
        for key in ("if", "then", "else", "not"):
            if key in schema:
                _enums_for(schema[key], field, found)


def _is_int_text(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def _enum_candidates(enum: list[Any], base_value: Any) -> list[Any]:
    """Out-of-enum values, most plausible first (``"7"`` for ``["5", "10"]``: a realistic client mistake)."""
    if enum and all(_is_int_text(v) for v in enum):
        numbers = sorted(int(v) for v in enum)
        lo, hi = numbers[0], numbers[-1]
        middle = (lo + hi) / 2
        pool = range(max(0, lo - 1), hi + 2)
        ordered = sorted(pool, key=lambda n: (abs(n - middle), n))
        return [str(n) for n in ordered if str(n) not in enum]
    if enum and all(isinstance(v, str) for v in enum):
        seed = str(base_value if isinstance(base_value, str) else enum[0])
        return [f"{seed}-invalid", seed.upper() if seed.upper() not in enum else f"{seed}x", "__not_in_enum__"]
    return ["__not_in_enum__", -1]


class ProbeBuilder:
    """Builds the probes of one create operation from its canonical schema and example."""

    def __init__(self, operation_id: str) -> None:
        from conformance import spec

        self.operation_id = operation_id
        info = spec.operation(operation_id)
        self.schema: dict[str, Any] = info.request_schema or {}
        self.base: dict[str, Any] | None = info.example_request if isinstance(info.example_request, dict) else None

    def _flags(self, body: dict[str, Any], field: str) -> bool:
        """Whether the canonical validator rejects ``body`` because of ``field``."""
        from conformance import spec

        for issue in spec.validate_request(self.operation_id, body):
            path = issue.json_path
            top = path[2:].split(".", 1)[0].split("[", 1)[0] if path.startswith("$.") else ""
            if top == field or (issue.keyword == "required" and f"'{field}'" in issue.message):
                return True
        return False

    def base_is_valid(self) -> bool:
        """Whether the documented example the probes start from is itself valid."""
        from conformance import spec

        return self.base is not None and not spec.validate_request(self.operation_id, self.base)

    def _with(self, field: str, value: Any) -> dict[str, Any]:
        assert self.base is not None
        body = copy.deepcopy(self.base)
        body[field] = value
        return body

    def probes(self) -> list[FieldProbe]:
        """Every probe that the canonical contract confirms invalid at its field, in field order."""
        if not self.base_is_valid():
            return []
        assert self.base is not None
        out: list[FieldProbe] = []
        for field, raw in (self.schema.get("properties") or {}).items():
            out.extend(self._field_probes(field, _flatten(raw)))
        for field in self.schema.get("required") or ():
            if field in self.base:
                body = copy.deepcopy(self.base)
                del body[field]
                if self._flags(body, field):
                    out.append(
                        self._probe(
                            field,
                            "object_missing_required_property",
                            "required",
                            f"{field}: required property is missing",
                            body,
                            None,
                        )
                    )
        return out

    def _probe(
        self, field: str, scenario: str, keyword: str, description: str, body: dict[str, Any], value: Any
    ) -> FieldProbe:
        return FieldProbe(
            operation_id=self.operation_id,
            field=field,
            scenario=scenario,
            keyword=keyword,
            description=description,
            body=body,
            value=value,
        )

    def _field_probes(self, field: str, schema: dict[str, Any]) -> list[FieldProbe]:
        assert self.base is not None
        out: list[FieldProbe] = []
        enums: list[list[Any]] = []
        _enums_for(self.schema, field, enums)
        base_value = self.base.get(field)
        if enums:
            containing = [e for e in enums if base_value in e] or enums
            strictest = min(containing, key=len)
            for candidate in _enum_candidates(strictest, base_value):
                body = self._with(field, candidate)
                if self._flags(body, field):
                    out.append(
                        self._probe(
                            field,
                            "invalid_enum_value",
                            "enum",
                            f"{field}: invalid enum value {candidate!r}",
                            body,
                            candidate,
                        )
                    )
                    break
        kind = schema.get("type")
        if isinstance(kind, str) and kind in _WRONG_TYPE:
            wrong = _WRONG_TYPE[kind]
            body = self._with(field, wrong)
            if self._flags(body, field):
                out.append(
                    self._probe(
                        field,
                        "incorrect_type",
                        "type",
                        f"{field}: incorrect type ({type(wrong).__name__} instead of {kind})",
                        body,
                        wrong,
                    )
                )
        for keyword, scenario, delta in (("maximum", "value_above_maximum", 1), ("minimum", "value_below_minimum", -1)):
            limit = schema.get(keyword)
            if isinstance(limit, int | float) and not isinstance(limit, bool):
                value = limit + delta
                body = self._with(field, value)
                if self._flags(body, field):
                    out.append(
                        self._probe(
                            field, scenario, keyword, f"{field}: {value} is beyond {keyword} {limit}", body, value
                        )
                    )
        max_length = schema.get("maxLength")
        if isinstance(max_length, int) and max_length < MAX_PROBE_STRING:
            long_text = "x" * (max_length + 1)
            body = self._with(field, long_text)
            if self._flags(body, field):
                out.append(
                    self._probe(
                        field,
                        "string_above_max_length",
                        "maxLength",
                        f"{field}: {max_length + 1} characters, above maxLength {max_length}",
                        body,
                        f"<{max_length + 1} characters>",
                    )
                )
        return out


def field_probes(operation_id: str) -> list[FieldProbe]:
    """The single-field negative probes of ``operation_id`` (empty when it has no valid documented example)."""
    return ProbeBuilder(operation_id).probes()
