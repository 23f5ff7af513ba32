"""Fixtures of the report tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_cdp import BROWSER, Page, PipeCDP, open_report
from report_samples import build_report

from conformance.reports import write_reports
from conformance.runmodel import RunReport


@pytest.fixture
def report() -> RunReport:
    """A realistic synthetic report."""
    return build_report()


@pytest.fixture(scope="session")
def browser() -> Iterator[PipeCDP]:
    """One headless Chromium for every browser test (each opens its own tab)."""
    if BROWSER is None:
        pytest.skip("no headless Chromium on PATH (Debian: apt-get install -y chromium)")
    cdp = PipeCDP(BROWSER)
    try:
        yield cdp
    finally:
        cdp.close()


@pytest.fixture
def page_of(browser: PipeCDP, tmp_path: Path, report: RunReport) -> Iterator[tuple[Page, Path]]:
    """The sample report's index.html open in a fresh tab (after its script ran)."""
    run_dir = write_reports(report, tmp_path / "reports", formats=["json", "html"])
    page = Page(browser)
    open_report(page, (run_dir / "index.html").as_uri())
    yield page, run_dir
    page.close()
