"""Fixtures for the emulator tests: the built-in profiles and one shared running emulator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emulator_support import KEY, TIME_SCALE, ManualClock, builtin_profiles

from conformance.emulator import EmulatorConfig, RunningEmulator, start_emulator
from conformance.profiles.model import GatewayProfile


@pytest.fixture(scope="session")
def profiles() -> list[GatewayProfile]:
    """The built-in profiles that load (``test_every_builtin_profile_loads`` fails for the others)."""
    return builtin_profiles()[0]


@pytest.fixture(scope="session")
def emulator(profiles: list[GatewayProfile]) -> Iterator[RunningEmulator]:
    """One emulator serving every built-in profile, fast schedules, no faults."""
    with start_emulator(profiles, EmulatorConfig(keys=(KEY,), time_scale=TIME_SCALE, seed=11)) as running:
        yield running


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    """A session client sending the accepted key."""
    with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}, timeout=10.0, trust_env=False) as session:
        yield session


@pytest.fixture
def clock() -> ManualClock:
    """A fresh manual clock for an in-process emulator app."""
    return ManualClock()
