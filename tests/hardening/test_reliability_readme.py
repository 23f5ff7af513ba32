"""The README's reliability section says exactly what this test run measured.

Runs after every other hardening test (``conftest.py`` orders it last): the other modules write
``.figures/<area>.json``; here the section is rendered from those files with the same code as
``scripts/update_reliability.py`` and compared with the committed README.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "update_reliability.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_reliability", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_reliability_section_matches_the_measured_figures() -> None:
    """Fails when a figure changed (re-run ``python scripts/update_reliability.py``) or was typed by hand."""
    script = _script()
    try:
        figures = script.load_figures()
    except script.MissingFigures as exc:
        pytest.skip(str(exc))
    expected = script.render(figures, script.load_benchmark())
    section = script.current_section(script.README.read_text(encoding="utf-8"))
    assert section is not None, "README.md has no <!-- reliability:start --> ... <!-- reliability:end --> section"
    assert section == expected.strip(), "README reliability section is stale: run python scripts/update_reliability.py"


def test_section_render_round_trips() -> None:
    """Replacing the section twice gives the same README (markers kept, rest untouched)."""
    script = _script()
    figures = {area: {"tried": 3, "survived": 3} for area in script.AREAS}
    body = script.render(figures, None)
    once = script.replace_section("# Title\n\nIntro.\n", body)
    twice = script.replace_section(once, body)
    assert once == twice and once.startswith("# Title\n\nIntro.\n")
    assert script.current_section(once) == body.strip()
