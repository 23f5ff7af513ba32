"""The bodies ``profile draft`` learns from: files or NDJSON lines, each optionally labelled with its role.

A source is ``[ROLE][@HTTP]=PATH`` or ``PATH`` (``-`` reads NDJSON from standard input, one body per line).
``ROLE`` is one of :data:`ROLES` (what the person knows the body is); ``@HTTP`` the status it came with.
Anything unreadable is a :class:`~conformance.errors.UsageError` naming the file (and line) and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from conformance.errors import UsageError
from conformance.inputs import MAX_BODY_BYTES, check_depth

#: The roles a person may give a body, and the canonical status a status word seen in it then means.
ROLES: dict[str, str] = {"submit": "submitted", "progress": "processing", "done": "succeed", "error": "failed"}

_LABELLED = re.compile(r"^(?P<role>[a-z]+)?(?:@(?P<http>\d{3}))?=(?P<path>.+)$")
_FIX = (
    "pass raw JSON response bodies exactly as the gateway sent them: files (optionally ROLE[@HTTP]=FILE, "
    f"ROLE one of {', '.join(ROLES)}), or - for NDJSON on standard input (one body per line)"
)


@dataclass(frozen=True, slots=True)
class Sample:
    """One response body: where it came from, the parsed JSON, and what the person said about it."""

    label: str
    body: Any
    status_code: int | None = None
    role: str | None = None
    raw: bytes = b""


def split_source(source: str) -> tuple[str | None, int | None, str]:
    """``(role, http, path)`` of a source argument; a label that is not a role is a usage error."""
    match = _LABELLED.match(source)
    if match is None or (match.group("role") is None and match.group("http") is None):
        return None, None, source
    role, http = match.group("role"), match.group("http")
    if role is not None and role not in ROLES:
        from conformance.errors import did_you_mean

        raise UsageError(
            f"{role!r} is not a body role.{did_you_mean(role, list(ROLES))}",
            where=source,
            fix=f"write ROLE=FILE with ROLE one of {', '.join(ROLES)}, or the plain file path",
        )
    code = int(http) if http is not None else None
    if code is not None and not 100 <= code <= 599:
        raise UsageError(f"@{http} is not an HTTP status", where=source, fix="write @200, @400, ... (100-599)")
    return role, code, match.group("path")


def parse_body(raw: bytes, *, where: str) -> Any:
    """The JSON value of one body; not JSON (or too deep) is a usage error naming ``where``."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"is not JSON ({exc})", where=where, fix=_FIX) from None
    return check_depth(value, what="response body", where=where, fix=_FIX)


def read_samples(sources: list[str], *, stdin: Any = None) -> list[Sample]:
    """Every body of every source, in order; ``stdin`` (binary) is read for ``-``."""
    from conformance.inputs import check_stdin_size, read_bytes_input

    samples: list[Sample] = []
    for source in sources:
        role, http, path = split_source(source)
        if path == "-":
            if stdin is None:  # pragma: no cover - the CLI always passes its stdin
                raise UsageError("no standard input to read", where=source, fix=_FIX)
            data = check_stdin_size(stdin.read(MAX_BODY_BYTES + 1), what="bodies", fix=_FIX, max_bytes=MAX_BODY_BYTES)
            for number, line in enumerate(data.splitlines(), start=1):
                if line.strip():
                    where = f"stdin:{number}"
                    samples.append(Sample(where, parse_body(line, where=where), http, role, line))
            continue
        raw = read_bytes_input(path, what="response body", fix=_FIX, max_bytes=MAX_BODY_BYTES)
        samples.append(Sample(path, parse_body(raw, where=path), http, role, raw))
    if not samples:
        raise UsageError("no body to learn from", where="BODY", fix=_FIX)
    return samples
