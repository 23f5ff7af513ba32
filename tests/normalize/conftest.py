"""Shared fixtures for the normalizer tests."""

from __future__ import annotations

import pytest
from normalize_cases import ALL_CASES, BodyCase


@pytest.fixture(scope="session")
def all_cases() -> list[BodyCase]:
    """All table-driven cases (``cases/*.json``)."""
    return ALL_CASES
