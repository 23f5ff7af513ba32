"""One CLI: --version, one format vocabulary, plain help, shell completion, plan = run's mode, exit 5, user ids."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import __version__
from conformance.cli.app import COMMAND_MODULES, main

CLI = [sys.executable, "-m", "conformance"]
EXAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "examples" / "my-gateway.toml"
#: What typer prints for an option without a metavar: Python type names a user cannot act on.
PYTHON_TYPES = re.compile(r"<(?:str|int|float|bool|path|Path|list\[[^\]]*\]|[a-z]+ range)>")


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:  # pragma: no cover - the CLI always exits
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def test_version_flag_and_command_agree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "--version")
    assert code == 0 and out.strip() == f"kling-conformance {__version__}"
    code, out, _ = _main(capsys, "version")
    assert code == 0 and out.strip() == __version__


@pytest.mark.parametrize("command", [name for name in COMMAND_MODULES if name != "version"])
def test_help_names_no_python_types(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, command, "--help")
    assert code == 0, out
    assert not PYTHON_TYPES.search(out), PYTHON_TYPES.findall(out)


def test_shell_completion_completes_commands_and_flags() -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_KLING_CONFORMANCE_COMPLETE": "complete_bash", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(cword)
        exe = Path(sys.executable).with_name("kling-conformance")  # the console script of this environment
        done = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=60)
        return done.stdout.split()

    assert complete("kling-conformance ru", 1) == ["run"]
    assert "--reports-dir" in complete("kling-conformance run --rep", 2)
    script = subprocess.run([*CLI, "--show-completion", "bash"], capture_output=True, text=True, timeout=60)
    assert script.returncode == 0 and "_KLING_CONFORMANCE_COMPLETE" in script.stdout


@pytest.mark.parametrize(("spelling", "written"), [("md", "summary.md"), ("markdown", "summary.md")])
def test_report_format_md_and_its_alias(
    spelling: str, written: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _main(capsys, "run", "-g", "onehub", "-q", "--reports-dir", str(tmp_path / "r"))
    assert code in (0, 1), err
    code, _, err = _main(capsys, "report", str(tmp_path / "r"), "-f", spelling, "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert [p.name for p in (tmp_path / "out" / "latest").iterdir()] == [written]


def test_a_format_another_command_has_is_refused_by_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _main(capsys, "diff", str(tmp_path), str(tmp_path), "-f", "junit")
    assert code == 2 and "--format" in err and "md, json" in err and "Traceback" not in err


def test_plan_defaults_to_replay_like_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "plan", "-g", "yibuapi")
    assert code == 0
    assert "yibuapi  (replayed from the bundled cassettes)" in out
    assert "replay: nothing is sent or spent" in out


def test_a_run_where_everything_was_skipped_exits_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(
        capsys,
        *("run", "--emulator", "-g", "newapi", "--max-paid-tasks", "0", "--check", "minimal_request_accepted"),
        *("--reports-dir", str(tmp_path / "r"), "--time-scale", "0.001"),
    )
    assert code == 5, out + err
    assert "0 pass, 0 fail, 0 waived" in out and "nothing was tested" in err


def test_every_gateway_flag_accepts_a_user_profile_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = str(EXAMPLE_PROFILE)
    code, out, err = _main(capsys, "plan", "-g", "my-gateway", "--profile", profile, "--mode", "live")
    assert code == 0, err
    assert out.startswith("my-gateway  (https://kling-gw.example.com)")
    code, out, err = _main(
        capsys,
        *("run", "--emulator", "-g", "my-gateway", "--profile", profile, "--check", "rejection_creates_no_task"),
        *("--reports-dir", str(tmp_path / "r"), "--time-scale", "0.001", "-q"),
    )
    assert code in (0, 1), err
    assert "unknown gateway" not in err
    assert "total" in out
    code, _, err = _main(capsys, "run", "-g", "my-gatewy", "--profile", profile)
    assert code == 2 and "did you mean 'my-gateway'" in err.lower()
