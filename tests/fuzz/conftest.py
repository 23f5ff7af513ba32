"""Fixtures for the fuzz tests: a profile variant with a planted departure, and a no-network guard."""

from __future__ import annotations

from pathlib import Path

import pytest

RELAXED_PROFILE = """\
id = "kling-relaxed"
title = "Kling official, planted departure: duration is not validated"
family = "kling"
extends = "kling-official"

[evidence]
kind = "user-supplied"
source = "test: planted departure"

[emulator]
relax_fields = ["duration"]
"""


@pytest.fixture
def relaxed_profile(tmp_path: Path) -> Path:
    """A TOML profile extending kling-official whose emulator wrongly accepts any ``duration``."""
    path = tmp_path / "relaxed.toml"
    path.write_text(RELAXED_PROFILE, encoding="utf-8")
    return path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) every request an httpx client would send; the list stays empty when none is sent."""
    import httpx

    sent: list[str] = []

    def refuse(self: object, request: httpx.Request, **kwargs: object) -> httpx.Response:
        sent.append(str(request.url))
        raise AssertionError(f"a request was sent: {request.url}")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    return sent


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> object:
    """``cli([...]) -> (exit code, stdout + stderr)`` through the real entry point (usage errors → exit 2)."""
    from conformance.cli.app import main

    def run(args: list[str]) -> tuple[int, str]:
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run
