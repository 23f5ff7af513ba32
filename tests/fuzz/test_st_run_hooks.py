"""``st run`` users get our checks through ``SCHEMATHESIS_HOOKS=conformance.fuzz.st_checks``."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.emulator import EmulatorConfig, start_emulator
from conformance.paths import canonical_spec_path
from conformance.profiles import load_profile


@pytest.mark.slow
def test_st_run_accepts_and_runs_the_kling_checks_against_the_emulator() -> None:
    st = Path(sys.executable).with_name("st")
    with start_emulator([load_profile("kling-official")], EmulatorConfig(keys=("k-test",), time_scale=0.001)) as em:
        env = dict(
            os.environ, SCHEMATHESIS_HOOKS="conformance.fuzz.st_checks", KLING_CONFORMANCE_GATEWAY="kling-official"
        )
        completed = subprocess.run(
            [
                str(st),
                "run",
                str(canonical_spec_path()),
                "--url",
                em.base_url("kling-official"),
                "-H",
                "Authorization: Bearer k-test",
                "--include-operation-id",
                "text2video.create",
                "--checks",
                "not_a_server_error,negative_data_rejection,kling_response_recognized,kling_error_body,"
                "kling_task_fields",
                "--max-examples",
                "3",
                "--phases",
                "examples,fuzzing",
                "--no-color",
                "--seed",
                "1",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "No issues found" in completed.stdout


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_recipe() -> tuple[str, str]:
    """The ``serve`` and ``st run`` lines of the README's schemathesis recipe."""
    section = README.read_text(encoding="utf-8").split("## Fuzzing with schemathesis", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    serve = next(line for line in lines if " kling-conformance serve " in f" {line} ")
    st_run = next(line for line in lines if " st run " in f" {line} ")
    return serve, st_run


def _split_env(line: str) -> tuple[dict[str, str], list[str]]:
    """``A=1 B=2 cmd args`` as ({A: 1, B: 2}, [cmd, args])."""
    words = shlex.split(line)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_readme_st_run_recipe_passes_against_the_emulator(
    spawn: Callable[..., subprocess.Popen[str]], tmp_path: Path
) -> None:
    """The README's two lines, run as written; only the port (a free one) and speed flags are added."""
    serve_line, st_line = _readme_recipe()
    serve_env, serve_argv = _split_env(serve_line)
    st_env, st_argv = _split_env(st_line)
    assert serve_argv[:2] == ["kling-conformance", "serve"] and st_argv[:2] == ["st", "run"]
    assert st_env.get("SCHEMATHESIS_HOOKS") == "conformance.fuzz.st_checks"
    assert st_env.get("KLING_CONFORMANCE_GATEWAY") == _option(serve_argv, "--gateway")
    readme_url = _option(st_argv, "--url")

    serve_argv[serve_argv.index("--port") + 1] = "0"
    bin_dir = Path(sys.executable).parent
    server = spawn(
        [str(bin_dir / "kling-conformance"), *serve_argv[1:]],
        env={**os.environ, **serve_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=README.parent,
    )
    assert server.stdout is not None
    gateway = st_env["KLING_CONFORMANCE_GATEWAY"]
    printed: dict[str, str] = {}
    for line in server.stdout:  # the announcement ends with the health URL
        words = line.split()
        if len(words) >= 2 and words[1].startswith("http"):
            printed[words[0]] = words[1]
        if "health" in printed:
            break
    url = printed[gateway]
    # The URL serve prints is the README's --url, up to the port the test had to pick.
    assert re.sub(r":\d+/", ":PORT/", url) == re.sub(r":\d+/", ":PORT/", readme_url)
    st_argv[st_argv.index("--url") + 1] = url
    report = tmp_path / "st.yaml"
    speed = ["--phases", "examples,coverage", "--no-color", "--seed", "1", "--report", "vcr"]
    speed += ["--report-vcr-path", str(report)]
    for operation in ("text2video.create", "text2video.get", "text2video.list"):
        speed += ["--include-operation-id", operation]
    completed = subprocess.run(
        [str(bin_dir / "st"), *st_argv[1:], *speed],
        env={**os.environ, **st_env},
        cwd=README.parent,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    server.send_signal(signal.SIGINT)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "passed" in completed.stdout and "failed" not in completed.stdout.split("SUMMARY", 1)[-1]
    sent = report.read_text(encoding="utf-8")
    # The coverage phase did send the probes our checks must not misjudge: TRACE (plain 405) and the list page.
    assert "method: 'TRACE'" in sent or "method: TRACE" in sent, "the coverage phase sent no TRACE probe"
    assert "Method Not Allowed" in sent
    assert re.search(r"uri: '?\S+/v1/videos/text2video\?", sent), "the list operation was not called"
