"""Reading spec files: YAML with precise error locations, the cached canonical spec and its hash."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import SpecError
from conformance.paths import canonical_spec_path

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is 5-10x faster when present


class _Loader(_BaseLoader):
    """Safe loader that rejects duplicate mapping keys (YAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                continue  # unhashable keys are rejected by the base constructor with its own message
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_yaml(path: str | Path) -> Any:
    """Parse the YAML (or JSON) file at ``path``.

    Raises :class:`~conformance.errors.SpecError` naming the file and the 1-based line and column of a
    syntax error, or the file when it cannot be read.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            f"cannot read the file ({exc.strerror or exc})", where=str(file), fix="check the path"
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"the file is not UTF-8 ({exc.reason})", where=str(file), fix="save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(file)
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise SpecError(f"invalid YAML: {reason}", where=where, fix="fix the YAML at that line") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"YAML error: {exc}", where=str(file), fix="fix the YAML") from None


@lru_cache(maxsize=1)
def _canonical_bytes() -> bytes:
    path = canonical_spec_path()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpecError(
            f"the canonical spec is missing ({exc.strerror or exc})",
            where=str(path),
            fix="reinstall kling-conformance or restore specs/kling.openapi.yaml",
        ) from None


@lru_cache(maxsize=1)
def load_canonical() -> dict[str, Any]:
    """The canonical spec ``specs/kling.openapi.yaml`` as a dict, parsed once per process.

    The returned dict is shared: treat it as read-only.
    """
    _canonical_bytes()  # a clear error when the file is missing
    document = load_yaml(canonical_spec_path())
    if not isinstance(document, dict):
        raise SpecError("the canonical spec is not a YAML mapping", where=str(canonical_spec_path()))
    return document


def spec_hash() -> str:
    """SHA-256 (hex) of the canonical spec file's bytes; reports record it to pin the contract version."""
    return hashlib.sha256(_canonical_bytes()).hexdigest()
