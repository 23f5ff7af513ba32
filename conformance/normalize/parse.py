"""Defensive body parsing: raw bytes, text or already-parsed JSON in, a JSON value (or a verdict) out.

Fast path: ``orjson.loads`` on the raw bytes. Only when orjson refuses the body does the slow path run,
and it explains why in a note: a byte order mark, invalid UTF-8 (bytes replaced), numbers orjson cannot
hold (``1e400``, ``NaN``; the standard ``json`` module reads them), lone surrogate escapes, nesting
deeper than orjson's 1024 levels (never handed to a recursive parser), truncated JSON, trailing data,
HTML pages and plain text. Nothing here raises on any input.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from conformance.bounds import MAX_LIST_ITEMS, trim_lists, trim_note
from conformance.normalize.result import Shape

#: Deepest nesting the ``json`` fallback is trusted with (its C scanner recurses per level).
MAX_FALLBACK_DEPTH = 400
#: Largest ``message`` string that is tried as wrapped JSON.
MAX_WRAPPED_JSON = 65536

_STRING_RE = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\Z)', re.S)  # possessive: O(1) memory on a 1 MB string
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_SPACES_RE = re.compile(r"\s+")
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGIT_RUN = b"0" * 19  # 19+ digits may be beyond 64 bits, which orjson silently turns into floats
_UTF8_BOM = b"\xef\xbb\xbf"
_INT64 = 2**63


@dataclass(slots=True)
class Parsed:
    """The outcome of parsing one body.

    ``shape`` is set when parsing alone decided the shape (``empty``, ``not-json``, ``unknown``);
    otherwise ``value`` holds the JSON value. ``dirty_strings`` flags lone surrogates that must be
    cleaned before strings leave the normalizer.
    """

    value: Any = None
    shape: Shape | None = None
    notes: list[str] = field(default_factory=list)
    dirty_strings: bool = False


def parse_body(body: Any) -> Parsed:
    """Parse ``body`` (bytes, str, or an already-parsed JSON value) without ever raising."""
    if body is None:
        return Parsed(shape=Shape.EMPTY, notes=["no body"])
    if isinstance(body, bytes | bytearray | memoryview):
        return _parse_bytes(bytes(body))
    if isinstance(body, str):
        return _parse_text(body)
    return Parsed(value=body)


def _parse_bytes(raw: bytes) -> Parsed:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:  # an empty or blank body lands here too: orjson refuses it
        if not raw.strip():
            return _empty(raw)
        return _recover_bytes(raw, str(exc))
    if _LONG_DIGIT_RUN in raw.translate(_DIGITS_TO_ZERO):
        return _bounded(_reparse_exact(raw.decode("utf-8"), value, []), raw)
    parsed = Parsed(value=value)
    _check_duplicates(raw, value, parsed)
    return _bounded(parsed, raw)


def _bounded(parsed: Parsed, raw: bytes | str) -> Parsed:
    """``parsed`` with every list cut to :data:`~conformance.bounds.MAX_LIST_ITEMS` items (and a note).

    A list of more than N items has at least N commas between them in ``raw``: fewer commas in the whole
    body (strings included, which only over-counts) means no list is long, and the value is not walked.
    """
    commas = raw.count(",") if isinstance(raw, str) else raw.count(b",")
    if parsed.value is not None and commas >= MAX_LIST_ITEMS:
        value, longest = trim_lists(parsed.value)
        if longest:
            parsed.value = value
            parsed.notes.append(trim_note(longest))
    return parsed


def _parse_text(text: str, notes: list[str] | None = None) -> Parsed:
    notes = notes if notes is not None else []
    if not text.strip():
        parsed = _empty(text)
        parsed.notes[:0] = notes
        return parsed
    if text.startswith("\ufeff"):
        notes.append("body starts with a byte order mark")
        text = text[1:]
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _recover_text(text, str(exc), notes)
    if _LONG_DIGIT_RUN in text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO):
        return _bounded(_reparse_exact(text, value, notes), text)
    parsed = Parsed(value=value, notes=notes)
    _check_duplicates(text, value, parsed)
    return _bounded(parsed, text)


def _empty(raw: bytes | str) -> Parsed:
    note = "empty body" if not raw else "body is only whitespace"
    return Parsed(shape=Shape.EMPTY, notes=[note])


def _recover_bytes(raw: bytes, error: str) -> Parsed:
    notes: list[str] = []
    if raw.startswith(_UTF8_BOM):
        notes.append("body starts with a byte order mark")
        raw = raw[len(_UTF8_BOM) :]
        if not raw.strip():
            return Parsed(shape=Shape.EMPTY, notes=[*notes, "empty body"])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append("body is UTF-16, not UTF-8")
        return _parse_text(raw.decode("utf-16", "replace"), notes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("invalid UTF-8 (bytes replaced)")
        text = raw.decode("utf-8", "replace")
    return _parse_text(text, notes) if notes else _recover_text(text, error, notes)


def _reparse_exact(text: str, value: Any, notes: list[str]) -> Parsed:
    """A run of 19+ digits: re-read with ``json`` so integers beyond 64 bits stay exact (and get noted)."""
    if max_depth(text) > MAX_FALLBACK_DEPTH:
        parsed = Parsed(value=value, notes=[*notes, "long numbers read as floats (body too deeply nested to re-read)"])
        _check_duplicates(text, value, parsed)
        return parsed
    return _recover_text(text, "long integer", notes)


def _recover_text(text: str, error: str, notes: list[str]) -> Parsed:
    """orjson refused ``text`` (or would lose precision): explain why, and read it with ``json`` when safe."""
    if "depth limit" in error or "recursion" in error:
        return Parsed(shape=Shape.UNKNOWN, notes=[*notes, "JSON nested too deeply (over 1024 levels); not read"])
    depth = max_depth(text)
    if depth > MAX_FALLBACK_DEPTH:
        return Parsed(shape=Shape.UNKNOWN, notes=[*notes, f"JSON nested too deeply ({depth} levels); not read"])
    fallback_notes: list[str] = []
    try:
        value = json.loads(
            text,
            parse_int=lambda s: _parse_int(s, fallback_notes),
            parse_float=lambda s: _parse_float(s, fallback_notes),
            parse_constant=lambda s: _parse_constant(s, fallback_notes),
        )
    except json.JSONDecodeError as exc:
        return Parsed(shape=Shape.NOT_JSON, notes=[*notes, *describe_non_json(text, exc)])
    except (RecursionError, ValueError, TypeError) as exc:
        return Parsed(shape=Shape.NOT_JSON, notes=[*notes, f"body could not be read as JSON ({type(exc).__name__})"])
    parsed = Parsed(value=value, notes=[*notes, *dict.fromkeys(fallback_notes)])
    if "surrogate" in error:
        parsed.notes.append("lone surrogate escape in a string")
        parsed.dirty_strings = True
    _check_duplicates(text, value, parsed)
    return parsed


def _parse_int(digits: str, notes: list[str]) -> int | float:
    try:
        number = int(digits)
    except ValueError:  # more digits than Python converts
        notes.append("number out of range")
        return float(digits)
    if abs(number) >= _INT64:
        notes.append("number out of range for a 64-bit integer")
    return number


def _parse_float(digits: str, notes: list[str]) -> float:
    number = float(digits)
    if not math.isfinite(number):
        notes.append("number out of range")
    return number


def _parse_constant(name: str, notes: list[str]) -> float:
    notes.append(f"non-standard number {name}")
    return float(name.lower().replace("infinity", "inf"))


def describe_non_json(text: str, error: json.JSONDecodeError | None = None) -> list[str]:
    """Notes saying what a body that is not JSON looks like: HTML page, truncated JSON, plain text."""
    head = text.lstrip()
    low = head[:512].lower()
    if low.startswith("<") and ("<html" in low or "<!doctype html" in low or "<head" in low or "<body" in low):
        title = _TITLE_RE.search(text[:65536])
        label = _squash(title.group(1)) if title else ""
        return [f"HTML page: {label}" if label else "HTML page"]
    if head.startswith("<"):
        return ["markup (XML) body, not JSON"]
    if head.startswith(("{", "[")):
        if error is not None and error.msg.startswith("Extra data"):
            return ["extra data after the JSON value"]
        cut_at_end = error is not None and (error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"))
        if cut_at_end or _open_depth(text) > 0:
            return ["truncated JSON"]
        where = f" at char {error.pos}" if error is not None else ""
        return [f"invalid JSON{where}"]
    return [f"plain text body: {_squash(head[:200])!r}"]


def _squash(text: str, limit: int = 120) -> str:
    text = _SPACES_RE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open_depth(text: str) -> int:
    """Brackets still open at the end of ``text`` (ignoring strings): > 0 means the body was cut off."""
    stripped = _STRING_RE.sub("", text)
    return stripped.count("{") + stripped.count("[") - stripped.count("}") - stripped.count("]")


def max_depth(text: str) -> int:
    """Deepest ``{``/``[`` nesting of ``text``, ignoring brackets inside strings (linear, no recursion)."""
    depth = deepest = 0
    for char in _STRING_RE.sub("", text):
        if char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth -= 1
    return deepest


def parse_wrapped_json(text: str) -> Any:
    """The JSON value inside a string (``message`` wrapping an upstream body), or ``None``."""
    head = text.lstrip()
    if not head.startswith(("{", "[")) or len(text) > MAX_WRAPPED_JSON:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _key_colons(raw: bytes | str) -> int:
    """How many ``"<key>":`` separators ``raw`` has (``" :`` when the writer puts a space first)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    return raw.count(b'":') or raw.count(b'" :')


def _check_duplicates(raw: bytes | str, value: Any, parsed: Parsed) -> None:
    """Note duplicate object keys. orjson keeps the last value silently; re-serialising the parsed value
    drops the duplicates, so fewer key separators after the round trip is the cheap signal, and the slow
    ``json`` pass that names the keys only runs then."""
    colons = _key_colons(raw)
    if colons == 0:
        return
    try:
        again = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return
    if colons <= again.count(b'":'):
        return
    duplicates: list[str] = []

    def collect(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in duplicates:
                duplicates.append(key)
            seen.add(key)
        return dict(pairs)

    try:
        json.loads(raw, object_pairs_hook=collect, parse_constant=float)
    except (ValueError, RecursionError, TypeError):
        return
    if duplicates:
        parsed.notes.append(f"duplicate keys: {', '.join(duplicates[:5])} (the last value is used)")
