"""The consumer's declared usage (``--uses FILE``): only differences touching it are breaking.

This is Pact's idea applied to switching gateways: a client breaks only on what it actually uses.
The file is YAML (or JSON), version 1::

    # uses.yaml: what my client relies on
    version: 1                       # optional; 1 is the only version
    operations:                      # required: operation ids the client calls
      - image2video.create
      - image2video.get
    reads:                           # JSON paths the client reads from success bodies
      - data.task_id                 # "$." prefix optional; "[]" or "[0]" for array items
      - data.task_status
      - data.task_result.videos[].url
    params: [callback_url, external_task_id]   # optional request parameters the client sends
    statuses: [submitted, processing, succeed, failed]  # status words the client branches on
    errors: [unknown_task, auth]     # error situations it handles (auth, invalid_param,
                                     # unknown_task, type_mismatch): their HTTP status and error body
    callbacks: true                  # it relies on callback_url deliveries (default false)
    opaque_ids: true                 # it stores task ids as opaque strings (default false: an id
                                     # format change counts as breaking when it reads the id)

Everything but ``operations`` is optional and defaults to "not used". Without ``--uses`` the client is
assumed to use everything gateway A offers, so every difference counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.compare.knowledge import normalize_path
from conformance.errors import UsageError, did_you_mean

_KEYS = ("version", "operations", "reads", "params", "statuses", "errors", "callbacks", "opaque_ids")
_SITUATIONS = ("auth", "invalid_param", "unknown_task", "type_mismatch")


@dataclass(frozen=True, slots=True, kw_only=True)
class Uses:
    """What a client uses; ``everything`` means no uses file was given."""

    operations: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    callbacks: bool = False
    opaque_ids: bool = False
    everything: bool = False
    source: str = ""

    @classmethod
    def all(cls) -> Uses:
        """Usage of a client that relies on everything (no ``--uses``)."""
        return cls(everything=True, source="(no --uses: everything gateway A offers)")

    def uses_operation(self, operation: str) -> bool:
        """Whether the client calls ``operation`` (gateway-wide aspects count as used by any call)."""
        return self.everything or not operation or operation in self.operations

    def reads_path(self, path: str) -> bool:
        """Whether a read path equals ``path`` or one contains the other (``data`` covers ``data.status``)."""
        if self.everything:
            return True
        target = normalize_path(path)
        return any(_overlaps(read, target) for read in self.reads)

    def reads_any(self, paths: Iterable[str]) -> bool:
        """Whether any of ``paths`` is read."""
        return any(self.reads_path(p) for p in paths)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the compare output."""
        if self.everything:
            return {"everything": True}
        return {
            "source": self.source,
            "operations": list(self.operations),
            "reads": list(self.reads),
            "params": list(self.params),
            "statuses": list(self.statuses),
            "errors": list(self.errors),
            "callbacks": self.callbacks,
            "opaque_ids": self.opaque_ids,
        }


def _overlaps(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter) and longer[len(shorter)] in ".["


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{key!r} must be a list of strings", where=where, field=key, fix=f"write e.g. {key}: [a, b]")
    return tuple(v.strip() for v in value)


def load_uses(path: Path) -> Uses:
    """Parse and check a uses file; every problem is a :class:`UsageError` naming the file and field."""
    where = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the uses file ({exc.strerror})", where=where, fix="check the path") from exc
    except yaml.YAMLError as exc:
        raise UsageError(
            f"not valid YAML: {' '.join(str(exc).split())}",  # one paragraph, not a YAML caret diagram
            where=where,
            fix="write one path per line (`- data.task_result.videos[].url`) or quote paths that contain [ ]",
        ) from exc
    if not isinstance(data, dict):
        raise UsageError("the uses file must be a mapping", where=where, fix="start with `operations: [...]`")
    for key in data:
        if key not in _KEYS:
            raise UsageError(
                f"unknown key {key!r}.{did_you_mean(str(key), _KEYS)}",
                where=where,
                field=str(key),
                fix=f"use only: {', '.join(_KEYS)}",
            )
    if data.get("version", 1) != 1:
        raise UsageError("unsupported version", where=where, field="version", fix="use version: 1")
    operations = _strings(data, "operations", where)
    if not operations:
        raise UsageError(
            "no operations declared",
            where=where,
            field="operations",
            fix="list the operation ids your client calls, e.g. [image2video.create, image2video.get]",
        )
    for op in operations:
        family, _, kind = op.rpartition(".")
        if not family or kind not in ("create", "get", "list"):
            raise UsageError(
                f"{op!r} is not an operation id",
                where=where,
                field="operations",
                fix="write <family>.create|get|list, e.g. image2video.get",
            )
    errors = _strings(data, "errors", where)
    for situation in errors:
        if situation not in _SITUATIONS:
            raise UsageError(
                f"unknown error situation {situation!r}.{did_you_mean(situation, _SITUATIONS)}",
                where=where,
                field="errors",
                fix=f"use: {', '.join(_SITUATIONS)}",
            )
    for flag in ("callbacks", "opaque_ids"):
        if not isinstance(data.get(flag, False), bool):
            raise UsageError(f"{flag!r} must be true or false", where=where, field=flag, fix=f"{flag}: true")
    return Uses(
        operations=operations,
        reads=tuple(normalize_path(p) for p in _strings(data, "reads", where)),
        params=_strings(data, "params", where),
        statuses=_strings(data, "statuses", where),
        errors=errors,
        callbacks=bool(data.get("callbacks", False)),
        opaque_ids=bool(data.get("opaque_ids", False)),
        source=where,
    )
