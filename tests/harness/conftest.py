"""Fixtures for the harness tests: a scripted fake gateway (httpx.MockTransport) and helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from harness_helpers import CANARY, FakeGateway

from conformance.harness.client import GatewayClient, HttpLimits
from conformance.harness.clock import VirtualClock
from conformance.profiles import load_builtin_profiles
from conformance.profiles.model import GatewayProfile


@pytest.fixture
def official() -> GatewayProfile:
    """The built-in kling-official profile."""
    return load_builtin_profiles()["kling-official"]


@pytest.fixture
def fake_gateway() -> FakeGateway:
    """A fresh fake gateway."""
    return FakeGateway()


@pytest.fixture
def make_client() -> Iterator[Callable[..., GatewayClient]]:
    """Build a GatewayClient over a handler with a virtual clock."""
    clients: list[httpx.AsyncClient] = []

    def build(
        handler: Callable[[httpx.Request], httpx.Response],
        *,
        key: str | None = CANARY,
        limits: HttpLimits | None = None,
        clock: VirtualClock | None = None,
    ) -> GatewayClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        clients.append(http)
        return GatewayClient(
            gateway="fake",
            base_url="https://gw.example",
            http=http,
            clock=clock or VirtualClock(),
            key=key,
            limits=limits,
        )

    yield build
