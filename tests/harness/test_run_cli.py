"""`kling-conformance run`: the default replay, exit codes, usage errors, record → replay equality."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.harness.options import RunOptions
from conformance.harness.runner import RunState, execute_run

CLI = [sys.executable, "-m", "conformance"]


def test_default_run_replays_every_builtin_and_writes_a_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "run", "--reports-dir", str(tmp_path / "reports")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    report = json.loads((tmp_path / "reports" / "latest" / "report.json").read_text())
    assert report["meta"]["mode"] == "replay" and not report["meta"]["incomplete"]
    assert set(report["meta"]["gateways"]) >= {
        "kling-official",
        "yibuapi",
        "apicore",
        "bynewapi",
        "n1n",
        "winfull",
        "newapi",
        "onehub",
    }
    has_findings = any(r["outcome"] in ("fail", "error") for r in report["results"])
    assert done.returncode == (1 if has_findings else 0)
    # evidence is never blurred: doc-derived and emulator results both appear, each labelled
    kinds = Counter(r["evidence"]["kind"] for r in report["results"] if r["outcome"] != "skipped")
    assert kinds["emulator"] > 0 and kinds["doc-derived"] > 0
    doc = [r for r in report["results"] if r["evidence"]["kind"] == "doc-derived" and r["outcome"] != "skipped"]
    assert all(".txt lines" in r["evidence"]["source"] or r["evidence"]["source"].startswith("https://") for r in doc)
    assert not any(r["outcome"] == "error" for r in report["results"]), "a bundled replay must not error"


def test_missing_key_variable_exits_2_naming_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KLING_API_KEY", raising=False)
    done = subprocess.run(
        [*CLI, "run", "--mode", "live", "--gateway", "kling-official"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "KLING_API_KEY"},
    )
    assert done.returncode == 2
    assert "KLING_API_KEY" in done.stderr and "Traceback" not in done.stderr


def test_unknown_gateway_and_bad_flags_exit_2() -> None:
    runner = CliRunner()
    for args in (
        ["run", "--gateway", "yibuap"],
        ["run", "--shard", "3/2"],
        ["run", "--max-paid-tasks", "-1"],
        ["run", "--mode", "live", "--base-url", "example.com"],
        ["run", "--mode", "sometimes"],
    ):
        from conformance.cli.app import main

        try:
            main(args)
        except SystemExit as exc:
            assert exc.code == 2, args
        else:  # pragma: no cover
            raise AssertionError(f"{args} did not exit")
    assert runner  # keeps the import used


def test_unreadable_cassette_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "cassettes" / "kling-official"
    folder.mkdir(parents=True)
    (folder / "auth.missing-key.yaml").write_text("interactions: [unclosed\n")
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--gateway",
            "kling-official",
            "--cassettes",
            str(tmp_path / "cassettes"),
            "--reports-dir",
            str(tmp_path / "r"),
        ],
    )
    from conformance.errors import CassetteError

    assert isinstance(result.exception, CassetteError)
    assert "auth.missing-key.yaml" in str(result.exception)


def _outcomes(report) -> Counter[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return Counter((r.gateway, r.check, r.operation, r.outcome.value) for r in report.results)


def test_record_against_emulator_then_replay_gives_identical_results(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    live = asyncio.run(
        execute_run(
            RunOptions(
                gateways=["onehub"],
                mode="record",
                emulator=True,
                time_scale=0.001,
                cassettes_dir=cassettes,
                write_report=False,
            )
        )
    )
    assert live.meta.mode == "record" and live.results
    replayed = asyncio.run(execute_run(RunOptions(gateways=["onehub"], cassettes_dir=cassettes, write_report=False)))
    assert _outcomes(replayed) == _outcomes(live)
    assert {r.evidence.kind.value for r in replayed.results if r.outcome.value != "skipped"} == {"emulator"}


def test_interrupted_recording_keeps_every_completed_scenario(tmp_path: Path) -> None:
    """Cancel a record run part-way: every cassette on disk parses and matches a finished scenario."""
    from conformance.harness.cassette import load_cassette

    cassettes = tmp_path / "cassettes"
    state = RunState()

    async def main() -> None:
        task = asyncio.create_task(
            execute_run(
                RunOptions(
                    gateways=["kling-official"],
                    mode="record",
                    emulator=True,
                    time_scale=0.02,
                    cassettes_dir=cassettes,
                    write_report=False,
                ),
                state=state,
            )
        )
        while state.cassettes_written < 5:
            await asyncio.sleep(0.01)
        task.cancel()
        report = await task
        assert report.meta.incomplete

    asyncio.run(main())
    files = sorted(cassettes.rglob("*.yaml"))
    assert len(files) >= 5
    finished = set(state.traces.get("kling-official", {}))
    for path in files:
        cassette = load_cassette(path)
        assert cassette.interactions and cassette.scenario in finished
    assert not list(cassettes.rglob("*.tmp"))


def test_ctrl_c_writes_a_partial_report_marked_incomplete(
    tmp_path: Path, spawn: Callable[..., subprocess.Popen[Any]]
) -> None:
    import signal

    proc = spawn(
        [*CLI, "run", "--emulator", "--time-scale", "0.05", "--reports-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # wait until calls are under way (plain progress lines: stderr is not a TTY)
        seen.append(line)
        if "run started" in line:  # the earliest moment: a Ctrl-C here must still leave a report
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    report = json.loads((tmp_path / "latest" / "report.json").read_text())
    assert report["meta"]["incomplete"] is True


def test_check_filter_and_observations() -> None:
    report = asyncio.run(
        # apicore: its catalog creates tasks (stock new-api refuses every official body: engine recordings)
        execute_run(RunOptions(gateways=["apicore"], checks=["auth_missing_key_rejected"], write_report=False))
    )
    assert {r.check for r in report.results} == {"auth_missing_key_rejected"}
    keys = {o.key for o in report.observations}
    assert {"response_shape", "status_words", "id_format", "error_shape", "operation_supported"} <= keys
    shape = {o.operation: o.value for o in report.observations if o.key == "response_shape"}
    assert shape["image2video.create"] == "kling" and shape["image2video.get"] == "kling"
