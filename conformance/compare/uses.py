"""The consumer's declared usage (``--uses FILE``): only differences touching it are breaking.

This is Pact's idea applied to switching gateways: a client breaks only on what it actually uses.
The file is YAML (or JSON), version 1::

    # uses.yaml: what my client relies on
    version: 1                       # optional; 1 is the only version
    operations:                      # required: operation ids the client calls
      - image2video.create
      - image2video.get
    reads:                           # JSON paths the client reads from success bodies, per operation
      image2video.create: data.task_id                     # one path, or several comma-separated,
      image2video.get: data.task_status, data.task_result.videos[].url   # or a YAML list
      # (a plain list - [data.task_id, ...] - applies to every operation; "$." optional; "[]" = any item)
    params: [callback_url, external_task_id]   # optional request parameters the client sends
    statuses: [submitted, processing, succeed, failed]  # status words the client branches on
    errors: [unknown_task, auth]     # error situations it handles (auth, invalid_param,
                                     # unknown_task, type_mismatch): their HTTP status and error body;
                                     # or a mapping {unknown_task: status} for a client that reads
                                     # only the HTTP status of that error (status | body)
    error_reads: status              # optional: status (only the HTTP status of every listed error)
                                     # or body (default: status, code and message)
    auth: kling-jwt                  # optional: the credential the client sends, api-key or kling-jwt
                                     # (default: what gateway A's profile documents)
    base_url: host                   # optional: host (default: the client takes only a host and adds
                                     # A's paths, so another path prefix breaks every call) or url (it
                                     # takes a base URL with a path, e.g. https://gw.example/kling)
    https_only: true                 # optional: the client refuses plain http (default false)
    callbacks: true                  # it relies on callback_url deliveries (default false)
    opaque_ids: true                 # it stores task ids as opaque strings (default false: an id
                                     # format change counts as breaking when it reads the id)

Operation ids are the task operations (``<family>.create|get|list``) and the endpoints beyond them
(``account.costs``). Everything but ``operations`` is optional and defaults to "not used". Without
``--uses`` the client is assumed to use everything gateway A offers, so every difference counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.compare.knowledge import normalize_path
from conformance.errors import UsageError, did_you_mean
from conformance.inputs import MAX_USES_BYTES, parse_bounded, read_text_input
from conformance.profiles.model import ENDPOINTS

_KEYS = (
    "version",
    "operations",
    "reads",
    "params",
    "statuses",
    "errors",
    "error_reads",
    "callbacks",
    "opaque_ids",
    "auth",
    "base_url",
    "https_only",
)
_SITUATIONS = ("auth", "invalid_param", "unknown_task", "type_mismatch")
_ERROR_READS = ("status", "body")
_CREDENTIALS = ("api-key", "kling-jwt")
_BASE_URLS = ("host", "url")


@dataclass(frozen=True, slots=True, kw_only=True)
class Uses:
    """What a client uses; ``everything`` means no uses file was given.

    ``reads`` apply to every operation, ``operation_reads`` (``(operation, paths)`` pairs) to one;
    ``error_reads`` pairs each handled situation with ``status`` or ``body``; ``auth`` is the credential
    kind the client sends (``""``: gateway A's); ``base_url`` is ``host`` or ``url``.
    """

    operations: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    operation_reads: tuple[tuple[str, tuple[str, ...]], ...] = ()
    params: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    error_reads: tuple[tuple[str, str], ...] = ()
    callbacks: bool = False
    opaque_ids: bool = False
    auth: str = ""
    base_url: str = "host"
    https_only: bool = False
    everything: bool = False
    source: str = ""

    @classmethod
    def all(cls) -> Uses:
        """Usage of a client that relies on everything (no ``--uses``)."""
        return cls(everything=True, https_only=True, source="(no --uses: everything gateway A offers)")

    def uses_operation(self, operation: str) -> bool:
        """Whether the client calls ``operation`` (gateway-wide aspects count as used by any call)."""
        return self.everything or not operation or operation in self.operations

    def reads_of(self, operation: str = "") -> tuple[str, ...]:
        """The paths read from ``operation``'s bodies (every operation's when ``operation`` is ``""``)."""
        if not operation:
            return self.reads + tuple(p for _, paths in self.operation_reads for p in paths)
        return self.reads + tuple(p for op, paths in self.operation_reads if op == operation for p in paths)

    def reads_path(self, path: str, operation: str = "") -> bool:
        """Whether a read of ``operation`` (any, when ``""``) equals ``path`` or one contains the other."""
        if self.everything:
            return True
        target = normalize_path(path)
        return any(_overlaps(read, target) for read in self.reads_of(operation))

    def reads_any(self, paths: Iterable[str], operation: str = "") -> bool:
        """Whether any of ``paths`` is read."""
        return any(self.reads_path(p, operation) for p in paths)

    def handles_error(self, situation: str) -> bool:
        """Whether the client handles ``situation`` (it then reads at least its HTTP status)."""
        return self.everything or situation in self.errors

    def reads_error_body(self, situation: str = "") -> bool:
        """Whether the client reads the error body of ``situation`` (any handled one when ``""``)."""
        if self.everything:
            return True
        how = dict(self.error_reads)
        chosen = [situation] if situation else list(self.errors)
        return any(s in self.errors and how.get(s, "body") == "body" for s in chosen)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the compare output."""
        if self.everything:
            return {"everything": True}
        return {
            "source": self.source,
            "operations": list(self.operations),
            "reads": list(self.reads),
            "operation_reads": {op: list(paths) for op, paths in self.operation_reads},
            "params": list(self.params),
            "statuses": list(self.statuses),
            "errors": list(self.errors),
            "error_reads": dict(self.error_reads),
            "callbacks": self.callbacks,
            "opaque_ids": self.opaque_ids,
            "auth": self.auth,
            "base_url": self.base_url,
            "https_only": self.https_only,
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
    text = read_text_input(
        path, what="uses file", fix="pass the YAML list of paths your client reads", max_bytes=MAX_USES_BYTES
    )
    try:
        data = parse_bounded(
            lambda: yaml.safe_load(text), what="uses file", where=where, fix="a uses file is a flat list of paths"
        )
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
        if op in ENDPOINTS:
            continue
        family, _, kind = op.rpartition(".")
        if not family or kind not in ("create", "get", "list"):
            raise UsageError(
                f"{op!r} is not an operation id",
                where=where,
                field="operations",
                fix=f"write <family>.create|get|list (e.g. image2video.get) or one of: {', '.join(ENDPOINTS)}",
            )
    reads, operation_reads = _reads(data.get("reads", []), where)
    errors, error_reads = _errors(data, where)
    for flag in ("callbacks", "opaque_ids", "https_only"):
        if not isinstance(data.get(flag, False), bool):
            raise UsageError(f"{flag!r} must be true or false", where=where, field=flag, fix=f"{flag}: true")
    auth = _choice(data, "auth", _CREDENTIALS, "", where)
    base_url = _choice(data, "base_url", _BASE_URLS, "host", where)
    return Uses(
        operations=operations,
        reads=reads,
        operation_reads=operation_reads,
        params=_strings(data, "params", where),
        statuses=_strings(data, "statuses", where),
        errors=errors,
        error_reads=error_reads,
        callbacks=bool(data.get("callbacks", False)),
        opaque_ids=bool(data.get("opaque_ids", False)),
        auth=auth,
        base_url=base_url,
        https_only=bool(data.get("https_only", False)),
        source=where,
    )


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = data.get(key, default)
    if value == default:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise UsageError(
            f"{key!r} must be one of {', '.join(allowed)}.{did_you_mean(str(value), allowed)}",
            where=where,
            field=key,
            fix=f"write e.g. {key}: {allowed[0]}",
        )
    return value


def _paths(value: Any, where: str, field: str) -> tuple[str, ...]:
    """One path, comma-separated paths, or a list of them, normalized."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise UsageError(
                f"{field!r} must hold JSON paths (strings)",
                where=where,
                field=field,
                fix="write e.g. text2video.get: data.task_status, data.task_result.videos[].url",
            )
        out += [normalize_path(p) for p in item.split(",") if p.strip()]
    return tuple(out)


def _reads(value: Any, where: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """(reads for every operation, per-operation reads) from a list or an {operation: paths} mapping."""
    if isinstance(value, dict):
        per_op: list[tuple[str, tuple[str, ...]]] = []
        for op, paths in value.items():
            per_op.append((str(op), _paths(paths, where, f"reads.{op}")))
        return (), tuple(per_op)
    if value in (None, []):
        return (), ()
    return _paths(value, where, "reads"), ()


def _errors(data: dict[str, Any], where: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(situations handled, (situation, status|body) pairs) from a list or a mapping, and ``error_reads``."""
    raw = data.get("errors", [])
    default = data.get("error_reads", "body")
    if default not in _ERROR_READS:
        raise UsageError(
            f"'error_reads' must be status or body, not {default!r}",
            where=where,
            field="error_reads",
            fix="error_reads: status (the client reads only the HTTP status of errors)",
        )
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        for situation, how in raw.items():
            if how not in _ERROR_READS:
                raise UsageError(
                    f"errors.{situation} must be status or body, not {how!r}",
                    where=where,
                    field=f"errors.{situation}",
                    fix=f"write {situation}: status (only the HTTP status) or {situation}: body",
                )
            pairs.append((str(situation), str(how)))
    else:
        pairs = [(s, str(default)) for s in _strings(data, "errors", where)]
    for situation, _ in pairs:
        if situation not in _SITUATIONS:
            raise UsageError(
                f"unknown error situation {situation!r}.{did_you_mean(situation, _SITUATIONS)}",
                where=where,
                field="errors",
                fix=f"use: {', '.join(_SITUATIONS)}",
            )
    return tuple(s for s, _ in pairs), tuple(pairs)
