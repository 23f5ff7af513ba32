"""validate_response / validate_task_object: the envelope, the task object and the error shapes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance import spec

TASK = {
    "task_id": "867283741759111202",
    "task_status": "succeed",
    "task_status_msg": "",
    "task_info": {},
    "task_result": {"videos": [{"id": "v1", "url": "https://cdn.klingai.com/a.mp4", "duration": "5.1"}]},
    "created_at": 1762237353241,
    "updated_at": 1762237611902,
}
ENVELOPE = {"code": 0, "message": "SUCCEED", "request_id": "c0656403-5b5f-4d4e-9a0f-8e3b2d1c7a64", "data": TASK}


def _with(path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(ENVELOPE)
    target = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return body


def test_official_query_body_is_valid() -> None:
    assert spec.validate_response("text2video.get", 200, ENVELOPE) == []


@pytest.mark.parametrize(
    ("path", "value", "json_path", "keyword"),
    [
        ("code", "0", "$.code", "type"),  # APICore documents code as a string
        ("data.task_status", "succeeded", "$.data.task_status", "enum"),
        ("data.task_status", "SUCCESS", "$.data.task_status", "enum"),
        ("data.task_id", 867283741759111202, "$.data.task_id", "type"),
        ("data.created_at", 1762237353, "$.data.created_at", "minimum"),  # seconds, not ms
        ("data.updated_at", "1762237611902", "$.data.updated_at", "type"),
        (
            "data.task_result.videos",
            [{"url": "https://x/a.mp4", "id": "1", "duration": 5}],
            "$.data.task_result.videos[0].duration",
            "type",
        ),
        ("request_id", ..., "$", "required"),
        ("data", ..., "$", "required"),
    ],
)
def test_departures_are_reported_at_their_path(path: str, value: Any, json_path: str, keyword: str) -> None:
    issues = spec.validate_response("image2video.get", 200, _with(path, value))
    assert any(issue.json_path == json_path and issue.keyword == keyword for issue in issues), issues


@pytest.mark.parametrize(
    ("msg", "result"),
    [(None, None), ("", {}), ("Failure to pass the risk control system", {})],
)
def test_nullable_and_optional_fields_from_disagreeing_sources(msg: Any, result: Any) -> None:
    body = _with("data.task_status_msg", msg)
    body["data"]["task_result"] = result
    body["data"]["task_status"] = "failed" if msg else "processing"
    assert spec.validate_response("image2video.get", 200, body) == []
    del body["data"]["task_result"], body["data"]["task_status_msg"], body["data"]["task_info"]
    assert spec.validate_response("image2video.get", 200, body) == []


def test_image_results_may_carry_index_or_id() -> None:
    body = _with(
        "data.task_result", {"images": [{"index": 0, "url": "https://x/a.png"}, {"id": "", "url": "https://x/b.png"}]}
    )
    assert spec.validate_response("generations.get", 200, body) == []


def test_flat_newapi_style_body_is_not_canonical() -> None:
    flat = {"task_id": "abcd1234efgh", "status": "queued", "url": "https://example.com/video.mp4", "format": "mp4"}
    issues = spec.validate_response("image2video.get", 200, flat)
    assert {issue.json_path for issue in issues} == {"$"}
    assert {issue.keyword for issue in issues} == {"required"}


def test_list_response_data_is_an_array() -> None:
    page = {**ENVELOPE, "data": [TASK, {**TASK, "task_status": "processing"}]}
    assert spec.validate_response("image2video.list", 200, page) == []
    assert spec.validate_response("image2video.list", 200, ENVELOPE)[0].json_path == "$.data"


def test_error_envelope_and_undocumented_status() -> None:
    error = {"code": 1303, "message": "parallel task over resource pack limit", "request_id": "r"}
    assert spec.validate_response("image2video.create", 429, error) == []
    assert spec.validate_response("image2video.create", 429, {**error, "code": 0})
    newapi = {"code": "task_failed", "message": "x", "data": None}
    assert spec.validate_response("image2video.create", 400, newapi)
    (issue,) = spec.validate_response("image2video.get", 418, error)
    assert issue.keyword == "status" and "418" in issue.message


def test_200_with_error_code_is_not_a_success() -> None:
    issues = spec.validate_response("image2video.create", 200, {"code": 1201, "message": "bad", "request_id": "r"})
    assert any(issue.json_path == "$.code" for issue in issues)


def test_callback_body_is_the_bare_task_object() -> None:
    assert spec.validate_task_object(TASK) == []
    callback = {
        **TASK,
        "final_unit_deduction": "1",
        "task_info": {"external_task_id": "x", "parent_video": {"id": "p", "url": "https://x/p.mp4", "duration": "5"}},
    }
    assert spec.validate_task_object(callback) == []
    wrapped = spec.validate_task_object(ENVELOPE)
    assert any("code is not allowed" in issue.message for issue in wrapped)
    assert spec.callback_schema()["$schema"].endswith("2020-12/schema")
