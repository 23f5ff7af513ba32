"""Shared fixtures for the canonical-spec tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.paths import canonical_spec_path


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A writable copy of the canonical spec, named like the original."""
    target = tmp_path / "kling.openapi.yaml"
    shutil.copyfile(canonical_spec_path(), target)
    return target
