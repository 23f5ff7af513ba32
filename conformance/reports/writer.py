"""Writing ``reports/<run-id>/`` atomically and pointing ``reports/latest`` at the newest run.

Every file is written to a temporary name and moved into place with :func:`os.replace`; the run
directory is assembled as a hidden ``.<run-id>.tmp-…`` directory and renamed into place complete.
``reports/latest`` is a relative symlink swapped atomically (a temporary symlink renamed over it), so it
never points at a half-written run. Where symlinks are impossible it is a copy, swapped the same way.
``reports/latest.txt`` always holds the id of the latest run. An exclusive lock serialises the
``latest`` update between concurrent runs, and ``latest`` only ever moves to a newer run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from conformance.errors import UsageError
from conformance.reports.base import REPORTERS
from conformance.reports.json_report import report_dict_chunks
from conformance.reports.schema import ReportError, report_errors
from conformance.runmodel import RunReport

LATEST = "latest"
LATEST_TXT = "latest.txt"
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def new_run_id(now: dt.datetime | None = None) -> str:
    """A unique, sortable run id: ``YYYYmmddTHHMMSSZ-<6 hex>``."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{moment:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and ``os.replace``.

    Every registered secret is scrubbed first (see :func:`conformance.harness.redact.scrub_registered_text`).
    """
    from conformance.scrub import scrub_registered_text

    text = scrub_registered_text(text)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_pieces(path: Path, pieces: Iterable[str]) -> None:
    """Stream ``pieces`` (UTF-8) to ``path`` through a temporary file and ``os.replace``, scrubbed on the way.

    The bytes are those of ``atomic_write_text(path, "".join(pieces))``, but the whole text is never held:
    memory stays bounded by one scrub chunk (see :func:`conformance.scrub.scrub_registered_stream`).
    """
    from conformance.scrub import scrub_registered_stream

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as handle:
            for chunk in scrub_registered_stream(piece.encode("utf-8") for piece in pieces):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _not_writable(root: Path, exc: OSError) -> UsageError:
    return UsageError(
        f"cannot write reports there ({exc.strerror or exc})",
        where=str(root),
        fix=f"make {root} writable (e.g. `chmod u+w {root}`) or choose another folder with --reports-dir",
    )


def _ensure_writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{os.getpid()}-{secrets.token_hex(3)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise _not_writable(root, exc) from exc


@contextlib.contextmanager
def _latest_lock(root: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: os.replace is still atomic, only ordering is unguarded
        yield
        return
    with open(root / ".latest.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def resolve_latest(root: Path) -> Path | None:
    """The run directory ``reports/latest`` designates, or ``None`` when there is none."""
    link = root / LATEST
    if link.is_symlink():
        target = (root / os.readlink(link)).resolve()
        return target if target.is_dir() else None
    marker = root / LATEST_TXT
    if marker.is_file():
        run_id = marker.read_text(encoding="utf-8").strip()
        if _RUN_ID.match(run_id) and (root / run_id).is_dir():
            return root / run_id
    if link.is_dir():
        return link
    return None


def _sort_key(run_dir: Path) -> tuple[str, str]:
    """(started_at, run id) of a written run, for "newer than" decisions."""
    try:
        meta = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))["meta"]
        return (str(meta.get("started_at", "")), str(meta.get("run_id", run_dir.name)))
    except (OSError, ValueError, KeyError, TypeError):
        return ("", run_dir.name)


def _point_latest(root: Path, run_dir: Path) -> None:
    with _latest_lock(root):
        current = resolve_latest(root)
        if current is not None and current.resolve() != run_dir.resolve() and _sort_key(current) > _sort_key(run_dir):
            return  # a newer run already finished; never move latest backwards
        tmp = root / f".{LATEST}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        link = root / LATEST
        try:
            os.symlink(run_dir.name, tmp, target_is_directory=True)
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)  # an earlier copy fallback; replaced by a link from now on
            os.replace(tmp, link)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            _copy_latest(root, run_dir)
        atomic_write_text(root / LATEST_TXT, run_dir.name + "\n")


def _copy_latest(root: Path, run_dir: Path) -> None:
    """Fallback without symlinks: a complete copy renamed into place, the old copy removed after."""
    tmp = root / f".{LATEST}.copy-{os.getpid()}-{secrets.token_hex(4)}"
    shutil.copytree(run_dir, tmp)
    link = root / LATEST
    old = root / f".{LATEST}.old-{os.getpid()}-{secrets.token_hex(4)}"
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        os.replace(link, old)
    os.replace(tmp, link)
    shutil.rmtree(old, ignore_errors=True)


def write_reports(report: RunReport, reports_root: Path, formats: Sequence[str] | None = None) -> Path:
    """Write ``report`` as ``reports_root/<run-id>/`` in every format (or ``formats``) and update ``latest``.

    Returns the run directory. The report is validated against ``specs/report.schema.json`` first; a
    report that does not match raises :class:`~conformance.reports.schema.ReportError`. A folder that
    cannot be written raises :class:`~conformance.errors.UsageError` naming it and the fix.
    """
    names = list(formats) if formats else REPORTERS.names()
    chosen = [REPORTERS.get(name) for name in names]
    run_id = report.meta.run_id
    if not _RUN_ID.match(run_id):
        raise UsageError(
            f"run id {run_id!r} cannot name a folder",
            field="meta.run_id",
            fix="use letters, digits, '.', '_' and '-' only (e.g. the default YYYYmmddTHHMMSSZ-abc123)",
        )
    problems: list[str] = []
    for chunk in report_dict_chunks(report):  # piece by piece: never the whole document's values at once
        problems += report_errors(chunk)
        if len(problems) >= 3:
            break
    if problems:
        raise ReportError(
            "the run produced a report that does not match specs/report.schema.json: " + "; ".join(problems[:3]),
            where=f"reports/{run_id}/report.json",
            fix="this is a bug in the producer of the report; please report it with the run's log",
        )
    root = Path(reports_root)
    _ensure_writable(root)
    final = root / run_id
    staging = root / f".{run_id}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        for item in chosen:
            atomic_write_pieces(staging / item.filename, item.pieces(report))
        if final.exists():  # re-rendering a run: swap the whole folder
            old = root / f".{run_id}.old-{os.getpid()}-{secrets.token_hex(4)}"
            os.replace(final, old)
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
        _point_latest(root, final)
    except OSError as exc:
        raise _not_writable(root, exc) from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final
