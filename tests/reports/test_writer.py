"""write_reports: folder layout, atomic files, ``latest`` that never points at a half-written run."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
from report_samples import build_report

from conformance.errors import UsageError
from conformance.reports import ReportError, load_report, new_run_id, resolve_latest, write_reports
from conformance.reports import writer as writer_module
from conformance.runmodel import RunReport


def test_writes_every_file_and_points_latest(tmp_path: Path, report: RunReport) -> None:
    root = tmp_path / "reports"
    run_dir = write_reports(report, root)
    assert run_dir == root / report.meta.run_id
    assert sorted(p.name for p in run_dir.iterdir()) == ["index.html", "junit.xml", "report.json", "summary.md"]
    assert (root / "latest").is_symlink() and os.readlink(root / "latest") == report.meta.run_id
    assert (root / "latest.txt").read_text().strip() == report.meta.run_id
    assert load_report(root).to_dict() == load_report(run_dir / "report.json").to_dict()
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".") and p.name != ".latest.lock"]
    assert leftovers == []


def test_formats_subset_and_unknown_format(tmp_path: Path, report: RunReport) -> None:
    run_dir = write_reports(report, tmp_path, formats=["markdown"])
    assert [p.name for p in run_dir.iterdir()] == ["summary.md"]
    with pytest.raises(UsageError, match=r"unknown reporter 'markdwn'.*Did you mean 'markdown'"):
        write_reports(report, tmp_path, formats=["markdwn"])


def test_run_ids_are_unique_and_sortable() -> None:
    ids = {new_run_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", i) for i in ids)


def test_unwritable_folder_names_folder_and_fix(tmp_path: Path, report: RunReport) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError) as caught:
        write_reports(report, blocker / "reports")
    assert caught.value.where == str(blocker / "reports")
    assert "--reports-dir" in caught.value.fix


def test_invalid_report_writes_nothing(tmp_path: Path, report: RunReport) -> None:
    from dataclasses import replace

    report.results[0] = replace(report.results[0], check="Not A Check")
    with pytest.raises(ReportError, match="does not match"):
        write_reports(report, tmp_path / "reports")
    assert not (tmp_path / "reports").exists() or list((tmp_path / "reports").iterdir()) == []


def test_latest_moves_forward_only(tmp_path: Path) -> None:
    newer = build_report("20261122T120000Z-bbbbbb")
    newer.meta.started_at = "2026-11-22T12:00:00Z"
    older = build_report("20261122T110000Z-aaaaaa")
    older.meta.started_at = "2026-11-22T11:00:00Z"
    write_reports(newer, tmp_path)
    write_reports(older, tmp_path)  # an older run finishing later must not steal latest
    assert resolve_latest(tmp_path) == (tmp_path / newer.meta.run_id).resolve()
    rerender = write_reports(newer, tmp_path)  # re-rendering a run replaces its folder whole
    assert (rerender / "index.html").is_file() and resolve_latest(tmp_path) == rerender.resolve()


def test_failure_midway_leaves_latest_on_previous_complete_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_report("20261122T100000Z-111111")
    write_reports(first, tmp_path)
    second = build_report("20261122T110000Z-222222")
    second.meta.started_at = "2026-11-22T11:00:00Z"
    real = writer_module.atomic_write_pieces
    calls = {"n": 0}

    def flaky(path: Path, pieces: Iterable[str]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(path, pieces)

    monkeypatch.setattr(writer_module, "atomic_write_pieces", flaky)
    with pytest.raises(UsageError, match="No space left"):
        write_reports(second, tmp_path)
    assert resolve_latest(tmp_path) == (tmp_path / first.meta.run_id).resolve()
    assert not (tmp_path / second.meta.run_id).exists()
    assert [p for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_copy_fallback_without_symlinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_symlinks(*args: object, **kwargs: object) -> None:
        raise OSError(1, "symlinks not permitted")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    first = build_report("20261122T100000Z-111111")
    write_reports(first, tmp_path)
    second = build_report("20261122T110000Z-222222")
    second.meta.started_at = "2026-11-22T11:00:00Z"
    write_reports(second, tmp_path)
    latest = tmp_path / "latest"
    assert latest.is_dir() and not latest.is_symlink()
    assert json.loads((latest / "report.json").read_text())["meta"]["run_id"] == second.meta.run_id
    assert resolve_latest(tmp_path) == tmp_path / second.meta.run_id  # latest.txt wins over the copy


def test_concurrent_runs_do_not_corrupt_each_other(tmp_path: Path) -> None:
    reports = []
    for i in range(6):
        r = build_report(f"20261122T1{i}0000Z-{i:06x}")
        r.meta.started_at = f"2026-11-22T1{i}:00:00Z"
        reports.append(r)
    stop = threading.Event()
    seen: list[str] = []
    problems: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            latest = resolve_latest(tmp_path)
            if latest is None:
                continue
            try:
                seen.append(json.loads((latest / "report.json").read_text())["meta"]["run_id"])
            except (OSError, ValueError) as exc:  # a half-written report would land here
                problems.append(repr(exc))

    watcher = threading.Thread(target=reader)
    watcher.start()
    writers = [threading.Thread(target=write_reports, args=(r, tmp_path)) for r in reports]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    watcher.join()
    assert problems == []
    for r in reports:
        assert load_report(tmp_path / r.meta.run_id).meta.run_id == r.meta.run_id
    assert resolve_latest(tmp_path) == (tmp_path / reports[-1].meta.run_id).resolve()
