"""Reports written by every run: ``report.json``, ``junit.xml``, ``summary.md`` and ``index.html``.

:data:`REPORTERS` holds one reporter per format; :func:`write_reports` writes them all into
``reports/<run-id>/`` and moves ``reports/latest``; :func:`load_report` reads one back.
"""

from __future__ import annotations

import importlib

from conformance.reports.base import REPORTERS, Reporter
from conformance.reports.loader import load_report, report_file
from conformance.reports.schema import ReportError, report_errors, validate_report_dict
from conformance.reports.writer import new_run_id, resolve_latest, write_reports

#: Reporter modules, imported in this order so that ``REPORTERS`` lists json, junit, markdown, html.
for _module in ("json_report", "junit", "markdown", "html"):
    importlib.import_module(f"conformance.reports.{_module}")

__all__ = [
    "REPORTERS",
    "ReportError",
    "Reporter",
    "load_report",
    "new_run_id",
    "report_errors",
    "report_file",
    "resolve_latest",
    "validate_report_dict",
    "write_reports",
]
