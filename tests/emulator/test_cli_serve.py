"""``kling-conformance serve`` as a user runs it: URLs printed, keys never logged, Ctrl-C, bad flags."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import pytest

from conformance.cli.app import main
from conformance.emulator import DEFAULT_KEYS_ENV

CLI = [sys.executable, "-m", "conformance"]
SECRET = "canary-emulator-key-93be51"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != DEFAULT_KEYS_ENV}
    env.update(extra)
    return env


def test_serve_prints_urls_serves_and_stops_on_ctrl_c(spawn: Callable[..., subprocess.Popen[str]]) -> None:
    process = spawn(
        [*CLI, "serve", "-g", "kling-official", "-g", "newapi", "--port", "0", "--access-log", "--time-scale", "0.001"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(**{DEFAULT_KEYS_ENV: f"other-key,{SECRET}"}),
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        assert lines[0].startswith("kling-conformance emulator on http://127.0.0.1:")
        urls = {line.split()[0]: line.split()[1] for line in lines[1:]}
        assert set(urls) == {"kling-official", "newapi", "health"}
        # Each URL carries the gateway's path prefix: the spec's /v1/... paths go right after it (st run --url).
        assert urls["newapi"].endswith("/newapi/kling") and urls["kling-official"].endswith("/kling-official")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(urls["health"], trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        official = urls["kling-official"] + "/v1/videos/image2video"
        body = {"image": "https://cdn.example.com/a.jpg", "prompt": "go"}
        ok = httpx.post(official, json=body, headers={"Authorization": f"Bearer {SECRET}"}, trust_env=False)
        assert ok.status_code == 200 and ok.json()["code"] == 0
        wrong = httpx.post(official, json=body, headers={"Authorization": f"Bearer {SECRET}x"}, trust_env=False)
        assert wrong.status_code == 401 and wrong.json()["code"] == 1002
        httpx.get(official, params={"api_key": SECRET}, headers={"Authorization": f"Bearer {SECRET}"}, trust_env=False)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "GET /kling-official/v1/videos/image2video" in stdout + stderr  # the access log is on...
    assert SECRET not in stdout + stderr  # ...and never shows a key, not even one in a query string
    assert "Traceback" not in stderr


def test_serve_without_keys_warns_open_mode(spawn: Callable[..., subprocess.Popen[str]]) -> None:
    process = spawn(
        [*CLI, "serve", "-g", "onehub", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "emulator on" in first
    finally:
        process.send_signal(signal.SIGINT)  # lands while serve may still be starting: it must still stop
        _, stderr = process.communicate(timeout=60)
    assert f"${DEFAULT_KEYS_ENV} is not set" in stderr and process.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--faults", "html502=0.1,latncy=0.2"], ["--faults", "latncy", "Did you mean 'latency'", "html503"]),
        (["--faults", "latency=3"], ["--faults", "outside [0, 1]"]),
        (["--time-scale", "0"], ["--time-scale"]),
        (["--fail-share", "1.5"], ["--fail-share"]),
        (["--gateway", "nwapi"], ["--gateway", "Did you mean 'newapi'"]),
        (["--key-env", "NOT A VAR"], ["--key-env"]),
        (["--port", "70000"], ["--port"]),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(
    flags: list[str], words: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DEFAULT_KEYS_ENV, raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["serve", "-g", "kling-official", *flags])
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    for word in words:
        assert word in stderr, (word, stderr)


def test_log_redaction_hides_keys_in_messages_and_access_args() -> None:
    import logging

    from conformance.emulator.server import install_log_redaction

    redactor = install_log_redaction([SECRET])
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", f"/x?api_key={SECRET}", "1.1", 200),
        None,
    )
    assert redactor.filter(access)
    assert SECRET not in access.getMessage() and "[REDACTED]" in access.getMessage()
    assert isinstance(access.args, tuple)  # uvicorn's formatter unpacks it
    plain = logging.LogRecord("conformance.emulator", logging.WARNING, __file__, 1, f"key {SECRET}", None, None)
    assert redactor.filter(plain) and SECRET not in plain.getMessage()
    assert install_log_redaction([SECRET]) is redactor
    assert logging.getLogger("uvicorn.access").filters.count(redactor) == 1


def test_list_faults_prints_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.emulator import FAULT_KINDS

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--list-faults"])
    assert exited.value.code in (0, None)
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in FAULT_KINDS.names())
