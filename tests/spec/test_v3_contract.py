"""The Kling 3.x contract (specs/kling-v3.openapi.yaml), its webhook signatures and the kling-official-v3 profile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from conformance import spec
from conformance.normalize import normalize
from conformance.paths import v3_spec_path
from conformance.profiles import load_profile
from conformance.profiles.writing import map_request
from conformance.spec import v3

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BODY = json.dumps({"id": "901930004609634393", "status": "succeeded"}).encode()
T0 = 1_783_065_400


def test_the_v3_spec_passes_spec_check_with_its_own_rules() -> None:
    report = spec.check_spec_file(v3_spec_path())
    assert report.kind == "kling-v3" and report.ok, report.problems
    assert set(v3.operation_ids()) == {
        "text-to-video.create",
        "text-to-video.get",
        "image-to-video.create",
        "tasks.get",
        "tasks.list",
    }
    assert all("{model}" in v3.operation(op).path for op in v3.CREATE_OPERATIONS)


def test_v3_bodies_use_settings_and_options_and_refuse_the_v1_spellings() -> None:
    good = {
        "prompt": "a dog",
        "settings": {"duration": 5, "resolution": "1080p"},
        "options": {"external_task_id": "o1"},
    }
    assert v3.validate_request("text-to-video.create", good) == []
    for bad in (
        {"prompt": "a dog", "model_name": "kling-v3"},
        {"prompt": "a dog", "callback_url": "https://h/cb"},
        {"prompt": "a dog", "settings": {"duration": "5"}},
        {"prompt": "a dog", "settings": {"duration": 16}},
        {"contents": [{"type": "prompt", "text": "no frame"}]},
    ):
        op = "image-to-video.create" if "contents" in bad else "text-to-video.create"
        assert v3.validate_request(op, bad), bad


def test_status_is_succeeded_and_the_id_is_data_id() -> None:
    done = v3.operation("text-to-video.get").response_examples["200"]["succeeded"]
    assert done["data"]["status"] == "succeeded" and "task_id" not in done["data"]
    assert v3.validate_response("text-to-video.get", 200, done) == []
    v1_word = {**done, "data": {**done["data"], "status": "succeed"}}
    assert v3.validate_response("text-to-video.get", 200, v1_word)


def test_spec_check_refuses_a_v3_copy_with_the_v1_status_word(tmp_path: Path) -> None:
    document = yaml.safe_load(v3_spec_path().read_text(encoding="utf-8"))
    document["components"]["schemas"]["TaskStatus"]["enum"] = ["submitted", "processing", "succeed", "failed"]
    copy = tmp_path / "kling-v3.openapi.yaml"
    copy.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    messages = [p.message for p in spec.check_spec_file(copy).problems]
    assert any("succeeded, not succeed" in m for m in messages), messages


def test_a_signed_notification_verifies_and_tampering_does_not() -> None:
    headers = v3.signed_headers(SECRET, "msg_1", T0, BODY)
    assert headers["webhook-signature"].startswith("v1,")
    assert v3.verify_webhook(SECRET, headers, BODY, now=T0 + 10).ok
    assert v3.verify_webhook(SECRET, {k.upper(): v for k, v in headers.items()}, BODY, now=T0).ok
    cases = {
        "changed body": (SECRET, headers, BODY.replace(b"succeeded", b"failed"), T0),
        "wrong secret": ("whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==", headers, BODY, T0),
        "stale": (SECRET, headers, BODY, T0 + 301),
        "future": (SECRET, headers, BODY, T0 - 301),
        "missing": (SECRET, {"webhook-id": "msg_1"}, BODY, T0),
        "not seconds": (SECRET, {**headers, "webhook-timestamp": "2026-12-04T18:00:00Z"}, BODY, T0),
        "only v2": (SECRET, {**headers, "webhook-signature": "v2," + headers["webhook-signature"][3:]}, BODY, T0),
    }
    reasons = {name: v3.verify_webhook(*args[:3], now=args[3]) for name, args in cases.items()}
    assert not any(verdict.ok for verdict in reasons.values()), reasons
    assert "old" in reasons["stale"].reason and "future" in reasons["future"].reason
    assert "missing" in reasons["missing"].reason and "v1" in reasons["only v2"].reason


def test_one_good_signature_among_several_is_enough() -> None:
    good = v3.sign_webhook(SECRET, "msg_2", T0, BODY)
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(T0), "webhook-signature": f"v1,AAAA {good}"}
    assert v3.verify_webhook(SECRET, headers, BODY, now=T0).ok


def test_signatures_interoperate_with_the_standard_webhooks_library() -> None:
    from standardwebhooks.webhooks import Webhook

    now = int(time.time())
    headers = v3.signed_headers(SECRET, "msg_3", now, BODY)
    assert Webhook(SECRET).verify(BODY, headers) == json.loads(BODY)


def test_the_v3_profile_writes_v3_bodies_and_reads_v3_answers() -> None:
    profile = load_profile("kling-official-v3")
    assert profile.operation("text2video.create") is not None
    t2v = profile.operation("text2video.create")
    i2v = profile.operation("image2video.create")
    assert t2v is not None and i2v is not None and t2v.request is not None and i2v.request is not None
    body = map_request(t2v.request, {"model_name": "kling-v1", "prompt": "a cat", "duration": "10", "mode": "pro"})
    assert body == {"prompt": "a cat", "settings": {"duration": 10, "resolution": "1080p"}}
    assert v3.validate_request("text-to-video.create", body) == []
    image = map_request(i2v.request, {"image": "https://cdn.example.com/a.jpg", "prompt": "go", "duration": "5"})
    assert v3.validate_request("image-to-video.create", image) == []
    created = v3.operation("text-to-video.create").response_examples["200"]["submitted"]
    read = normalize(json.dumps(created).encode(), 200, profile)
    assert (read.task_id, read.status) == ("901930004609634393", "submitted")
    listed = v3.operation("tasks.get").response_examples["200"]["one"]
    read = normalize(json.dumps(listed).encode(), 200, profile)
    assert read.status == "succeed" and read.video_urls  # `succeeded` read as the canonical terminal status


@pytest.mark.parametrize("op_id", ["text2video.get", "image2video.get"])
def test_the_v3_profile_polls_tasks_by_id(op_id: str) -> None:
    operation = load_profile("kling-official-v3").operation(op_id)
    assert operation is not None and operation.path == "/tasks?task_ids={task_id}"
    assert operation.status_vocabulary[-2:] == ("succeeded", "failed")


def test_without_the_library_the_same_signature_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = v3.sign_webhook(SECRET, "msg_4", T0, BODY)
    monkeypatch.setitem(__import__("sys").modules, "standardwebhooks.webhooks", None)  # import now fails
    assert v3.sign_webhook(SECRET, "msg_4", T0, BODY) == expected
