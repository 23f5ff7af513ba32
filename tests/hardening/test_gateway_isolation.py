"""One gateway's traffic must never be judged as another's, within one run.

The local callback receiver is shared by every gateway of a run; it once keyed deliveries by family only
(``/callback/<family>``), so gateway A's callbacks were counted for gateway B. Callback URLs now name
the gateway and the scenario and carry an unguessable token (``/callback/<gateway>/<scenario>/<token>``,
the receiver refuses any other path: ``tests/harness/test_callbacks.py``); this test keeps a fault-free
run clean. A hostile task id is escaped wherever it is used and loses no cassette.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_live import CALLBACK_CHECKS, emulator_run
from lax_gateway import LaxGateway, lax_gateway

from conformance.models import Outcome
from conformance.runmodel import RunReport


def test_callbacks_stay_with_their_gateway(tmp_path: Path) -> None:
    """Four Kling-family gateways in one fault-free run: no callback check may fail."""
    run = emulator_run(["kling-official", "yibuapi", "n1n", "winfull"], tmp_path)
    leaked = [
        f"{r.gateway}: {r.check}: {r.message}"
        for r in run.report.results
        if r.check in CALLBACK_CHECKS and r.outcome in (Outcome.FAIL, Outcome.ERROR)
    ]
    assert not leaked, leaked[:3]


def _record_against(gw: LaxGateway, workdir: Path) -> RunReport:
    import asyncio

    from conformance.harness.options import RunOptions
    from conformance.harness.runner import run_and_write

    options = RunOptions(
        gateways=["kling-official"],
        mode="record",
        base_url=gw.url,
        max_paid_tasks=40,
        poll_interval=0.01,
        task_deadline=5.0,
        reports_dir=workdir / "reports",
        cassettes_dir=workdir / "cassettes",
        quiet=True,
    )
    return asyncio.run(run_and_write(options))


def test_a_hostile_task_id_is_escaped_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CR, LF, NUL, ``/``, ``..``, ``?`` and ``#`` in a task id: polled escaped, no harness error, every
    cassette kept (as many as with a plain id)."""
    monkeypatch.setenv("KLING_API_KEY", "kc-isolation-key-0000")
    counts = {}
    for name, task_id in (("plain", ""), ("hostile", "../a/b?c=d\r\nX-Evil: 1\x00#e")):
        with lax_gateway("accept") as gw:
            gw.task_id = task_id
            report = _record_against(gw, tmp_path / name)
        errors = [r for r in report.results if r.outcome is Outcome.ERROR]
        assert not errors, [r.message for r in errors][:3]
        counts[name] = len(list((tmp_path / name / "cassettes").rglob("*.yaml")))
        if task_id:
            polls = [path for method, path, _ in gw.requests if method == "GET" and "%0D%0A" in path]
            assert polls, "the hostile id was never polled (escaped)"
            assert not any("\r" in path or "/../" in path for _, path, _ in gw.requests)
    assert counts["hostile"] == counts["plain"] > 0
