"""Reading reports back: a ``report.json`` file, a run folder, or a reports root (its ``latest``)."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.errors import UsageError
from conformance.inputs import MAX_REPORT_BYTES, parse_bounded, read_text_input
from conformance.reports.schema import ReportError, validate_report_dict
from conformance.reports.writer import resolve_latest
from conformance.runmodel import RunReport


def report_file(path: Path) -> Path:
    """The ``report.json`` that ``path`` designates (a file, a run folder or a reports root)."""
    path = Path(path)
    if path.is_file():
        return path
    if (path / "report.json").is_file():
        return path / "report.json"
    latest = resolve_latest(path) if path.is_dir() else None
    if latest is not None and (latest / "report.json").is_file():
        return latest / "report.json"
    raise ReportError(
        "no report found",
        where=str(path),
        fix="pass a report.json or a reports/<run-id> folder, or run `kling-conformance run` to create reports/latest",
    )


def load_report(path: Path) -> RunReport:
    """Load and validate a report; any problem is a :class:`ReportError` naming the file."""
    file = report_file(path)
    fix = "pass the report.json a run wrote"
    try:
        text = read_text_input(file, what="report", fix=fix, max_bytes=MAX_REPORT_BYTES)
        data = parse_bounded(lambda: json.loads(text), what="report", where=str(file), fix=fix)
    except ReportError:
        raise
    except UsageError as exc:
        raise ReportError(exc.problem, where=exc.where, fix=exc.fix) from None
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"not JSON: {exc.msg} at line {exc.lineno}", where=str(file), fix="pass the report.json a run wrote"
        ) from exc
    validate_report_dict(data, where=str(file))
    return RunReport.from_dict(data)
