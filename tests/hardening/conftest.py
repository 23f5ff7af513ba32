"""Fixtures of the hardening suite: figure sinks, and the README figures test runs last."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hardening_figures import FigureSink

README_TEST = "test_reliability_readme.py"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the README figures test after every other test (it reads what they measured)."""
    last = [item for item in items if item.path.name == README_TEST]
    if last:
        items[:] = [item for item in items if item.path.name != README_TEST] + last


def figure_sink_fixture(area: str) -> object:
    """A module-scoped fixture collecting the figures of ``area`` and writing them after the module."""

    @pytest.fixture(scope="module")
    def sink() -> Iterator[FigureSink]:
        collected = FigureSink(area)
        yield collected
        if collected.counts and collected.complete:
            collected.write()

    return sink
