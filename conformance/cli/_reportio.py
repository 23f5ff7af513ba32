"""Shared helpers of the report-reading commands (compare, diff, merge, report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from conformance.errors import UsageError
from conformance.reports.writer import atomic_write_text

#: The one format vocabulary of every ``-f/--format``: each name means the same file type everywhere.
FORMATS = ("text", "md", "json", "junit", "html")
#: Spellings accepted for a format name (``markdown`` was the name ``report -f`` used).
FORMAT_ALIASES = {"markdown": "md"}
#: What ``compare`` renders.
FORMAT_CHOICES = ("text", "md", "json")


def check_format(value: str, allowed: tuple[str, ...], flag: str = "--format") -> str:
    """The canonical name of ``value`` (``markdown`` → ``md``) when it is in ``allowed``; else a UsageError."""
    name = FORMAT_ALIASES.get(value.strip().lower(), value.strip().lower())
    if name not in allowed:
        known = " (known to other commands)" if name in FORMATS else ""
        raise UsageError(
            f"format {value!r} is not available here{known}", where=flag, fix=f"use one of: {', '.join(allowed)}"
        )
    return name


def format_option(allowed: tuple[str, ...], *, repeatable: bool = False) -> Any:
    """``-f/--format FORMAT`` listing ``allowed`` in its help."""
    text = " | ".join(allowed) + (" (repeatable; default: all)" if repeatable else "") + "."
    return typer.Option("--format", "-f", metavar="FORMAT", help=text)


def emit(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out`` (and say where)."""
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, text)
    except OSError as exc:
        raise UsageError(
            f"cannot write the output ({exc.strerror})", where=str(out), fix="choose a writable path for --out"
        ) from exc
    typer.echo(f"wrote {out}", err=True)
