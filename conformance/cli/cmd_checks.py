"""``kling-conformance checks [--json] [--area AREA]``: list the check catalog.

Each check shows its area, severity, cost (``paid`` checks need a task-creating call), what a pass is
judged against (``canonical`` Kling contract, the gateway ``profile``, or the gateway's ``document``),
the operations it applies to and its one-line description.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from conformance.checks import CheckSpec, load_builtin_checks
from conformance.checks.base import Area
from conformance.errors import UsageError, did_you_mean


def catalog(area: str | None = None) -> list[CheckSpec]:
    """The registered checks, optionally only those of ``area`` (an :class:`Area` value)."""
    specs = [spec for _, spec in load_builtin_checks().items()]
    if area is None:
        return specs
    valid = [a.value for a in Area]
    if area not in valid:
        raise UsageError(
            f"unknown area {area!r}.{did_you_mean(area, valid)}",
            where="--area",
            fix=f"use one of: {', '.join(valid)}",
        )
    return [spec for spec in specs if spec.area.value == area]


def spec_to_dict(spec: CheckSpec) -> dict[str, Any]:
    """JSON-ready description of one check."""
    return {
        "id": spec.id,
        "area": spec.area.value,
        "severity": spec.severity.value,
        "paid": spec.paid,
        "basis": spec.basis,
        "operations": list(spec.operations),
        "scenarios": list(spec.scenarios),
        "description": spec.description,
    }


def register(app: typer.Typer) -> None:
    """Add the ``checks`` command to ``app``."""

    @app.command("checks")
    def checks(
        as_json: bool = typer.Option(False, "--json", help="Print one JSON array instead of a table."),
        area: str | None = typer.Option(
            None, "--area", help=f"Only this area: {', '.join(a.value for a in Area)}.", metavar="AREA"
        ),
    ) -> None:
        """List the check catalog: id, area, severity, paid/free, basis, operations and description."""
        specs = catalog(area)
        if as_json:
            typer.echo(json.dumps([spec_to_dict(s) for s in specs], ensure_ascii=False, indent=2))
            return
        from rich.console import Console  # only the table view needs rich
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_lines=False)
        for column in ("id", "area", "severity", "cost", "judged against", "operations", "description"):
            table.add_column(column, overflow="fold")
        for spec in specs:
            table.add_row(
                spec.id,
                spec.area.value,
                spec.severity.value,
                "paid" if spec.paid else "free",
                spec.basis,
                ",".join(spec.operations) or "gateway-wide",
                spec.description,
            )
        console = Console(width=max(Console().width, 160), soft_wrap=False)
        console.print(table, markup=False, highlight=False)
        paid = sum(1 for s in specs if s.paid)
        console.print(f"{len(specs)} checks ({paid} paid, {len(specs) - paid} free)", markup=False, highlight=False)
