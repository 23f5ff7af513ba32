"""Callbacks: delivered over real HTTP to a local receiver, one per status change, with retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from emulator_support import AUTH, I2V, KEY, BackgroundServer, kling_like, newapi_like
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance import spec
from conformance.emulator import EmulatorConfig, start_emulator
from conformance.emulator.callbacks import is_loopback_url
from conformance.spec.validation import compiled


class Receiver:
    """Records every callback; answers 500 to the first ``failures`` attempts of each path."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.attempts: dict[str, int] = {}
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()

    async def endpoint(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = orjson.loads(await request.body())
        with self._lock:
            self.attempts[name] = self.attempts.get(name, 0) + 1
            if self.attempts[name] <= self.failures.get(name, 0):
                return Response(b"down", 500)
            self.received.append((name, body))
        return Response(b"ok")

    def bodies(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [body for got, body in self.received if got == name]


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    recorder = Receiver()
    server = BackgroundServer(Starlette(routes=[Route("/hook/{name}", recorder.endpoint, methods=["POST"])]))
    yield recorder, server.url
    server.stop()


def _wait(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_official_callback_per_status_change(receiver: tuple[Receiver, str]) -> None:
    recorder, url = receiver
    validator = compiled(spec.callback_schema())
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), time_scale=0.0005)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        body = {**I2V, "callback_url": f"{url}/hook/official", "external_task_id": "order-42"}
        task_id = client.post(emu.base_url("kling-like") + "/kling/v1/videos/image2video", json=body).json()["data"][
            "task_id"
        ]
        _wait(lambda: len(recorder.bodies("official")) >= 3)
    bodies = recorder.bodies("official")
    assert [b["task_status"] for b in bodies] == ["submitted", "processing", "succeed"]
    for got in bodies:
        assert "code" not in got and "data" not in got  # the bare task object, no envelope
        assert got["task_id"] == task_id
        assert got["task_info"] == {"external_task_id": "order-42"}
        assert validator.issues(got) == []
    assert bodies[-1]["task_result"]["videos"][0]["url"].startswith("http://127.0.0.1:")


def test_callback_retries_with_backoff(receiver: tuple[Receiver, str]) -> None:
    recorder, url = receiver
    recorder.failures["flaky"] = 2
    config = EmulatorConfig(
        keys=(KEY,),
        time_scale=10.0,
        callback_retries=3,
        callback_backoff=0.01,
        schedules={"kling-like": (("submitted", 0.0), ("succeed", 1000.0))},
    )
    with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
        body = {**I2V, "callback_url": f"{url}/hook/flaky"}
        client.post(emu.base_url("kling-like") + "/kling/v1/videos/image2video", json=body)
        _wait(lambda: len(recorder.bodies("flaky")) >= 1)
        task = next(iter(emu.app.state.emulator.store.of_gateway("kling-like")))  # type: ignore[attr-defined]
    assert recorder.attempts["flaky"] == 3
    assert [b["task_status"] for b in recorder.bodies("flaky")] == ["submitted"]
    assert task.callbacks[:2] == ["submitted: attempt 1 failed (500)", "submitted: attempt 2 failed (500)"]
    assert task.callbacks[2] == "submitted: 200"


def test_retries_are_bounded(receiver: tuple[Receiver, str]) -> None:
    recorder, url = receiver
    recorder.failures["dead"] = 100
    config = EmulatorConfig(
        keys=(KEY,),
        callback_retries=2,
        callback_backoff=0.01,
        schedules={"kling-like": (("submitted", 0.0), ("succeed", 1000.0))},
    )
    with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
        client.post(
            emu.base_url("kling-like") + "/kling/v1/videos/image2video",
            json={**I2V, "callback_url": f"{url}/hook/dead"},
        )
        _wait(lambda: recorder.attempts.get("dead", 0) >= 3)
        time.sleep(0.1)
    assert recorder.attempts["dead"] == 3  # one try + two retries, then it gives up


def test_newapi_forwards_the_upstream_id(receiver: tuple[Receiver, str]) -> None:
    recorder, url = receiver
    with (
        start_emulator([newapi_like()], EmulatorConfig(keys=(KEY,), time_scale=0.0005)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        target = emu.base_url("newapi-like") + "/kling/v1/videos/image2video"
        own_id = client.post(target, json={**I2V, "callback_url": f"{url}/hook/newapi"}).json()["id"]
        _wait(lambda: len(recorder.bodies("newapi")) >= 3)
        upstream = client.get(f"{target}/{own_id}").json()["data"]["data"]["data"]["task_id"]
    bodies = recorder.bodies("newapi")
    assert [b["task_status"] for b in bodies] == ["submitted", "processing", "succeed"]  # Kling's words
    assert {b["task_id"] for b in bodies} == {upstream}
    assert own_id not in {b["task_id"] for b in bodies}


def test_non_loopback_callbacks_are_not_delivered_by_default() -> None:
    assert is_loopback_url("http://127.0.0.1:9/x") and is_loopback_url("http://localhost/x")
    assert not is_loopback_url("https://example.com/hook") and not is_loopback_url("ftp://127.0.0.1/")
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,))) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        client.post(
            emu.base_url("kling-like") + "/kling/v1/videos/image2video",
            json={**I2V, "callback_url": "https://example.com/hook"},
        )
        task = next(iter(emu.app.state.emulator.store.of_gateway("kling-like")))  # type: ignore[attr-defined]
        assert task.callbacks and task.callbacks[0].startswith("skipped")
        assert client.get(emu.url + "/healthz").json()["callbacks_pending"] == 0
