"""Fixtures of the report tests."""

from __future__ import annotations

import pytest
from report_samples import build_report

from conformance.runmodel import RunReport


@pytest.fixture
def report() -> RunReport:
    """A realistic synthetic report."""
    return build_report()
