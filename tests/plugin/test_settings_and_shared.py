"""Settings precedence (flags over pyproject over defaults) and the cross-process budget counter."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from conformance.pytest_kling.settings import SettingsError, merge_settings
from conformance.pytest_kling.shared import Budget, shared_catalog_report

NO_FLAGS: dict[str, object] = {
    "gateways": None,
    "mode": None,
    "base_url": None,
    "profiles": None,
    "max_paid_tasks": None,
    "emulator": None,
}


def _pyproject(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.kling-conformance]\n{body}", encoding="utf-8")
    return tmp_path


def test_defaults_leave_the_plugin_inactive(tmp_path: Path) -> None:
    settings = merge_settings(dict(NO_FLAGS), tmp_path)
    assert not settings.active and not settings.collects_catalog and settings.mode == "replay"


def test_file_values_apply_and_flags_win(tmp_path: Path) -> None:
    root = _pyproject(
        tmp_path,
        'gateway = ["yibuapi", "n1n"]\nmode = "live"\nmax-paid-tasks = 5\n'
        'cassettes = "tests/cassettes"\nbase_url = "http://127.0.0.1:8080"\n',
    )
    from_file = merge_settings(dict(NO_FLAGS), root)
    assert from_file.gateways == ["yibuapi", "n1n"] and from_file.mode == "live" and from_file.max_paid_tasks == 5
    assert from_file.cassettes == root / "tests" / "cassettes"
    assert from_file.sources["gateways"] == "pyproject" and from_file.active
    flags = dict(NO_FLAGS, gateways=["apicore"], mode="record", max_paid_tasks=0)
    merged = merge_settings(flags, root)
    assert merged.gateways == ["apicore"] and merged.mode == "record" and merged.max_paid_tasks == 0
    assert merged.sources["gateways"] == "flag" and merged.sources["base_url"] == "pyproject"


def test_emulator_implies_live_unless_a_mode_is_set(tmp_path: Path) -> None:
    assert merge_settings(dict(NO_FLAGS, emulator=True), tmp_path).mode == "live"
    assert merge_settings(dict(NO_FLAGS, emulator=True, mode="record"), tmp_path).mode == "record"


@pytest.mark.parametrize(
    "body",
    [
        'mode = "often"\n',
        "max-paid-tasks = -1\n",
        'gatway = "x"\n',
        "emulator = 1\n",
        'base-url = "ftp://x"\n',
        "gateway = 3\n",
    ],
)
def test_bad_file_values_are_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(SettingsError):
        merge_settings(dict(NO_FLAGS), _pyproject(tmp_path, body))


def _spend_all(shared: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    budget = Budget(Path(shared), cap=7)
    results.put(sum(1 for _ in range(10) if budget.spend()))


def test_budget_never_overspends_across_processes(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    workers = [ctx.Process(target=_spend_all, args=(str(tmp_path), results)) for _ in range(3)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(30)
    spent = sum(results.get(timeout=5) for _ in workers)
    assert spent == 7
    assert Budget(tmp_path, cap=7).used() == 7 and Budget(tmp_path, cap=7).remaining() == 0


def test_shared_catalog_report_runs_once(tmp_path: Path) -> None:
    calls: list[int] = []

    def run() -> dict[str, object]:
        calls.append(1)
        return {"results": [], "n": len(calls)}

    first = shared_catalog_report(tmp_path, "key", run)
    second = shared_catalog_report(tmp_path, "key", run)
    assert first == second == {"results": [], "n": 1} and calls == [1]
    assert shared_catalog_report(tmp_path, "other key", run)["n"] == 2
