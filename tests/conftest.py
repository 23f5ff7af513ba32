"""Fixtures shared by every test folder."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen[Any]]]:
    """``subprocess.Popen`` whose processes are always reaped when the test ends, also when it fails.

    A test stops its process the way it means to (a signal, closing stdin); whatever is still running at
    teardown is killed and waited for, so no test leaves a server behind on a failure or a timeout.
    """
    started: list[subprocess.Popen[Any]] = []

    def start(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        process: subprocess.Popen[Any] = subprocess.Popen(*args, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        try:
            process.communicate(timeout=30)
        except (subprocess.TimeoutExpired, ValueError):
            process.wait(30)
