"""``kling-conformance inspect``: say what shape one gateway response body is and what it means."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from conformance.errors import EXIT_FINDINGS, EXIT_OK, UsageError, did_you_mean
from conformance.normalize import NormalizedResponse, normalize

#: The keys ``inspect --json`` prints, in this order (issue 3: the normalizer's result keys, including
#: ``external_task_id``); ``departures`` follows with ``--profile``.
INSPECT_KEYS: tuple[str, ...] = (
    "shape",
    "is_error",
    "status",
    "raw_status",
    "task_id",
    "upstream_task_id",
    "external_task_id",
    "video_urls",
    "image_urls",
    "failure_reason",
    "error_code",
    "error_message",
    "created_at",
    "updated_at",
    "notes",
)

_FILE_FIX = "pass the path of a file holding the raw response body, or - to read it from standard input"


def read_body(source: str) -> bytes:
    """The raw bytes of ``source`` (a path, or ``-`` for standard input); unreadable input is a usage error."""
    from conformance.inputs import MAX_BODY_BYTES, check_stdin_size, read_bytes_input

    if source == "-":
        data = sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
        return check_stdin_size(data, what="response body", fix=_FILE_FIX, max_bytes=MAX_BODY_BYTES)
    return read_bytes_input(source, what="response body", fix=_FILE_FIX, max_bytes=MAX_BODY_BYTES, text_only=False)


def load_inspect_profile(profile_id: str, operation: str | None) -> Any:
    """The profile named by ``--profile`` (id or .toml path); a broken or unknown one is a usage error."""
    try:
        from conformance.profiles import load_profile
    except ImportError as exc:  # pragma: no cover - the profiles package ships with the tool
        raise UsageError("profile loading is not available", where="--profile") from exc
    try:
        profile = load_profile(profile_id)
    except UsageError as exc:
        if exc.where == "--gateway":  # the loader names the flag of `run`; here the id came from --profile
            raise UsageError(exc.problem, where="--profile", field=exc.field, fix=exc.fix) from None
        raise
    except Exception as exc:
        raise UsageError(
            f"cannot load profile {profile_id!r}: {exc}",
            where="--profile",
            fix="use a built-in gateway id (kling-conformance gateways) or the path of a profile .toml file",
        ) from None
    if operation and operation not in profile.operations:
        known = list(profile.operations)
        raise UsageError(
            f"profile {profile.id!r} has no operation {operation!r}.{did_you_mean(operation, known)}",
            where="--operation",
            fix=f"use one of: {', '.join(sorted(known))}",
        )
    return profile


def inspect_dict(result: NormalizedResponse, *, with_departures: bool) -> dict[str, Any]:
    """The JSON object ``inspect --json`` prints: exactly :data:`INSPECT_KEYS` (+ ``departures``)."""
    full = result.to_dict()
    data = {key: full[key] for key in INSPECT_KEYS}
    if with_departures:
        data["departures"] = list(result.departures)
    return data


def _when(ms: int | None, unit: str | None) -> str:
    if ms is None:
        return ""
    try:
        moment = datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    except (OverflowError, OSError, ValueError):
        moment = "?"
    return f"{ms} ms ({moment}; sent in {unit or '?'})"


def _summary_rows(result: NormalizedResponse) -> list[tuple[str, str]]:
    status = ""
    if result.status is not None:
        status = result.status.value
        if result.raw_status is not None and result.raw_status != status:
            status = f"{status} (sent as {result.raw_status!r})"
    error = ""
    if result.error_code or result.error_message:
        error = ": ".join(part for part in (result.error_code, result.error_message) if part)
    rows = [
        ("shape", f"{result.shape.value}{'  (error)' if result.is_error else ''}"),
        ("HTTP status", "" if result.status_code is None else str(result.status_code)),
        ("status", status),
        ("task id", result.task_id or ""),
        ("upstream task id", result.upstream_task_id or ""),
        ("external task id", result.external_task_id or ""),
        ("video URLs", "\n".join(result.video_urls)),
        ("image URLs", "\n".join(result.image_urls)),
        ("video durations", ", ".join(result.video_durations)),
        ("failure reason", result.failure_reason or ""),
        ("error", error),
        ("created", _when(result.created_at, result.timestamp_unit)),
        ("updated", _when(result.updated_at, result.timestamp_unit)),
    ]
    return [(label, value) for label, value in rows if value]


def print_summary(result: NormalizedResponse, profile_id: str | None) -> None:
    """A short human-readable summary (rich), notes and, with a profile, the departures."""
    from rich.console import Console  # only the summary view needs rich
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in _summary_rows(result):
        table.add_row(Text(label), Text(value))
    console.print(table)
    if result.notes:
        console.print(Text("notes:", style="bold"))
        for note in result.notes:
            console.print(Text(f"  - {note}"))
    if profile_id is not None:
        if result.departures:
            console.print(Text(f"departs from profile {profile_id!r}:", style="bold yellow"))
            for departure in result.departures:
                console.print(Text(f"  - {departure}"))
        else:
            console.print(Text(f"matches what profile {profile_id!r} expects", style="bold green"))


def _batch_bodies(sources: list[str], *, ndjson: bool) -> Iterator[tuple[str, bytes]]:
    """(source label, raw body) for every body of every source; NDJSON sources give one body per line."""
    for source in sources:
        raw = read_body(source)
        if not ndjson:
            yield source, raw
            continue
        name = "stdin" if source == "-" else source
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                yield f"{name}:{number}", line


def inspect_batch(
    sources: list[str], *, ndjson: bool, status_code: int | None, profile: Any, operation: str | None
) -> bool:
    """Read every body in one process, print one JSON line each; ``True`` when any departs from the profile."""
    import orjson

    out = sys.stdout.buffer
    departed = False
    with_departures = profile is not None
    for label, raw in _batch_bodies(sources, ndjson=ndjson):
        result = normalize(raw, status_code=status_code, profile=profile, operation=operation)
        departed = departed or bool(result.departures)
        line = {"source": label, **inspect_dict(result, with_departures=with_departures)}
        out.write(orjson.dumps(line) + b"\n")
    out.flush()
    return departed


def register(app: typer.Typer) -> None:
    """Add the ``inspect`` command to ``app``."""

    @app.command("inspect")
    def inspect(
        sources: Annotated[
            list[str],
            typer.Argument(
                metavar="FILE...|-",
                help="Raw response bodies, exactly as the gateway sent them (- reads standard input).",
            ),
        ],
        status_code: Annotated[
            int | None,
            typer.Option("--status-code", min=100, max=599, help="The HTTP status the body came with."),
        ] = None,
        profile_id: Annotated[
            str | None,
            typer.Option(
                "--profile", help="Gateway profile id or .toml path: also say where the body departs from it."
            ),
        ] = None,
        operation: Annotated[
            str | None,
            typer.Option("--operation", help="Narrow the profile comparison to one operation (image2video.get)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a summary.")] = False,
        ndjson: Annotated[
            bool,
            typer.Option(
                "--ndjson",
                help="Each input holds one body per line (NDJSON); print one JSON line per body.",
            ),
        ] = False,
    ) -> None:
        """Classify response bodies: shape, status, ids, result URLs, errors, timestamps and oddities.

        One FILE prints one reading; several files, or --ndjson (one body per line, e.g. on standard
        input), are read in one process and print one JSON line per body, with its "source". Exit code
        0; with --profile, 1 when a body departs from the profile; 2 when a file or the profile cannot
        be read.
        """
        if operation and profile_id is None:
            raise UsageError("--operation only narrows a profile comparison", where="--operation", fix="add --profile")
        profile = load_inspect_profile(profile_id, operation) if profile_id is not None else None
        if ndjson or len(sources) > 1:
            departed = inspect_batch(
                sources, ndjson=ndjson, status_code=status_code, profile=profile, operation=operation
            )
            raise typer.Exit(EXIT_FINDINGS if departed else EXIT_OK)
        source = sources[0]
        body = read_body(source)
        result = normalize(body, status_code=status_code, profile=profile, operation=operation)
        if as_json:
            typer.echo(json.dumps(inspect_dict(result, with_departures=profile is not None), ensure_ascii=False))
        else:
            print_summary(result, None if profile is None else profile.id)
        raise typer.Exit(EXIT_FINDINGS if profile is not None and result.departures else EXIT_OK)
