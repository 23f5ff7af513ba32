"""``report.json``: the whole run, the source every other format and every later command reads."""

from __future__ import annotations

from typing import Any

from conformance.reports._jsonable import dumps, jsonable
from conformance.reports.base import reporter
from conformance.runmodel import RunReport


def report_dict(report: RunReport) -> dict[str, Any]:
    """The report.json document as plain JSON values (validated by ``specs/report.schema.json``)."""
    data: dict[str, Any] = jsonable(report.to_dict())
    return data


@reporter("json", "report.json")
def render_json(report: RunReport) -> str:
    """Machine-readable report (report.json), valid against specs/report.schema.json."""
    return dumps(report.to_dict(), indent=True).decode("utf-8") + "\n"
