"""Fixtures of the compare, diff and merge tests."""

from __future__ import annotations

import pytest
from compare_samples import pair_report

from conformance.runmodel import RunReport


@pytest.fixture
def pair() -> RunReport:
    """A report holding a Kling-like gateway (alpha) and a new-api-like one (beta)."""
    return pair_report()
