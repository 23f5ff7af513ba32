"""The emulator serves the Kling 3.x contract (profile kling-official-v3) with signed webhooks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
from emulator_support import ManualClock
from starlette.testclient import TestClient

from conformance.emulator import EmulatorConfig, start_emulator
from conformance.emulator.app import create_app
from conformance.emulator.v3 import EMULATOR_WEBHOOK_SECRET
from conformance.profiles import load_profile
from conformance.spec import v3

KEY = "kc-v3-test-key-000001"
AUTH = {"Authorization": f"Bearer {KEY}"}
T2V = {"prompt": "a lighthouse at dusk", "settings": {"duration": 5, "resolution": "1080p"}}


@pytest.fixture
def client(clock: ManualClock) -> Iterator[TestClient]:
    app = create_app([load_profile("kling-official-v3")], EmulatorConfig(keys=(KEY,), clock=clock))
    with TestClient(app, base_url="http://emu") as c:
        yield c


def test_create_poll_and_the_succeeded_task(client: TestClient, clock: ManualClock) -> None:
    created = client.post("/kling-official-v3/text-to-video/kling-3.0-turbo", json=T2V, headers=AUTH)
    assert created.status_code == 200 and v3.validate_response("text-to-video.create", 200, created.json()) == []
    task_id = created.json()["data"]["id"]
    assert created.json()["data"]["status"] == "submitted" and "task_id" not in created.json()["data"]
    clock.now += 3600
    polled = client.get("/kling-official-v3/tasks", params={"task_ids": task_id}, headers=AUTH)
    assert polled.status_code == 200 and v3.validate_response("tasks.get", 200, polled.json()) == []
    (task,) = polled.json()["data"]
    assert task["status"] == "succeeded" and task["billing"] == [{"charge_type": "unit", "amount": 1}]
    video = client.get(task["outputs"][0]["url"].removeprefix("http://emu"))
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    single = client.get(f"/kling-official-v3/text-to-video/kling-3.0-turbo/{task_id}", headers=AUTH)
    assert single.json()["data"]["id"] == task_id
    assert client.get("/kling-official-v3/tasks", params={"task_ids": "999"}, headers=AUTH).status_code == 404


def test_v1_spellings_and_bad_settings_are_refused(client: TestClient) -> None:
    url = "/kling-official-v3/text-to-video/kling-3.0-turbo"
    for body in ({"prompt": "x", "model_name": "kling-v3"}, {"prompt": "x", "settings": {"duration": "5"}}):
        answer = client.post(url, json=body, headers=AUTH)
        assert answer.status_code == 400 and answer.json()["code"] == 1201, body
    assert client.post(url, json=T2V).status_code == 401
    i2v = {"contents": [{"type": "first_frame", "url": "https://cdn.example.com/a.jpg"}], "settings": {"duration": 5}}
    assert client.post("/kling-official-v3/image-to-video/kling-3.0-turbo", json=i2v, headers=AUTH).status_code == 200


class _Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    arrived: ClassVar[threading.Event] = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        type(self).got.append(({k.lower(): v for k, v in self.headers.items()}, body))
        if b'"succeeded"' in body or b'"failed"' in body:
            type(self).arrived.set()
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_notifications_are_signed_and_verify() -> None:
    _Receiver.got, _Receiver.arrived = [], threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        callback = f"http://127.0.0.1:{server.server_address[1]}/hook"
        config = EmulatorConfig(keys=(KEY,), time_scale=0.001)
        with start_emulator([load_profile("kling-official-v3")], config) as emu, httpx.Client(trust_env=False) as c:
            body = {**T2V, "options": {"callback_url": callback, "external_task_id": "ext-1"}}
            created = c.post(
                emu.base_url("kling-official-v3") + "/text-to-video/kling-3.0-turbo", json=body, headers=AUTH
            )
            assert created.status_code == 200
            assert _Receiver.arrived.wait(20), _Receiver.got
    finally:
        server.shutdown()
        thread.join(5)
    assert len(_Receiver.got) >= 2  # one per status change
    for headers, content in _Receiver.got:
        stamp = int(headers["webhook-timestamp"])
        assert v3.verify_webhook(EMULATOR_WEBHOOK_SECRET, headers, content, now=stamp + 1).ok
        assert not v3.verify_webhook(EMULATOR_WEBHOOK_SECRET, headers, content + b" ", now=stamp + 1).ok
    assert b'"external_task_id":"ext-1"' in _Receiver.got[-1][1]
