"""The drafted profile as ordered TOML sections whose keys carry comments: rendered as text, or as data.

``[[x]]`` sections are array-of-table items. Values are rendered with TOML's inline syntax (JSON's string
escapes are valid TOML basic-string escapes), so the text and :meth:`Document.data` always agree;
``tests/profiles/test_profile_draft.py`` parses the text back and compares.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(slots=True)
class Entry:
    """``key = value`` with comment lines above it (``TODO confirm: ...`` marks what a person must check)."""

    key: str
    value: Any
    comments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Section:
    """A ``[header]`` (or ``[[header]]`` when ``array``) with its entries; ``header`` empty = top level."""

    header: str
    entries: list[Entry] = field(default_factory=list)
    array: bool = False
    comments: list[str] = field(default_factory=list)

    def add(self, key: str, value: Any, *comments: str) -> None:
        self.entries.append(Entry(key, value, [c for c in comments if c]))


@dataclass(slots=True)
class Document:
    """The sections of one profile, in file order, and free comment lines at the top."""

    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, header: str, *, array: bool = False, comments: tuple[str, ...] = ()) -> Section:
        made = Section(header, array=array, comments=list(comments))
        self.sections.append(made)
        return made

    def data(self) -> dict[str, Any]:
        """The profile as parsed TOML data."""
        root: dict[str, Any] = {}
        for section in self.sections:
            table = root
            parts = [p.strip('"') for p in _split_header(section.header)] if section.header else []
            for part in parts[:-1] if section.array else parts:
                table = table.setdefault(part, {})
            if section.array:
                table = _append(table.setdefault(parts[-1], []))
            for entry in section.entries:
                table[entry.key] = entry.value
        return root

    def text(self) -> str:
        """The profile as TOML text with every comment."""
        lines = [_comment(c) for c in self.preamble]
        for section in self.sections:
            if section.header:
                lines.append("")
                lines.extend(_comment(c) for c in section.comments)
                lines.append(f"[[{section.header}]]" if section.array else f"[{section.header}]")
            else:
                lines.extend(_comment(c) for c in section.comments)
            for entry in section.entries:
                lines.extend(_comment(c) for c in entry.comments)
                lines.append(f"{_key(entry.key)} = {render_value(entry.value)}")
        return "\n".join(lines) + "\n"


def _append(items: list[dict[str, Any]]) -> dict[str, Any]:
    items.append({})
    return items[-1]


def _split_header(header: str) -> list[str]:
    return re.findall(r'"[^"]*"|[^.]+', header)


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.splitlines() or [""])


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def render_value(value: Any) -> str:
    """One TOML inline value: strings, integers, floats, booleans, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(str(k))} = {render_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")  # pragma: no cover - drafts hold JSON values only
