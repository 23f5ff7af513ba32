"""Shared helpers of the report-reading commands (compare, diff, merge, report)."""

from __future__ import annotations

from pathlib import Path

import typer

from conformance.errors import UsageError
from conformance.reports.writer import atomic_write_text

FORMAT_CHOICES = ("text", "md", "json")


def check_format(value: str, allowed: tuple[str, ...], flag: str = "--format") -> str:
    """``value`` when it is one of ``allowed``; a UsageError naming the flag otherwise."""
    if value not in allowed:
        raise UsageError(f"unknown format {value!r}", where=flag, fix=f"use one of: {', '.join(allowed)}")
    return value


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
