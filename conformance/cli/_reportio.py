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


def artifact_option() -> Any:
    """``--artifact-url URL``: where the complete output is kept (a CI run's artifacts page)."""
    return typer.Option(
        "--artifact-url",
        metavar="URL",
        help="Where the complete output is kept (e.g. the CI run's artifacts); -f md links it when it is cut "
        "to fit a pull-request comment (65,536 characters).",
    )


def fit_for_comment(text: str, fmt: str, artifact_url: str | None, what: str) -> str:
    """Markdown cut to fit a pull-request comment, linking the complete ``what``; other formats unchanged."""
    if fmt != "md":
        return text
    from conformance.reports.fit import PR_COMMENT_LIMIT, fit

    where = (
        f"the complete {what} is in [the CI artifacts]({artifact_url})"
        if artifact_url
        else f"the complete {what} is in the `-f json` output (keep it as a CI artifact)"
    )
    return fit(text, PR_COMMENT_LIMIT, where=where)


def report_label(path: Path, run_id: str) -> str:
    """How output names a report file: relative to the working directory, else ``<run-id>/report.json``."""
    from conformance.reports.fit import display_path
    from conformance.reports.loader import report_file

    return display_path(report_file(path), fallback=f"{run_id}/report.json")
