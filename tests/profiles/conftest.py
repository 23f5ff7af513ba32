"""Fixtures for the profile tests: writing profile files and running the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.cli.app import main
from conformance.profiles import clear_cache


@dataclass(frozen=True)
class CliResult:
    """Exit code and captured output of one CLI invocation."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``kling-conformance ARGS`` in-process through the real entry point (exit-code mapping included)."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented TOML text to ``tmp_path/<name>`` and return its path."""

    def write(text: str, name: str = "gw.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _fresh_builtin_cache() -> Iterator[None]:
    """Tests never see each other's parsed built-ins."""
    clear_cache()
    yield
    clear_cache()
