"""``kling-conformance inspect``: JSON keys, human summary, profile departures and exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from normalize_cases import ALL_CASES

from conformance.cli import main
from conformance.cli.cmd_inspect import INSPECT_KEYS

ISSUE_KEYS = [
    "shape", "is_error", "status", "raw_status", "task_id", "upstream_task_id", "external_task_id",
    "video_urls", "image_urls",
    "failure_reason", "error_code", "error_message", "created_at", "updated_at", "notes",
]  # fmt: skip


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), out, err


@pytest.fixture()
def body_file(tmp_path: Path) -> Path:
    case = next(case for case in ALL_CASES if case.id == "b-legacy-fail-reason-url")
    path = tmp_path / "body.json"
    path.write_bytes(case.body_bytes())
    return path


def test_json_has_exactly_the_issue_keys(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--json", str(body_file)], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ISSUE_KEYS == list(INSPECT_KEYS)
    assert data["shape"] == "newapi-task"
    assert data["status"] == "succeed"
    assert data["raw_status"] == "SUCCESS"
    assert data["video_urls"] == ["https://cdn.klingai.com/bs2/upload-kling-api/1234/video/abcd.mp4"]
    assert "video URL carried in fail_reason (legacy new-api)" in data["notes"]


def test_json_with_profile_adds_departures_and_exit_1(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--json", "--profile", "kling-official", str(body_file)], capsys)
    data = json.loads(out)
    assert list(data) == [*ISSUE_KEYS, "departures"]
    assert any("shape 'newapi-task'" in d for d in data["departures"])
    assert code == 1


def test_profile_that_matches_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = next(case for case in ALL_CASES if case.id == "a-succeed")
    path = tmp_path / "ok.json"
    path.write_bytes(case.body_bytes())
    code, out, _ = run(["inspect", "--profile", "kling-official", "--status-code", "200", str(path)], capsys)
    assert code == 0
    assert "matches what profile 'kling-official' expects" in out


def test_human_summary(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--status-code", "200", str(body_file)], capsys)
    assert code == 0
    assert "newapi-task" in out
    assert "succeed (sent as 'SUCCESS')" in out
    assert "867283741759111202" in out
    assert "notes:" in out and "timestamps in seconds" in out


def test_human_summary_lists_departures(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["inspect", "--profile", "kling-official", str(body_file)], capsys)
    assert code == 1
    assert "departs from profile 'kling-official':" in out
    assert "timestamps in s, the profile says ms" in out


def test_status_code_makes_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><head><title>502 Bad Gateway</title></head></html>")
    code, out, _ = run(["inspect", "--json", "--status-code", "502", str(path)], capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["shape"], data["is_error"]) == ("not-json", True)


def test_reads_raw_bytes_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"code":1201,"message":"bad \xff","request_id":"r"}'))
    )
    code, out, _ = run(["inspect", "--json", "-"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["error_code"] == "1201"
    assert any("invalid UTF-8" in note for note in data["notes"])


@pytest.mark.parametrize("name", ["missing.json", "."])
def test_unreadable_file_exits_2(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / name
    code, out, err = run(["inspect", str(target)], capsys)
    assert code == 2
    assert out == ""
    assert "cannot read the response body" in err and "Fix:" in err


def test_unknown_profile_exits_2(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["inspect", "--profile", "nwapi", str(body_file)], capsys)
    assert code == 2
    assert out == ""
    assert "'nwapi'" in err and "newapi" in err


def test_unknown_operation_exits_2(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["inspect", "--profile", "newapi", "--operation", "image2video.gett", str(body_file)], capsys)
    assert code == 2
    assert "image2video.get" in err


def test_operation_without_profile_exits_2(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["inspect", "--operation", "image2video.get", str(body_file)], capsys)
    assert code == 2
    assert "--profile" in err


def test_bad_status_code_exits_2(body_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["inspect", "--status-code", "42", str(body_file)], capsys)
    assert code == 2


def test_inspect_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "inspect" in out


def test_json_carries_external_task_id_and_upstream_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = next(case for case in ALL_CASES if case.id == "sp-dto-full-2026")
    path = tmp_path / "dto.json"
    path.write_bytes(case.body_bytes())
    code, out, _ = run(["inspect", "--json", str(path)], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["external_task_id"] == "order-2291"
    assert data["upstream_task_id"] == "867283741759111202"
    assert data["task_id"].startswith("task_")
