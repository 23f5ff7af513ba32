"""Documented field lists (``code`` / ``string`` / ``必需``) → JSON paths and a JSON Schema.

Documents print nested fields as one flat list. Each field is placed at the path where the
documented example has that key; a field the example lacks goes under the last ``object`` field
listed before it (or at the top level).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.docs.model import FieldDoc
from conformance.docs.shapes import find_key
from conformance.jsonpath import parse_path


@dataclass(frozen=True, slots=True)
class PlacedField:
    """A documented field with the JSON path it describes."""

    field: FieldDoc
    path: str


def place_fields(fields: tuple[FieldDoc, ...], example: Any) -> list[PlacedField]:
    """Give each documented field its JSON path, using the example body to resolve nesting."""
    placed: list[PlacedField] = []
    container = "$"
    for field in fields:
        path = find_key(example, field.name) if example is not None else None
        if path is None:
            path = f"{container}.{field.name}"
        placed.append(PlacedField(field=field, path=path))
        if field.type == "object":
            container = path
    return placed


def schema_from_fields(placed: list[PlacedField]) -> dict[str, Any]:
    """A JSON Schema (Draft 2020-12, as OpenAPI 3.1 uses) holding the documented types and required flags."""
    root: dict[str, Any] = {"type": "object"}
    for item in placed:
        parts = parse_path(item.path)
        node = root
        for part in parts[:-1]:
            if isinstance(part, int):
                node = node.setdefault("items", {"type": "object"})
            else:
                node = node.setdefault("properties", {}).setdefault(part, {"type": "object"})
        last = parts[-1]
        if isinstance(last, int):
            continue
        target = node.setdefault("properties", {}).setdefault(last, {})
        target["type"] = item.field.type
        if item.field.required:
            required = node.setdefault("required", [])
            if last not in required:
                required.append(last)
    return root
