"""The package imports, exposes its version, and the CLI answers --help with exit code 0."""

from __future__ import annotations

import subprocess
import sys

import conformance


def test_version_is_exposed() -> None:
    assert conformance.__version__.count(".") == 2


def test_python_dash_m_help_lists_usage() -> None:
    proc = subprocess.run([sys.executable, "-m", "conformance", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "kling-conformance" in proc.stdout
