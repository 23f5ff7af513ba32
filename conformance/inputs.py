"""User input, bounded: every numeric flag and every file the tool reads goes through here.

* :func:`check_number`: a flag's value must be finite and inside the range :data:`NUMBER_LIMITS` gives
  it (``nan``, ``inf``, negatives and absurd values are a :class:`~conformance.errors.UsageError`, exit 2,
  naming the flag and the fix). The CLI applies it to every int/float option of every command, in one
  place (``conformance.cli.app.build_command``).
* :func:`read_text_input` / :func:`read_bytes_input`: the one bounded reader for files a user hands us
  (profiles, uses files, reports, cassettes, ``inspect`` bodies): at most ``max_bytes`` are read (so
  ``/dev/zero`` costs nothing), binary content and invalid UTF-8 are refused, and a directory or a
  missing file is named with the fix.
* :func:`check_depth`: a parsed document nested deeper than :data:`MAX_DEPTH` is refused (a 3000-deep
  TOML table is a message, not a ``RecursionError``); :func:`parse_bounded` wraps a parser with both.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from conformance.errors import UsageError

T = TypeVar("T")

#: Nesting deeper than this, in any file the tool reads, is refused.
MAX_DEPTH = 64

#: Size caps per kind of input (bytes).
MAX_PROFILE_BYTES = 1024 * 1024
MAX_USES_BYTES = 1024 * 1024
MAX_REPORT_BYTES = 256 * 1024 * 1024
MAX_CASSETTE_BYTES = 256 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class NumberLimit:
    """The range of one numeric flag: ``low``..``high``, ``low`` itself excluded when ``exclusive``."""

    low: float
    high: float
    exclusive: bool = False
    example: str = ""

    def describe(self) -> str:
        """``> 0 and <= 604800`` style wording."""
        low = f"> {self.low:g}" if self.exclusive else f">= {self.low:g}"
        return f"{low} and <= {self.high:g}"


_WEEK = 7 * 24 * 3600.0
_SECONDS = NumberLimit(0, _WEEK, exclusive=True, example="60")

#: Flags with their own range; any other int/float flag gets :data:`DEFAULT_LIMIT`.
NUMBER_LIMITS: dict[str, NumberLimit] = {
    "--deadline": _SECONDS,
    "--task-deadline": _SECONDS,
    "--poll-interval": _SECONDS,
    "--read-timeout": _SECONDS,
    "--timeout": _SECONDS,
    "--time-scale": NumberLimit(0, 1000, exclusive=True, example="0.01"),
    "--fail-share": NumberLimit(0, 1, example="0.1"),
    "--max-body-bytes": NumberLimit(1024, 1024**3, example="8388608"),
    "--max-paid-tasks": NumberLimit(0, 1_000_000, example="5"),
    "--max-examples": NumberLimit(1, 100_000, example="20"),
    "--port": NumberLimit(0, 65535, example="8787"),
    "--callback-port": NumberLimit(0, 65535, example="8788"),
    "--emulator-port": NumberLimit(0, 65535, example="0"),
    "--seed": NumberLimit(0, 2**64 - 1, example="7"),
    "--rate-limit": NumberLimit(0, 1_000_000, exclusive=True, example="5"),
    "--max-running": NumberLimit(1, 1_000_000, example="8"),
    "--max-tasks": NumberLimit(1, 10_000_000, example="10000"),
    "--status-code": NumberLimit(100, 599, example="200"),
}
DEFAULT_LIMIT = NumberLimit(0, 1_000_000_000, example="10")


def check_number(value: float | int | None, flag: str) -> None:
    """Raise :class:`UsageError` when ``value`` of ``flag`` is ``nan``, infinite or out of its range."""
    if value is None or isinstance(value, bool):
        return
    limit = NUMBER_LIMITS.get(flag, DEFAULT_LIMIT)
    fix = f"give a number {limit.describe()}, e.g. {flag} {limit.example or '1'}"
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"must be a finite number, got {value}", where=flag, fix=fix)
    too_low = value <= limit.low if limit.exclusive else value < limit.low
    if too_low or value > limit.high:
        shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:27]}..."
        raise UsageError(f"{shown} is out of range", where=flag, fix=fix)


def _read(path: Path | str, max_bytes: int, what: str, fix: str) -> bytes:
    where = str(path)
    file = Path(path)
    try:
        if file.is_dir():
            raise UsageError(f"cannot read the {what}: it is a folder, not a file", where=where, fix=fix)
        with open(file, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise UsageError(f"cannot read the {what}: no such file", where=where, fix=fix) from None
    except OSError as exc:
        raise UsageError(
            f"cannot read the {what} ({exc.strerror or type(exc).__name__})", where=where, fix=fix
        ) from None
    if len(data) > max_bytes:
        raise UsageError(
            f"the {what} is larger than {max_bytes} bytes (read stopped there)",
            where=where,
            fix=f"{fix} (a {what} is never that large: is it the right file?)",
        )
    return data


def read_bytes_input(path: Path | str, *, what: str, fix: str, max_bytes: int, text_only: bool = True) -> bytes:
    """At most ``max_bytes`` of ``path``; binary content (a NUL byte) is refused unless ``text_only`` is off."""
    data = _read(path, max_bytes, what, fix)
    if text_only and b"\0" in data:
        raise UsageError(f"the {what} is binary, not text", where=str(path), fix=fix)
    return data


def read_text_input(path: Path | str, *, what: str, fix: str, max_bytes: int) -> str:
    """The UTF-8 text of ``path`` (at most ``max_bytes``); binary or non-UTF-8 content is refused."""
    data = read_bytes_input(path, what=what, fix=fix, max_bytes=max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the {what} is not UTF-8 text (byte {exc.start})", where=str(path), fix=f"{fix}; save it as UTF-8"
        ) from None


def check_stdin_size(data: bytes, *, what: str, fix: str, max_bytes: int) -> bytes:
    """``data`` read from standard input with ``read(max_bytes + 1)``: refused when over the cap."""
    if len(data) > max_bytes:
        raise UsageError(f"the {what} is larger than {max_bytes} bytes", where="-", fix=fix)
    return data


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a parsed document, counted without recursion, stopping once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def check_depth(value: T, *, what: str, where: str, fix: str, limit: int = MAX_DEPTH) -> T:
    """``value`` unchanged, or :class:`UsageError` when it is nested deeper than ``limit``."""
    if depth_of(value, limit) > limit:
        raise UsageError(f"the {what} is nested more than {limit} levels deep", where=where, fix=fix)
    return value


def parse_bounded(parse: Callable[[], T], *, what: str, where: str, fix: str, limit: int = MAX_DEPTH) -> T:
    """``parse()`` with its nesting checked; a parser that recurses too deep is the same message."""
    try:
        value = parse()
    except RecursionError:
        raise UsageError(f"the {what} is nested too deep to read", where=where, fix=fix) from None
    return check_depth(value, what=what, where=where, fix=fix, limit=limit)


def is_folder_or_missing(path: Path) -> bool:
    """Whether ``path`` does not exist yet or is a folder (what ``--cassettes``/``--reports-dir`` need)."""
    return not os.path.exists(path) or os.path.isdir(path)


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_DEPTH",
    "NUMBER_LIMITS",
    "NumberLimit",
    "check_depth",
    "check_number",
    "check_stdin_size",
    "depth_of",
    "is_folder_or_missing",
    "parse_bounded",
    "read_bytes_input",
    "read_text_input",
]
