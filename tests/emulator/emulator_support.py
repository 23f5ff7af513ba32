"""Helpers shared by the emulator tests: the test key, hand-built profiles, polling, a thread server."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import uvicorn

from conformance.emulator.coverage import emulable_builtin_ids
from conformance.emulator.server import bind_socket
from conformance.errors import ProfileError
from conformance.models import EvidenceKind
from conformance.profiles import load_profile
from conformance.profiles.model import ErrorProfile, GatewayProfile, LifecycleProfile, OperationProfile

KEY = "emulator-test-key-7f3a"
#: 60 s schedules run in 30 ms, new-api's 75 s in about 38 ms.
TIME_SCALE = 0.0005


I2V = {"model_name": "kling-v1", "image": "https://cdn.example.com/a.jpg", "prompt": "walk", "duration": "5"}


def kling_like(gateway: str = "kling-like", **changes: object) -> GatewayProfile:
    """A pass-through gateway built by hand: image2video create/get/list under /kling."""
    ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create", method="POST", path="/kling/v1/videos/image2video"
        ),
        "image2video.get": OperationProfile(
            operation_id="image2video.get",
            method="GET",
            path="/kling/v1/videos/image2video/{task_id}",
            path_variants=("/kling/v1/{action}/{action2}/{task_id}",),
        ),
        "image2video.list": OperationProfile(
            operation_id="image2video.list", method="GET", path="/kling/v1/videos/image2video"
        ),
    }
    fields: dict[str, object] = {
        "id": gateway,
        "title": gateway,
        "family": "kling",
        "evidence_kind": EvidenceKind.USER_SUPPLIED,
        "evidence_source": "test",
        "base_url": "http://127.0.0.1",
        "operations": ops,
        "lifecycle": LifecycleProfile(schedule=(("submitted", 0.0), ("processing", 100.0), ("succeed", 200.0))),
    }
    fields.update(changes)
    return GatewayProfile(**fields)  # type: ignore[arg-type]


def newapi_like() -> GatewayProfile:
    """A new-api-like gateway built by hand (own task_ ids, upper-case words, seconds)."""
    ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create",
            method="POST",
            path="/kling/v1/videos/image2video",
            response_shape="openai-video",
            id_format="newapi-task",
        ),
        "image2video.get": OperationProfile(
            operation_id="image2video.get",
            method="GET",
            path="/kling/v1/videos/image2video/{task_id}",
            response_shape="newapi-task",
            id_format="newapi-task",
        ),
    }
    return GatewayProfile(
        id="newapi-like",
        title="n",
        family="newapi",
        evidence_kind=EvidenceKind.USER_SUPPLIED,
        evidence_source="test",
        base_url="http://127.0.0.1",
        operations=ops,
        requires_prompt=True,
        errors=ErrorProfile(
            shape="newapi-error",
            auth_shape="openai-error",
            unknown_task_status=400,
            unknown_task_shape="newapi-error",
            unknown_task_code="task_not_exist",
        ),
        lifecycle=LifecycleProfile(
            schedule=(("NOT_START", 0.0), ("SUBMITTED", 15.0), ("IN_PROGRESS", 30.0), ("SUCCESS", 75.0)),
            failed_word="FAILURE",
            timestamp_unit="s",
            callback="upstream-id",
        ),
    )


AUTH = {"Authorization": f"Bearer {KEY}"}


def builtin_profiles() -> tuple[list[GatewayProfile], dict[str, str]]:
    """Every built-in profile that loads, and the load error of each one that does not."""
    loaded: list[GatewayProfile] = []
    broken: dict[str, str] = {}
    for gateway in emulable_builtin_ids():
        try:
            loaded.append(load_profile(gateway))
        except ProfileError as exc:
            broken[gateway] = exc.render()
    return loaded, broken


def poll(client: httpx.Client, url: str, done: Any, *, timeout: float = 5.0) -> list[httpx.Response]:
    """GET ``url`` until ``done(response)`` (or the timeout); every response, in order."""
    seen: list[httpx.Response] = []
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        seen.append(response)
        if done(response) or time.monotonic() > deadline:
            return seen
        time.sleep(0.005)


class BackgroundServer:
    """Any ASGI app served by uvicorn on 127.0.0.1:0 in a thread (for callback receivers, baselines)."""

    def __init__(self, app: Any) -> None:
        self._sock = bind_socket("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()


class ManualClock:
    """A wall clock a test moves on by setting ``now`` (no sleeping)."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now
