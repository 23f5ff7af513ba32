"""What we know about response shapes, independent of any run (``data/shapes.yaml``).

Field *roles* (task_id, status, video_url, ...) let ``compare`` say "read ``data.status`` instead of
``data.task_status``" and map status words between vocabularies.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

TIMESTAMP_ROLES = ("created_at", "updated_at")
#: Roles a create response never carries (reference/kling-contract.md §5: "Create responses carry task_id,
#: task_status, task_info, created_at, updated_at (no result, no msg)").
RESULT_ROLES = frozenset({"failure_reason", "video_url", "video_duration", "video_id"})
#: Words document examples use in place of a value (apicore's ``"task_status": "string"``): never values.
PLACEHOLDERS = frozenset({"string", "str", "integer", "int", "number", "boolean", "bool", "object", "array", "null"})


def is_placeholder(value: object) -> bool:
    """Whether a documented value is a type name or an empty stand-in rather than a real value."""
    if not isinstance(value, str):
        return value is None
    text = value.strip().strip("<>{}").lower()
    return not text or text in PLACEHOLDERS


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One role of a shape: where it lives and its JSON type."""

    role: str
    path: str
    type: str


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("conformance.compare").joinpath("data", "shapes.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def normalize_path(path: str) -> str:
    """Canonical JSON path: no ``$``/``$.`` prefix, every index or wildcard written ``[]``."""
    path = path.strip()
    if path.startswith("$"):
        path = path[1:].lstrip(".")
    path = re.sub(r"\[(\d+|\*)?\]", "[]", path)
    return re.sub(r"\[['\"]([^'\"]+)['\"]\]", r".\1", path)


def shape_fields(shape: str | None) -> dict[str, FieldSpec]:
    """Roles of a task or error shape (empty for shapes without fields, such as ``empty``)."""
    if not shape:
        return {}
    table = _data()["task_shapes"].get(shape) or _data()["error_shapes"].get(shape) or {}
    return {role: FieldSpec(role=role, path=spec["path"], type=spec["type"]) for role, spec in table.items()}


def role_candidates(role: str, group: str = "task_shapes") -> list[str]:
    """Every path any known shape of ``group`` (``task_shapes`` or ``error_shapes``) uses for ``role``."""
    paths: list[str] = []
    for table in _data()[group].values():
        spec = table.get(role)
        if spec and spec["path"] not in paths:
            paths.append(spec["path"])
    return paths


def known_roles(group: str = "task_shapes") -> list[str]:
    """Every role named in one group of the knowledge table."""
    roles: list[str] = []
    for table in _data()[group].values():
        roles += [r for r in table if r not in roles]
    return roles


def canonical_status(word: str) -> str | None:
    """The Kling word a raw status word means (``SUCCESS`` → ``succeed``), or ``None`` when unknown."""
    mapping: dict[str, str] = _data()["status_words"]
    return mapping.get(word.strip().lower())


@functools.cache
def _result_paths() -> tuple[str, ...]:
    paths = {"data.task_result"}
    for table in _data()["task_shapes"].values():
        paths.update(spec["path"] for role, spec in table.items() if role in RESULT_ROLES)
    return tuple(sorted(paths))


def is_result_path(path: str) -> bool:
    """Whether ``path`` is (or lies below) a field only a query returns (task result, failure reason).

    A create scenario's trace also holds its polls; their result fields are not the create's.
    """
    return any(path == r or (path.startswith(r) and path[len(r)] in ".[") for r in _result_paths())


def paths_of_shape(shape: str | None, kind: str = "") -> list[str]:
    """The success-body paths a shape implies for an operation ``kind`` (a create has no result roles)."""
    fields = shape_fields(shape)
    return sorted(spec.path for role, spec in fields.items() if kind != "create" or role not in RESULT_ROLES)
