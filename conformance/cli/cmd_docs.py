"""``kling-conformance docs``: derive gateway specs from gateway documents, and show what they say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from conformance.errors import EXIT_FINDINGS, EXIT_USAGE, UsageError
from conformance.paths import gateway_specs_dir

if TYPE_CHECKING:
    from conformance.docs import DerivedSpecs


def _document_files(paths: list[Path]) -> list[Path]:
    """The documents named on the command line; a directory stands for its ``*.txt`` files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.txt"))
            if not found:
                raise UsageError("the directory holds no .txt documents", where=str(path), fix="pass document files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError("no such file", where=str(path), fix="pass the path of a gateway document (a .txt file)")
    return files


def _report(derived: DerivedSpecs, out: Path, *, check_only: bool) -> None:
    for file, count in sorted(derived.example_counts.items()):
        typer.echo(f"{file}: {count} example(s)")
    for gw_id in sorted(derived.texts):
        departures = derived.departures[gw_id]
        target = out / f"{gw_id}.yaml"
        if check_only:
            state = "STALE" if target in derived.stale else "up to date"
        else:
            state = "written" if target in derived.written else "unchanged"
        typer.echo(
            f"{gw_id}: {len(derived.operations[gw_id])} operation(s) "
            f"({', '.join(derived.operations[gw_id])}), {len(departures)} departure(s) -> {target} [{state}]"
        )
    for problem in derived.problems:
        typer.echo(f"error: {problem.render()}", err=True)


def _as_json(derived: DerivedSpecs, out: Path) -> str:
    data: dict[str, Any] = {
        "examples": dict(sorted(derived.example_counts.items())),
        "gateways": {
            gw_id: {
                "file": str(out / f"{gw_id}.yaml"),
                "operations": derived.operations[gw_id],
                "departures": [dep.to_dict() for dep in derived.departures[gw_id]],
            }
            for gw_id in sorted(derived.texts)
        },
        "written": [str(path) for path in derived.written],
        "stale": [str(path) for path in derived.stale],
        "problems": [{"file": p.file, "line": p.line, "reason": p.reason} for p in derived.problems],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _show(gateway_id: str, *, as_json: bool) -> None:
    from conformance.docs import load_gateway_spec

    spec = load_gateway_spec(gateway_id)
    if as_json:
        typer.echo(json.dumps(spec.document, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{spec.gateway_id} ({spec.title}) base URL {spec.base_url or '(not documented)'}, prefix {spec.path_prefix}"
    )
    sources = [f"{file} ({modified or 'undated'})" for file, modified in spec.sources]
    typer.echo(f"sources: {', '.join(sources)}")
    for operation in spec.operations.values():
        template = f" [template {operation.path_template}]" if operation.path_template else ""
        typer.echo(
            f"  {operation.operation_id}: {operation.method} {operation.path}{template}, "
            f"shape {operation.documented_shape or '(no example)'}, statuses {sorted(operation.statuses)}"
        )
        for example in operation.examples:
            status = f" {example.status}" if example.status else ""
            repairs = f", {len(example.provenance.repairs)} repair(s)" if example.provenance.repairs else ""
            typer.echo(f"    {example.direction}{status} {example.name} ({example.provenance.label()}{repairs})")
    typer.echo(f"departures ({len(spec.departures)}):")
    for departure in spec.departures:
        check = f" [waives {departure.check}]" if departure.check else ""
        path = f" {departure.json_path}" if departure.json_path else ""
        typer.echo(f"  {departure.operation} {departure.kind}{path}: {departure.reason}{check} ({departure.source()})")


def register(app: typer.Typer) -> None:
    """Add the ``docs`` command group (``docs extract``, ``docs show``) to ``app``."""
    docs_app = typer.Typer(
        name="docs",
        help="Derive per-gateway specs from gateway documents and show what they document.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )

    @docs_app.command("extract")
    def extract(
        documents: Annotated[
            list[Path],
            typer.Argument(help="Gateway document files (.txt), or directories of them.", show_default=False),
        ],
        out: Annotated[
            Path | None, typer.Option("--out", help="Directory for <gateway-id>.yaml (default: specs/gateways/).")
        ] = None,
        gateway: Annotated[
            str | None,
            typer.Option("--gateway", help="Gateway id for documents the tool does not recognise by host or name."),
        ] = None,
        check: Annotated[
            bool, typer.Option("--check", help="Write nothing; exit 1 when a derived spec differs from the file.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
    ) -> None:
        """Find every request/response JSON example in the documents and write one OpenAPI file per gateway.

        Examples are read tolerantly (comments, commented-out keys, trailing commas, strings cut off in
        the source; every repair is recorded with its line). Each gateway file lists the documented
        operations, their examples with provenance (document file and line range) and every departure
        from the canonical spec. Exit code 0 when everything was extracted, 2 when an example could not
        be repaired (reported as file:line; the others are still written), 1 with --check when a file
        is stale.
        """
        from conformance.docs import extract_to_directory

        target = out or gateway_specs_dir()
        derived = extract_to_directory(_document_files(documents), target, gateway_id=gateway, check_only=check)
        if as_json:
            typer.echo(_as_json(derived, target))
            for problem in derived.problems:
                typer.echo(f"error: {problem.render()}", err=True)
        else:
            _report(derived, target, check_only=check)
        if derived.problems:
            raise typer.Exit(EXIT_USAGE)
        if derived.stale:
            typer.echo(
                f"{len(derived.stale)} derived spec(s) are stale; run `kling-conformance docs extract` without --check",
                err=True,
            )
            raise typer.Exit(EXIT_FINDINGS)

    @docs_app.command("show")
    def show(
        gateway: Annotated[str, typer.Argument(help="Gateway id, e.g. yibuapi.", show_default=False)],
        as_json: Annotated[bool, typer.Option("--json", help="Print the whole derived spec as JSON.")] = False,
    ) -> None:
        """Show what a gateway's document says: operations, examples with provenance, departures."""
        from conformance.docs import gateway_spec_ids, load_gateway_spec

        if gateway not in gateway_spec_ids():
            load_gateway_spec(gateway)  # raises the UsageError with the list of known ids
        _show(gateway, as_json=as_json)

    app.add_typer(docs_app, name="docs")
