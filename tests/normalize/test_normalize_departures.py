"""With a profile, ``normalize`` says where a body departs from what that gateway's profile expects."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from normalize_cases import ALL_CASES

from conformance.models import EvidenceKind
from conformance.normalize import normalize
from conformance.profiles.model import ErrorProfile, GatewayProfile, LifecycleProfile, OperationProfile

KID = "867283741759111202"
NEW_ID = "task_Zx8Qm2Lp4Rt6Vw0Yb3Nc5Df7Gh9Jk1Ls"
MS = 1762237353241


def _case(case_id: str) -> bytes:
    return next(case for case in ALL_CASES if case.id == case_id).body_bytes()


def official() -> GatewayProfile:
    ops = {
        f"image2video.{kind}": OperationProfile(
            operation_id=f"image2video.{kind}", method=method, path="/v1/videos/image2video"
        )
        for kind, method in (("create", "POST"), ("get", "GET"))
    }
    return GatewayProfile(
        id="official-like",
        title="test",
        family="kling",
        evidence_kind=EvidenceKind.USER_SUPPLIED,
        evidence_source="test",
        base_url="http://127.0.0.1",
        operations=ops,
    )


def newapi_like() -> GatewayProfile:
    words = ("NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE", "UNKNOWN")
    ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create",
            method="POST",
            path="/kling/v1/videos/image2video",
            response_shape="openai-video",
            status_vocabulary=("queued",),
            id_format="newapi-task",
        ),
        "image2video.get": OperationProfile(
            operation_id="image2video.get",
            method="GET",
            path="/kling/v1/videos/image2video/{task_id}",
            response_shape="newapi-task",
            status_vocabulary=words,
            id_format="newapi-task",
        ),
    }
    errors = ErrorProfile(
        shape="newapi-error",
        auth_shape="openai-error",
        auth_code="",
        unknown_task_status=400,
        unknown_task_shape="newapi-error",
        unknown_task_code="task_not_exist",
    )
    return GatewayProfile(
        id="newapi-like",
        title="test",
        family="newapi",
        evidence_kind=EvidenceKind.USER_SUPPLIED,
        evidence_source="test",
        base_url="http://127.0.0.1",
        operations=ops,
        errors=errors,
        lifecycle=LifecycleProfile(timestamp_unit="s"),
    )


def test_official_body_matches_official_profile() -> None:
    result = normalize(_case("a-succeed"), 200, official())
    assert result.departures == ()


def test_newapi_query_matches_newapi_profile() -> None:
    for case_id in ("b-not-start", "b-in-progress", "b-success-result-url", "b-failure"):
        result = normalize(_case(case_id), 200, newapi_like(), operation="image2video.get")
        assert result.departures == (), (case_id, result.departures)


def test_official_body_on_newapi_profile_departs_in_every_way() -> None:
    result = normalize(_case("a-submit"), 200, newapi_like())
    text = "\n".join(result.departures)
    assert "shape 'kling' is not one the profile expects (openai-video, newapi-task)" in text
    assert "status word 'submitted' differs in case from the profile's 'SUBMITTED'" in text
    assert f"task id '{KID}' does not match the profile's id format (newapi-task)" in text
    assert "timestamps in ms, the profile says s" in text


def test_newapi_body_on_official_profile_departs() -> None:
    result = normalize(_case("b-not-start"), 200, official())
    text = "\n".join(result.departures)
    assert "shape 'newapi-task'" in text
    assert "status word 'NOT_START' is not in the profile's vocabulary" in text
    assert "does not match the profile's id format (kling-numeric)" in text
    assert "timestamps in s, the profile says ms" in text


def test_operation_narrows_the_expected_shape() -> None:
    body = _case("c-submit-task-id")
    assert normalize(body, 200, newapi_like(), operation="image2video.create").departures == ()
    narrowed = normalize(body, 200, newapi_like(), operation="image2video.get")
    assert any("shape 'openai-video' is not one the profile expects (newapi-task)" in d for d in narrowed.departures)
    assert any("status word 'queued'" in d for d in narrowed.departures)


def test_success_status_checked_for_one_operation() -> None:
    result = normalize(_case("a-submit"), 201, official(), operation="image2video.create")
    assert "HTTP 201, the profile says 200 for image2video.create" in result.departures


def test_error_shape_and_status_compared_with_error_profile() -> None:
    official_404 = normalize(_case("e2-task-not-exist"), 404, official())
    assert any(
        "error shape 'newapi-error' is not one the profile expects (kling-error)" in d for d in official_404.departures
    )
    newapi_404 = normalize(_case("e2-task-not-exist"), 404, newapi_like())
    assert newapi_404.departures == ("unknown-task error task_not_exist came with HTTP 404, the profile says 400",)
    assert normalize(_case("e2-task-not-exist"), 400, newapi_like()).departures == ()
    assert normalize(_case("e3-auth-invalid-token"), 401, newapi_like()).departures == ()


def test_unknown_operation_is_a_note_not_a_crash() -> None:
    result = normalize(_case("a-submit"), 200, official(), operation="lip-sync.get")
    assert result.departures == ()
    assert any("has no operation 'lip-sync.get'" in note for note in result.notes)


def test_unknown_id_format_is_noted() -> None:
    profile = official()
    ops = {
        k: OperationProfile(operation_id=k, method="GET", path="/x", id_format="snowflake") for k in profile.operations
    }
    bad = dataclasses.replace(profile, operations=ops)
    result = normalize(_case("a-submit"), 200, bad)
    assert any("unknown id format 'snowflake'" in note for note in result.notes)


@pytest.mark.parametrize("profile", ["no-such-gateway", 42, {"id": "x"}])
def test_unusable_profile_is_a_note(profile: Any) -> None:
    result = normalize(_case("a-submit"), 200, profile)
    assert result.shape.value == "kling"
    assert result.departures == ()
    assert any("profile" in note for note in result.notes)


def test_profile_id_is_resolved_with_the_loader() -> None:
    from conformance.profiles import load_profile

    profile = load_profile("newapi")
    by_id = normalize(_case("a-submit"), 200, "newapi")
    assert by_id.departures == normalize(_case("a-submit"), 200, profile).departures
    assert by_id.departures  # the official envelope is not what stock new-api returns


def test_builtin_newapi_profile_accepts_its_own_family_bodies() -> None:
    cases = {"b-in-progress": "image2video.get", "c-submit-task-id": "image2video.create", "e2-prompt-required": None}
    for case_id, operation in cases.items():
        result = normalize(_case(case_id), 400 if case_id.startswith("e2") else 200, "newapi", operation=operation)
        assert result.departures == (), (case_id, result.departures)


def test_departures_are_printed_by_to_dict() -> None:
    result = normalize(json.dumps({"code": 0, "data": {"task_id": "x", "task_status": "done"}}), 200, official())
    assert result.to_dict()["departures"] == list(result.departures)
    assert any("status word 'done'" in d for d in result.departures)
