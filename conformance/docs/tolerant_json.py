"""A tolerant reader for the JSON examples of gateway documents (JSON, JSONC and damaged JSON).

Gateway documents are copied from web pages. Their examples carry ``//`` comments, keys that were
commented out, trailing commas, and sometimes a huge base64 string cut off mid-way (the rest of the
object is then missing too). :func:`scan_json_block` finds where an example ends in the document and
repairs what can be repaired, recording every repair as a human-readable note with its line number;
:func:`parse_tolerant` does the same for a stand-alone text. Anything else that is not JSON is tried
once more with JSON5 rules (single quotes, unquoted keys, ...), and what still fails raises
:class:`JsonRepairError` naming the line.

Line numbers are 1-based document lines throughout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import json5

#: Appended (before the closing quote) to a string that was cut off by the end of its line.
TRUNCATION_MARK = "\ue000"
#: Strings cut off in the source that are longer than this are stored shortened.
SHORTEN_ABOVE = 128
#: How many leading characters of a shortened string are kept.
SHORTEN_KEEP = 64

_CLOSERS = {"{": "}", "[": "]"}
_CONTAINER_NAME = {"{": "object", "[": "array"}
# A line that can continue a JSON text that is still open.
_CONTINUATION = re.compile(r"""^\s*(?:["{}\[\],:\d\-]|//|/\*|true\b|false\b|null\b)""")


class JsonRepairError(ValueError):
    """An example that cannot be repaired into JSON.

    ``line`` is the document line of the problem; ``last_line`` the last line of the broken block when
    its end is known (0 otherwise), so a reader can resume after it.
    """

    def __init__(self, line: int, reason: str, *, last_line: int = 0) -> None:
        self.line = line
        self.reason = reason
        self.last_line = last_line
        super().__init__(f"line {line}: {reason}")


@dataclass(frozen=True, slots=True)
class CommentedOut:
    """A key/value pair that the document commented out (``// "image": "https://..."``)."""

    key: str
    value: Any
    first_line: int
    last_line: int


@dataclass(frozen=True, slots=True)
class TolerantResult:
    """A parsed example: its value, where it sits, and every repair that was needed to read it."""

    value: Any
    first_line: int
    last_line: int
    repairs: tuple[str, ...] = ()
    commented_out: tuple[CommentedOut, ...] = ()
    end_col: int = 0  # column just after the closing bracket on ``last_line`` (0 when closed by repair)

    @property
    def truncated(self) -> bool:
        """Whether a string or container had to be closed because the source cut it off."""
        return any("truncated" in note or "unterminated" in note for note in self.repairs)


@dataclass
class _Scan:
    """Mutable state of one scan (private)."""

    out: list[str]
    stack: list[tuple[str, int]]
    repairs: list[str]
    comments: list[tuple[int, str]]
    last_sig: tuple[int, str, int] | None = None  # (index into out, char, line) of the last significant char


def parse_tolerant(text: str, *, first_line: int = 1) -> TolerantResult:
    """Parse ``text`` (one JSON/JSONC example) tolerantly; ``first_line`` is the line ``text`` starts on.

    Raises :class:`JsonRepairError` when the text does not start with ``{`` or ``[`` or cannot be
    repaired.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped:
            if stripped[0] not in "{[":
                raise JsonRepairError(first_line + index, "example does not start with '{' or '['")
            shifted = [""] * (first_line - 1) + lines
            return scan_json_block(shifted, first_line - 1 + index, len(line) - len(stripped))
    raise JsonRepairError(first_line, "empty example")


def scan_json_block(lines: Sequence[str], start: int, col: int) -> TolerantResult:
    """Read the JSON value that starts at ``lines[start][col]`` (a ``{`` or ``[``) and parse it.

    The value ends where its outermost bracket closes. A string still open at the end of a line was
    cut off in the source: it is closed there. When the text stops looking like JSON (or the
    document ends) while brackets are open, they are closed. Comments are removed; comments that
    hold ``"key": value`` pairs are kept as :class:`CommentedOut`. Trailing commas are removed.
    """
    scan = _Scan(out=[], stack=[], repairs=[], comments=[])
    end_line, end_col = _scan(lines, start, col, scan)
    commented = _collect_comments(scan)
    text = "".join(scan.out)
    try:
        value, json5_note = _parse(text, start + 1, end_line + 1)
    except JsonRepairError as error:
        raise JsonRepairError(error.line, error.reason, last_line=end_line + 1) from None
    value, shortened = _restore_truncated(value, "$")
    repairs = sorted(scan.repairs + json5_note, key=_line_key) + shortened
    return TolerantResult(
        value=value,
        first_line=start + 1,
        last_line=end_line + 1,
        repairs=tuple(repairs),
        commented_out=tuple(commented),
        end_col=end_col,
    )


def _scan(lines: Sequence[str], start: int, col: int, scan: _Scan) -> tuple[int, int]:
    """Copy the block into ``scan.out`` with repairs; return (line index, column) after its end."""
    in_string = False
    in_block_comment = False
    line_index = start
    while line_index < len(lines):
        line = lines[line_index]
        lineno = line_index + 1
        i = col if line_index == start else 0
        while i < len(line):
            ch = line[i]
            if in_block_comment:
                end = line.find("*/", i)
                if end < 0:
                    scan.comments.append((lineno, line[i:]))
                    i = len(line)
                    continue
                scan.comments.append((lineno, line[i:end]))
                in_block_comment = False
                i = end + 2
                continue
            if in_string:
                scan.out.append(ch)
                if ch == "\\" and i + 1 < len(line):
                    scan.out.append(line[i + 1])
                    i += 2
                    continue
                if ch == '"':
                    in_string = False
                    scan.last_sig = (len(scan.out) - 1, ch, lineno)
                i += 1
                continue
            if line.startswith("//", i):
                scan.comments.append((lineno, line[i + 2 :]))
                break
            if line.startswith("/*", i):
                in_block_comment = True
                i += 2
                continue
            if ch == '"':
                in_string = True
                scan.out.append(ch)
            elif ch in "{[":
                scan.stack.append((ch, lineno))
                _emit_sig(scan, ch, lineno)
            elif ch in "}]":
                _close(scan, ch, lineno)
                if not scan.stack:
                    return line_index, i + 1
            elif not ch.isspace():
                _emit_sig(scan, ch, lineno)
            else:
                scan.out.append(ch)
            i += 1
        if in_string:
            scan.out.append(TRUNCATION_MARK + '"')
            scan.last_sig = (len(scan.out) - 1, '"', lineno)
            in_string = False
            scan.repairs.append(f"truncated string at line {lineno} repaired")
        scan.out.append("\n")
        if not in_block_comment and not _continues(lines, line_index + 1):
            _close_all(scan, lineno)
            return line_index, 0
        line_index += 1
    _close_all(scan, len(lines))
    return len(lines) - 1, 0


def _emit_sig(scan: _Scan, ch: str, lineno: int) -> None:
    scan.out.append(ch)
    scan.last_sig = (len(scan.out) - 1, ch, lineno)


def _close(scan: _Scan, ch: str, lineno: int) -> None:
    opener, opened_at = scan.stack.pop()
    if _CLOSERS[opener] != ch:
        raise JsonRepairError(lineno, f"'{ch}' closes the {_CONTAINER_NAME[opener]} opened at line {opened_at}")
    if scan.last_sig is not None and scan.last_sig[1] == ",":
        comma_index, _, comma_line = scan.last_sig
        scan.out[comma_index] = " "
        scan.repairs.append(f"trailing comma at line {comma_line} removed")
    _emit_sig(scan, ch, lineno)


def _close_all(scan: _Scan, lineno: int) -> None:
    """Close every open container at the end of a cut-off block, innermost first."""
    if not scan.stack:
        return
    if scan.last_sig is not None and scan.last_sig[1] == ",":
        comma_index, _, comma_line = scan.last_sig
        scan.out[comma_index] = " "
        scan.repairs.append(f"trailing comma at line {comma_line} removed")
    while scan.stack:
        opener, opened_at = scan.stack.pop()
        scan.out.append(_CLOSERS[opener])
        scan.repairs.append(
            f"unterminated {_CONTAINER_NAME[opener]} opened at line {opened_at} closed after line {lineno}"
        )


def _continues(lines: Sequence[str], index: int) -> bool:
    """Whether the next non-blank line from ``index`` can continue an open JSON text."""
    while index < len(lines):
        if lines[index].strip():
            return bool(_CONTINUATION.match(lines[index]))
        index += 1
    return False


def _line_key(note: str) -> int:
    """The last document line a repair note mentions (notes are listed in the order of the source)."""
    numbers = [int(n) for pair in re.findall(r"\blines? (\d+)(?:-(\d+))?", note) for n in pair if n]
    return max(numbers, default=0)


def _parse(text: str, first_line: int, last_line: int) -> tuple[Any, list[str]]:
    """Strict JSON first; JSON5 rules as the fallback (noted); otherwise the strict error's line."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as strict_error:
        try:
            value = json5.loads(text)
        except ValueError:
            line = first_line + strict_error.lineno - 1
            raise JsonRepairError(line, f"not repairable JSON: {strict_error.msg}") from None
        where = f"line {first_line}" if first_line == last_line else f"lines {first_line}-{last_line}"
        return value, [f"JSON5 syntax at {where} accepted ({strict_error.msg} under strict JSON)"]


def _collect_comments(scan: _Scan) -> list[CommentedOut]:
    """Group comment lines that follow each other and read ``"key": value`` pairs out of them."""
    groups: list[list[tuple[int, str]]] = []
    for lineno, text in scan.comments:
        if groups and lineno - groups[-1][-1][0] <= 1:
            groups[-1].append((lineno, text))
        else:
            groups.append([(lineno, text)])
    found: list[CommentedOut] = []
    for group in groups:
        first, last = group[0][0], group[-1][0]
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        pairs = _commented_pairs("\n".join(text for _, text in group))
        if pairs:
            for key, value in pairs.items():
                found.append(CommentedOut(key=key, value=value, first_line=first, last_line=last))
                scan.repairs.append(f'commented-out key "{key}" at {where} ignored')
        else:
            scan.repairs.append(f"comment at {where} removed")
    return found


def _commented_pairs(text: str) -> dict[str, Any]:
    body = text.strip().rstrip(",")
    if not body.startswith('"'):
        return {}
    try:
        value = json5.loads("{" + body + "}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _restore_truncated(value: Any, path: str) -> tuple[Any, list[str]]:
    """Strip the truncation marks; shorten long cut-off strings; report each one with its JSON path."""
    notes: list[str] = []
    if isinstance(value, str):
        if value.endswith(TRUNCATION_MARK):
            return _shorten(value[: -len(TRUNCATION_MARK)], path, notes), notes
        return value, notes
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            restored, inner = _restore_truncated(item, f"{path}[{index}]")
            items.append(restored)
            notes.extend(inner)
        return items, notes
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            clean_key = key[: -len(TRUNCATION_MARK)] if key.endswith(TRUNCATION_MARK) else key
            if clean_key != key:
                notes.append(f"key {clean_key!r} cut off in the source")
            restored, inner = _restore_truncated(item, f"{path}.{clean_key}")
            result[clean_key] = restored
            notes.extend(inner)
        return result, notes
    return value, notes


def _shorten(text: str, path: str, notes: list[str]) -> str:
    if len(text) <= SHORTEN_ABOVE:
        notes.append(f"string at {path} cut off in the source after {len(text)} chars")
        return text
    notes.append(f"string at {path} cut off in the source; stored as its first {SHORTEN_KEEP} of {len(text)} chars")
    return shortened_marker(text)


def shortened_marker(text: str) -> str:
    """The stored form of a long string cut off in the source: its head plus a marker with its length."""
    return f"{text[:SHORTEN_KEEP]}…[truncated in source, {len(text)} chars]"


def is_shortened(value: Any) -> bool:
    """Whether ``value`` is a string stored shortened by this module."""
    return isinstance(value, str) and value.endswith(" chars]") and "…[truncated in source, " in value
