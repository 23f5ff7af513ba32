"""Reading reports back: a ``report.json`` file, a run folder, or a reports root (its ``latest``)."""

from __future__ import annotations

import json
from pathlib import Path

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
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"cannot read the report ({exc})", where=str(file), fix="check the path and permissions"
        ) from exc
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"not JSON: {exc.msg} at line {exc.lineno}", where=str(file), fix="pass the report.json a run wrote"
        ) from exc
    validate_report_dict(data, where=str(file))
    return RunReport.from_dict(data)
