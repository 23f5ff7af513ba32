"""Fixtures for the pytest-plugin tests: ``pytester`` (without enabling the pytester plugin project-wide)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.pytester import Pytester

# Inline pytester runs restore sys.modules afterwards, dropping modules first imported inside them; a
# module imported again later (yaml, schemathesis) then mixes two copies of its classes. Importing what
# the plugin uses here keeps one copy for the whole session.
import conformance.checks
import conformance.emulator
import conformance.harness.runner
import conformance.normalize
import conformance.profiles
import conformance.pytest_kling.catalog
import conformance.pytest_kling.client
import conformance.pytest_kling.session
import conformance.pytest_kling.tasks
import conformance.reports
import conformance.spec

conformance.checks.load_builtin_checks()

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "test_my_integration.py"


@pytest.fixture
def pytester(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Pytester:
    """pytest's own ``pytester``, in an isolated directory, with the harness cache kept out of $HOME."""
    monkeypatch.setenv("KLING_CONFORMANCE_CACHE_DIR", str(tmp_path_factory.mktemp("kc-cache")))
    manager = request.config.pluginmanager
    if not manager.has_plugin("pytester"):
        # Load pytest's pytester plugin for this area only (pytest_plugins is refused in a nested conftest).
        manager.import_plugin("pytester")
    return Pytester(request, tmp_path_factory, monkeypatch, _ispytest=True)


@pytest.fixture
def example_text() -> str:
    """The README's consumer contract example (the one file both the README and this test read)."""
    return EXAMPLE.read_text(encoding="utf-8")
