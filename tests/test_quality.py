"""The code base stays ruff- and mypy-clean (the configuration lives in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["conformance", "tests", "scripts", "benchmarks"]


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).with_name(name)
    if exe.exists():
        return [str(exe)]
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with the dev extra: pip install -e '.[dev]')")
    return [found]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)


def test_ruff_check_is_clean() -> None:
    proc = _run([*_tool("ruff"), "check", *SOURCES])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean() -> None:
    proc = _run([*_tool("ruff"), "format", "--check", *SOURCES])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = _run([*_tool("mypy")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
