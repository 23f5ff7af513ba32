"""Task lifecycle: schedules scaled by time_scale, Kling-style failures, ids, timestamps, eviction."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from emulator_support import AUTH, I2V, KEY, kling_like, newapi_like

from conformance.emulator import OUTCOME_HEADER, EmulatorConfig, start_emulator
from conformance.profiles.model import (
    ID_FORMATS,
    OperationProfile,
)


def test_time_scale_runs_the_schedule_in_milliseconds() -> None:
    # 200 "seconds" at scale 0.001 = 0.2 s: submitted, then processing after 0.1 s, succeed after 0.2 s.
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), time_scale=0.001)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
        started = time.monotonic()
        data = client.post(base, json=I2V).json()["data"]
        returned = time.monotonic()  # the task was created between started and returned
        assert data["task_status"] == "submitted"
        seen: list[tuple[float, str]] = []
        while time.monotonic() - started < 3:
            status = client.get(f"{base}/{data['task_id']}").json()["data"]["task_status"]
            if not seen or seen[-1][1] != status:
                seen.append((time.monotonic() - started, status))
            if status == "succeed":
                break
            time.sleep(0.005)
        assert [s for _, s in seen] == ["submitted", "processing", "succeed"]
        slack = 0.15  # a shared 2-core machine
        assert 0.1 <= seen[1][0] <= returned - started + 0.1 + slack
        assert 0.2 <= seen[2][0] <= returned - started + 0.2 + slack
        final = client.get(f"{base}/{data['task_id']}").json()["data"]
        assert final["updated_at"] - final["created_at"] == pytest.approx(200, abs=5)  # ms, scaled


def test_task_seconds_and_explicit_schedules_override_the_profile() -> None:
    config = EmulatorConfig(
        keys=(KEY,), time_scale=1.0, task_seconds=0.05, schedules={"other": (("submitted", 0.0), ("succeed", 0.0))}
    )
    with (
        start_emulator([kling_like(), kling_like("other")], config) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        fast = client.post(emu.base_url("other") + "/kling/v1/videos/image2video", json=I2V).json()["data"]
        got = client.get(emu.base_url("other") + f"/kling/v1/videos/image2video/{fast['task_id']}")
        assert got.json()["data"]["task_status"] == "succeed"
        slow = client.post(emu.base_url("kling-like") + "/kling/v1/videos/image2video", json=I2V).json()["data"]
        time.sleep(0.08)
        got = client.get(emu.base_url("kling-like") + f"/kling/v1/videos/image2video/{slow['task_id']}")
        assert got.json()["data"]["task_status"] == "succeed"


def test_failures_are_http_200_code_0_the_kling_way() -> None:
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), time_scale=0.0001, fail_share=1.0)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
        task_id = client.post(base, json=I2V).json()["data"]["task_id"]
        time.sleep(0.05)
        response = client.get(f"{base}/{task_id}")
        body = response.json()
        assert response.status_code == 200 and body["code"] == 0 and body["message"] == "SUCCEED"
        assert body["data"]["task_status"] == "failed"
        assert body["data"]["task_status_msg"]
        assert body["data"]["task_result"] == {}
        forced = client.post(base, json=I2V, headers={OUTCOME_HEADER: "succeed"}).json()["data"]["task_id"]
        time.sleep(0.05)
        assert client.get(f"{base}/{forced}").json()["data"]["task_status"] == "succeed"


def test_fail_share_is_seeded_and_roughly_honoured() -> None:
    def outcomes(seed: int) -> list[str]:
        config = EmulatorConfig(keys=(KEY,), time_scale=0.00001, fail_share=0.3, seed=seed)
        with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
            base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
            ids = [client.post(base, json=I2V).json()["data"]["task_id"] for _ in range(60)]
            time.sleep(0.02)
            return [client.get(f"{base}/{i}").json()["data"]["task_status"] for i in ids]

    first, again = outcomes(5), outcomes(5)
    assert first == again
    assert 8 <= first.count("failed") <= 30


def test_ids_timestamps_and_upstream_ids_follow_the_profile() -> None:
    with (
        start_emulator([kling_like(), newapi_like()], EmulatorConfig(keys=(KEY,), time_scale=0.0001)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        kling = client.post(emu.base_url("kling-like") + "/kling/v1/videos/image2video", json=I2V).json()["data"]
        assert re.match(ID_FORMATS["kling-numeric"], kling["task_id"]) and len(kling["task_id"]) == 18
        assert kling["created_at"] > 10**12  # ms
        url = emu.base_url("newapi-like") + "/kling/v1/videos/image2video"
        created = client.post(url, json=I2V).json()
        assert re.match(ID_FORMATS["newapi-task"], created["id"]) and created["task_id"] == created["id"]
        assert created["object"] == "video" and created["created_at"] < 10**11  # seconds
        time.sleep(0.02)
        queried = client.get(f"{url}/{created['id']}").json()
        assert queried["code"] == "success" and queried["data"]["status"] == "SUCCESS"
        upstream = queried["data"]["data"]["data"]
        assert re.match(ID_FORMATS["kling-numeric"], upstream["task_id"])
        assert upstream["task_status"] == "succeed" and upstream["created_at"] > 10**12
        assert queried["data"]["result_url"] == upstream["task_result"]["videos"][0]["url"]
        # new-api knows only its own id: the upstream id is an unknown task there.
        unknown = client.get(f"{url}/{upstream['task_id']}")
        assert unknown.status_code == 400 and unknown.json()["code"] == "task_not_exist"


def test_generic_action_path_resolves_the_family() -> None:
    generic = "/kling/v1/{action}/{action2}/{task_id}"
    ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create", method="POST", path="/kling/v1/videos/image2video"
        ),
        "image2video.get": OperationProfile(operation_id="image2video.get", method="GET", path=generic),
        "generations.create": OperationProfile(
            operation_id="generations.create", method="POST", path="/kling/v1/images/generations"
        ),
        "generations.get": OperationProfile(operation_id="generations.get", method="GET", path=generic),
    }
    profile = kling_like("generic", operations=ops)
    with (
        start_emulator([profile], EmulatorConfig(keys=(KEY,), time_scale=0.0001)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        base = emu.base_url("generic")
        video = client.post(base + "/kling/v1/videos/image2video", json=I2V).json()["data"]["task_id"]
        image = client.post(base + "/kling/v1/images/generations", json={"prompt": "a cat", "n": 2}).json()
        image_id = image["data"]["task_id"]
        time.sleep(0.03)
        got = client.get(base + f"/kling/v1/videos/image2video/{video}").json()["data"]
        assert got["task_id"] == video and got["task_result"]["videos"]
        got = client.get(base + f"/kling/v1/images/generations/{image_id}").json()["data"]
        assert [i["index"] for i in got["task_result"]["images"]] == [0, 1]
        png = client.get(got["task_result"]["images"][1]["url"])
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        # Kling only finds a task under its own action.
        wrong = client.get(base + f"/kling/v1/images/generations/{video}")
        assert wrong.status_code == 404 and wrong.json()["code"] == 1203
        unrouted = client.get(base + f"/kling/v1/videos/lip-sync/{video}")
        assert unrouted.status_code == 404 and unrouted.json()["code"] == 1202


def test_store_is_bounded_and_evicts_the_oldest() -> None:
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), max_tasks=3)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
        ids = [client.post(base, json=I2V).json()["data"]["task_id"] for _ in range(5)]
        assert client.get(f"{base}/{ids[0]}").status_code == 404
        assert client.get(f"{base}/{ids[1]}").status_code == 404
        assert all(client.get(f"{base}/{i}").status_code == 200 for i in ids[2:])
        assert client.get(emu.url + "/healthz").json()["tasks"] == 3


def test_relax_fields_plants_a_departure() -> None:
    strict = kling_like("strict")
    relaxed = kling_like("relaxed", extra={"emulator": {"relax_fields": ["duration"]}})
    with (
        start_emulator([strict, relaxed], EmulatorConfig(keys=(KEY,))) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        body = {**I2V, "duration": "7"}
        assert client.post(emu.base_url("strict") + "/kling/v1/videos/image2video", json=body).status_code == 400
        assert client.post(emu.base_url("relaxed") + "/kling/v1/videos/image2video", json=body).status_code == 200


def test_wrong_content_type_and_broken_json_are_refused() -> None:
    with (
        start_emulator([kling_like()], EmulatorConfig(keys=(KEY,))) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
        text = client.post(base, content=b'{"image": "https://x/a.png"}', headers={"content-type": "text/plain"})
        assert text.status_code == 400 and text.json()["code"] == 1200
        broken = client.post(base, content=b'{"image": ', headers={"content-type": "application/json"})
        assert broken.status_code == 400 and broken.json()["code"] == 1200
        array = client.post(base, json=[I2V])
        assert array.status_code == 400


def test_official_jwt_auth_yields_kling_codes_1002_to_1004() -> None:
    from conformance.emulator.auth import sign_jwt

    config = EmulatorConfig(keys=("plain-key", "AK123|SK456"), auth_accepts={"kling-like": ("kling-jwt", "api-key")})
    with start_emulator([kling_like()], config) as emu, httpx.Client(trust_env=False) as client:
        url = emu.base_url("kling-like") + "/kling/v1/videos/image2video"

        def code(token: str) -> tuple[int, int]:
            response = client.post(url, json=I2V, headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.json()["code"]

        now = time.time()
        assert code(sign_jwt("AK123", "SK456")) == (200, 0)
        assert code("plain-key") == (200, 0)
        assert code(sign_jwt("AK123", "SK456", now=now + 600)) == (401, 1003)  # nbf in the future
        assert code(sign_jwt("AK123", "SK456", now=now - 3600)) == (401, 1004)  # exp in the past
        assert code(sign_jwt("AK123", "wrong")) == (401, 1002)
        assert code(sign_jwt("other", "SK456")) == (401, 1002)
        assert code("a.b.c") == (401, 1002)
        assert code("AK123|SK456") == (401, 1002)  # the pair itself is not a token


def test_an_injected_clock_drives_timestamps_and_the_schedule() -> None:
    now = [1_700_000_000.0]
    config = EmulatorConfig(keys=(KEY,), clock=lambda: now[0])
    with start_emulator([kling_like()], config) as emu, httpx.Client(headers=AUTH, trust_env=False) as client:
        base = emu.base_url("kling-like") + "/kling/v1/videos/image2video"
        data = client.post(base, json=I2V).json()["data"]
        assert data["created_at"] == 1_700_000_000_000
        now[0] += 150  # processing at 100 s, succeed at 200 s: no real waiting
        assert client.get(f"{base}/{data['task_id']}").json()["data"]["task_status"] == "processing"
        now[0] += 100
        done = client.get(f"{base}/{data['task_id']}").json()["data"]
        assert done["task_status"] == "succeed" and done["updated_at"] == 1_700_000_200_000
        assert client.get(done["task_result"]["videos"][0]["url"]).status_code == 200
