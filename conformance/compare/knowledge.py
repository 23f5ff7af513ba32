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


def paths_of_shape(shape: str | None) -> list[str]:
    """The success-body paths a shape implies (used when no run observed ``field_paths``)."""
    return sorted(spec.path for spec in shape_fields(shape).values())
