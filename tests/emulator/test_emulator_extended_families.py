"""The emulator serves the extended families (issue 17) a profile documents, from the spec's family table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from emulator_support import ManualClock
from starlette.testclient import TestClient

from conformance import spec
from conformance.emulator import EmulatorConfig
from conformance.emulator.app import create_app
from conformance.emulator.audio import FRAME_HEADER, mp3_seconds
from conformance.emulator.media import VideoSpec, mp4_bytes
from conformance.profiles import load_builtin_profiles

KEY = "kc-extended-test-key-01"
AUTH = {"Authorization": f"Bearer {KEY}"}
IMAGE = "https://cdn.example.com/input/cat.jpg"


@pytest.fixture
def client(clock: ManualClock) -> Iterator[httpx.Client]:
    profiles = load_builtin_profiles()
    app = create_app([profiles["kling-official"], profiles["yibuapi"]], EmulatorConfig(keys=(KEY,), clock=clock))
    with TestClient(app, base_url="http://emu") as c:  # in process: no port, no thread per request
        yield c


def _official(path: str) -> str:
    return "/kling-official" + path


def _finish(client: httpx.Client, clock: ManualClock, family: str, body: dict[str, Any]) -> dict[str, Any]:
    path = spec.family(family).path
    created = client.post(_official(str(path)), json=body, headers=AUTH)
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert data["task_status"] == "submitted" and spec.validate_response(f"{family}.create", 200, created.json()) == []
    clock.now += 3600
    queried = client.get(_official(f"{path}/{data['task_id']}"), headers=AUTH)
    assert queried.status_code == 200
    assert spec.validate_response(f"{family}.get", 200, queried.json()) == [], queried.json()
    listed = client.get(_official(str(path)), headers=AUTH)
    assert data["task_id"] in [t["task_id"] for t in listed.json()["data"]]
    task = queried.json()["data"]
    assert task["task_status"] == "succeed"
    return task


def test_task_families_return_video_image_audio_or_data(client: httpx.Client, clock: ManualClock) -> None:
    video = _finish(client, clock, "omni-video", {"model_name": "kling-video-o1", "prompt": "a wave", "duration": "5"})
    (clip,) = video["task_result"]["videos"]
    got = client.get(clip["url"].removeprefix("http://emu"))
    assert got.status_code == 200 and got.headers["content-type"] == "video/mp4" and got.content[4:8] == b"ftyp"
    assert got.content == mp4_bytes(VideoSpec(width=1280, height=720, seconds=5))  # i18's writer, the asked size
    image = _finish(client, clock, "multi-image2image", {"subject_image_list": [{"subject_image": IMAGE}], "n": 2})
    assert len(image["task_result"]["images"]) == 2
    png = client.get(image["task_result"]["images"][1]["url"].removeprefix("http://emu"))
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    audio = _finish(client, clock, "text-to-audio", {"prompt": "rain on a roof", "duration": "5.0"})
    (track,) = audio["task_result"]["audios"]
    mp3 = client.get(track["url"].removeprefix("http://emu"), headers={"Range": "bytes=0-3"})
    assert mp3.status_code == 206 and mp3.content == FRAME_HEADER
    whole = client.get(track["url"].removeprefix("http://emu")).content
    assert 5.0 <= mp3_seconds(whole) < 5.1 and track["duration"] == "5.0"
    data = _finish(
        client, clock, "custom-voices", {"voice_name": "narrator", "voice_url": "https://cdn.example.com/v.mp3"}
    )
    assert data["task_result"] == {}  # the result fields were not read: nothing invented


def test_a_bad_body_is_refused_with_1201_naming_the_field(client: httpx.Client) -> None:
    both = {"image": IMAGE, "audio_id": "a1", "sound_file": "https://cdn.example.com/s.mp3"}
    answer = client.post(_official("/v1/videos/avatar/image2video"), json=both, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["code"] == 1201
    ranged = client.post(_official("/v1/audio/tts"), json={"text": "x" * 1001, "voice_id": "v"}, headers=AUTH)
    assert ranged.status_code == 400 and "text" in ranged.json()["message"]
    assert client.post(_official("/v1/audio/tts"), json={"text": "hi", "voice_id": "v"}).status_code == 401


def test_sync_calls_answer_at_once_with_fetchable_media(client: httpx.Client) -> None:
    tts = client.post(_official("/v1/audio/tts"), json={"text": "hello", "voice_id": "genshin_vindi2"}, headers=AUTH)
    assert tts.status_code == 200 and spec.validate_response("tts.call", 200, tts.json()) == []
    url = tts.json()["data"]["task_result"]["audios"][0]["url"]
    assert url.startswith("http://emu/_media-x/kling-official/")
    assert client.get(url.removeprefix("http://emu")).headers["content-type"] == "audio/mpeg"
    recognized = client.post(_official("/v1/videos/image-recognize"), json={"image": IMAGE}, headers=AUTH)
    assert recognized.status_code == 200 and "task_id" not in recognized.json()["data"]
    assert spec.validate_response("image-recognize.call", 200, recognized.json()) == []
    again = client.post(_official("/v1/audio/tts"), json={"text": "hello", "voice_id": "genshin_vindi2"}, headers=AUTH)
    assert again.json()["request_id"] != tts.json()["request_id"]


def test_multi_elements_init_add_then_create(client: httpx.Client, clock: ManualClock) -> None:
    base = "/v1/videos/multi-elements"
    stranger = {"session_id": "000", "edit_mode": "removal", "prompt": "remove the cup"}
    refused = client.post(_official(base), json=stranger, headers=AUTH)
    assert refused.status_code == 400 and refused.json()["code"] == 1201 and "session" in refused.json()["message"]
    init = client.post(_official(base + "/init-selection"), json={"video_id": "867283741759111202"}, headers=AUTH)
    assert init.status_code == 200 and spec.validate_response("multi-elements.init-selection", 200, init.json()) == []
    session = init.json()["data"]["session_id"]
    points = {"session_id": session, "frame_index": 0, "points": [{"x": 0.4, "y": 0.6}]}
    added = client.post(_official(base + "/add-selection"), json=points, headers=AUTH)
    assert added.status_code == 200 and added.json()["data"]["session_id"] == session
    preview = client.post(_official(base + "/preview-selection"), json={"session_id": session}, headers=AUTH)
    assert client.get(preview.json()["data"]["res"]["video"].removeprefix("http://emu")).status_code == 200
    task = _finish(client, clock, "multi-elements", {**stranger, "session_id": session})
    assert task["task_result"]["videos"][0]["url"].endswith("/0.mp4")


def test_identify_face_opens_the_session_advanced_lip_sync_needs(client: httpx.Client, clock: ManualClock) -> None:
    faces = client.post(
        _official("/v1/videos/identify-face"), json={"video_url": "https://cdn.example.com/t.mp4"}, headers=AUTH
    )
    assert faces.status_code == 200
    session = faces.json()["data"]["session_id"]
    choose = [{"face_id": "0", "audio_id": "a1", "sound_start_time": 0, "sound_end_time": 3000, "sound_insert_time": 0}]
    _finish(client, clock, "advanced-lip-sync", {"session_id": session, "face_choose": choose})


def test_gateways_that_document_none_do_not_serve_them(client: httpx.Client) -> None:
    answer = client.post("/yibuapi/kling/v1/videos/omni-video", json={"model_name": "kling-video-o1"}, headers=AUTH)
    assert answer.status_code == 404
    assert "task_id" not in answer.text
