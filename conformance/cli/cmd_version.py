"""``kling-conformance version``: print the tool version."""

from __future__ import annotations

import typer

from conformance import __version__


def register(app: typer.Typer) -> None:
    """Add the ``version`` command to ``app``."""

    @app.command("version")
    def version() -> None:
        """Print the kling-conformance version."""
        typer.echo(__version__)
