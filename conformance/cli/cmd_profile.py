"""``kling-conformance profile draft``: draft a gateway profile from a few of its real response bodies."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from conformance.errors import UsageError

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def draft_command(sources: list[str], *, profile_id: str, base_url: str | None, out: Path | None) -> None:
    """Draft, print (or write) the TOML, and say on stderr how the draft reads each body and what to confirm."""
    from conformance.profiles.drafting import draft_profile, read_samples

    if not _ID.match(profile_id):
        raise UsageError(
            f"{profile_id!r} is not a profile id", where="--id", fix="use lower-case letters, digits and '-'"
        )
    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise UsageError(f"{base_url!r} is not a URL", where="--base-url", fix="write https://api.example.com")
    samples = read_samples(sources, stdin=sys.stdin.buffer)
    draft = draft_profile(samples, profile_id=profile_id, base_url=base_url)
    text = draft.text()
    if out is not None:
        from conformance.harness.atomic import write_atomic

        write_atomic(out, text)
    else:
        typer.echo(text, nl=False)
    err = sys.stderr
    print(
        f"drafted {profile_id!r} from {len(samples)} bodies: {len(draft.findings)} inferences, "
        f"{len(draft.to_confirm)} to confirm (TODO confirm in the draft)",
        file=err,
    )
    for reading in draft.readings:
        what = "error" if reading.is_error else (reading.status or "no status")
        extra = f", task id {reading.task_id}" if reading.task_id else ""
        extra += f", {len(reading.video_urls)} video URL(s)" if reading.video_urls else ""
        print(f"  {reading.label}: shape {reading.shape}, {what}{extra}", file=err)
    for finding in draft.to_confirm:
        print(f"  to confirm: {finding.topic}: {finding.confirm}", file=err)
    if out is not None:
        print(f"written to {out}; check it with: kling-conformance inspect --profile {out} BODY", file=err)


def register(app: typer.Typer) -> None:
    """Add the ``profile`` command group (``profile draft``) to ``app``."""
    profile_app = typer.Typer(
        name="profile", help="Work with gateway profiles.", no_args_is_help=True, rich_markup_mode=None
    )

    @profile_app.command("draft")
    def draft(
        sources: Annotated[
            list[str],
            typer.Argument(
                metavar="BODY",
                help="Raw response bodies of the gateway: FILE, ROLE=FILE or ROLE@HTTP=FILE (ROLE: submit, "
                "progress, done, error), or - for NDJSON on standard input (one body per line).",
            ),
        ],
        profile_id: Annotated[str, typer.Option("--id", help="The drafted profile's id.")] = "my-gateway",
        base_url: Annotated[
            str | None, typer.Option("--base-url", help="The gateway's base URL (else a TODO placeholder).")
        ] = None,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write the draft to this file (default: standard output).")
        ] = None,
    ) -> None:
        """Draft a profile TOML from a few real bodies of a gateway (submit, in progress, done, error).

        Infers where the task id, status, result URLs, failure reason and error live, the status words,
        the success codes and the timestamp units, using the tool's own reading model; every inference is
        a comment naming its evidence (body, JSONPath), and every guess is marked "TODO confirm". The draft
        is read back before it is printed: how it reads each body goes to standard error. Exit code 0; 2
        when a body or flag cannot be used.
        """
        draft_command(sources, profile_id=profile_id, base_url=base_url, out=out)

    app.add_typer(profile_app, name="profile")
