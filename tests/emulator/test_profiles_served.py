"""Every built-in profile is served and behaves as its profile says, over real HTTP on loopback.

Bodies are classified with the normalizer (``conformance.normalize``) and compared with the profile's
own expectations: shapes, statuses, id formats, error shapes and codes, timestamp units. With the
profile given, the normalizer's ``departures`` must be empty: the emulator does what the profile says.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from emulator_support import builtin_profiles, poll

from conformance import spec
from conformance.emulator import RunningEmulator
from conformance.emulator.coverage import emulable_builtin_ids
from conformance.models import TaskStatus
from conformance.normalize import normalize
from conformance.profiles import load_profile
from conformance.profiles.model import ID_FORMATS, GatewayProfile, OperationProfile

#: The gateways the emulator serves as themselves, with /v1 bodies (the 3.x contract, family kling-v3, is
#: tested in test_emulator_v3.py: its bodies are the 3.x ones).
GATEWAYS = [g for g in emulable_builtin_ids() if load_profile(g).family != "kling-v3"]


def _profile(gateway: str, profiles: list[GatewayProfile]) -> GatewayProfile:
    found = next((p for p in profiles if p.id == gateway), None)
    if found is None:
        pytest.skip(f"profile {gateway} does not load (see test_every_builtin_profile_loads)")
    return found


def test_every_builtin_profile_loads() -> None:
    _, broken = builtin_profiles()
    assert broken == {}


def _fill(template: str, task_id: str, family: str) -> str:
    action = "images" if family in ("generations", "kolors-virtual-try-on") else "videos"
    return template.replace("{task_id}", task_id).replace("{action}", action).replace("{action2}", family)


def create_body(profile: GatewayProfile, operation_id: str, **changes: Any) -> dict[str, Any]:
    """The canonical example request of ``operation_id`` (with a prompt where the gateway needs one)."""
    body = dict(spec.operation(operation_id).example_request)
    if profile.requires_prompt and not body.get("prompt"):
        body["prompt"] = "A calm lake at dawn"
    model_field = profile.extra.get("emulator", {}).get("requires_model_field")
    if model_field:  # new-api routes on the raw body's `model` (engine recordings): send what it needs
        body[model_field] = body.get("model_name") or "kling-v1"
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _refusal(profile: GatewayProfile) -> int | None:
    """The status every create gets when the engine refuses all submits (one-hub: no Kling provider)."""
    refusal = profile.extra.get("emulator", {}).get("submit_error")
    return int(refusal["status"]) if isinstance(refusal, dict) else None


def _creates(profile: GatewayProfile) -> list[OperationProfile]:
    return [op for op in profile.operations.values() if op.kind == "create" and op.supported]


def _video_create(profile: GatewayProfile) -> OperationProfile:
    for family in ("image2video", "text2video"):
        op = profile.operation(f"{family}.create")
        if op is not None and op.supported:
            return op
    pytest.fail(f"{profile.id} supports neither image2video nor text2video")


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_every_supported_family_runs_its_lifecycle(
    gateway: str, profiles: list[GatewayProfile], emulator: RunningEmulator, client: httpx.Client
) -> None:
    profile = _profile(gateway, profiles)
    base = emulator.base_url(gateway)
    creates = _creates(profile)
    assert creates, f"{gateway} supports no create operation"
    for create in creates:
        response = client.post(base + create.path, json=create_body(profile, create.operation_id))
        created = normalize(
            response.content, status_code=response.status_code, profile=profile, operation=create.operation_id
        )
        if _refusal(profile) is not None:  # recorded through the engine: no submit creates a task
            assert response.status_code == _refusal(profile), response.text
            assert created.is_error
            continue
        assert response.status_code == create.success_status, response.text
        assert created.shape.value == create.response_shape, response.text
        assert not created.is_error
        assert created.task_id and re.match(ID_FORMATS[create.id_format], created.task_id), created.task_id
        assert created.departures == (), created.departures
        get = profile.operation(f"{create.family}.get")
        if get is None or not get.supported:
            continue
        url = base + get.path.replace("{task_id}", created.task_id)
        seen = poll(
            client,
            url,
            lambda r: normalize(r.content, status_code=r.status_code).status in (TaskStatus.SUCCEED, TaskStatus.FAILED),
        )
        vocabulary = {*get.status_vocabulary, profile.lifecycle.failed_word}
        ranks = []
        for answer in seen:
            queried = normalize(
                answer.content, status_code=answer.status_code, profile=profile, operation=get.operation_id
            )
            assert answer.status_code == 200
            assert queried.shape.value == get.response_shape, answer.text
            assert queried.task_id == created.task_id
            assert queried.raw_status in vocabulary, queried.raw_status
            assert queried.departures == (), queried.departures
            assert answer.headers["content-type"].startswith("application/json")
            ranks.append(queried.status.rank if queried.status else -1)
        assert ranks == sorted(ranks), "status went backwards"
        final = normalize(seen[-1].content, status_code=200)
        assert final.status is TaskStatus.SUCCEED
        urls = final.video_urls or final.image_urls
        assert urls, seen[-1].text
        media = client.get(urls[0], headers={"Range": "bytes=0-15"})
        assert media.status_code == 206
        assert media.headers["content-type"] in ("video/mp4", "image/png")
        for variant in get.path_variants:
            again = client.get(base + _fill(variant, created.task_id, create.family))
            assert normalize(again.content, status_code=again.status_code).task_id == created.task_id, variant


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_auth_errors_have_the_gateway_shape(
    gateway: str, profiles: list[GatewayProfile], emulator: RunningEmulator
) -> None:
    profile = _profile(gateway, profiles)
    create = _video_create(profile)
    url = emulator.base_url(gateway) + create.path
    body = create_body(profile, create.operation_id)
    for headers in ({}, {"Authorization": "Bearer not-the-key"}, {"Authorization": "Basic abc"}):
        response = httpx.post(url, json=body, headers=headers, trust_env=False)
        result = normalize(response.content, status_code=response.status_code, profile=profile)
        assert response.status_code == profile.errors.auth_status
        assert result.is_error and result.shape.value == profile.errors.auth_shape, response.text
        if profile.errors.auth_shape == "kling-error":
            expected = profile.errors.auth_code if not headers else profile.errors.auth_invalid_code
            assert result.error_code == expected
        assert "not-the-key" not in response.text


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_invalid_requests_are_refused_as_the_profile_says(
    gateway: str, profiles: list[GatewayProfile], emulator: RunningEmulator, client: httpx.Client
) -> None:
    profile = _profile(gateway, profiles)
    create = _video_create(profile)
    url = emulator.base_url(gateway) + create.path
    store = emulator.app.state.emulator.store  # type: ignore[attr-defined]
    before = len(store)
    errors = profile.errors

    bad_enum = client.post(url, json=create_body(profile, create.operation_id, duration="7"))
    result = normalize(bad_enum.content, status_code=bad_enum.status_code, profile=profile)
    assert bad_enum.status_code == errors.invalid_param_status, bad_enum.text
    assert result.is_error and result.shape.value == errors.shape
    assert "duration" in (result.error_message or "")

    wrong_type = client.post(url, json=create_body(profile, create.operation_id, duration=5))
    assert wrong_type.status_code == errors.type_mismatch_status, wrong_type.text
    assert normalize(wrong_type.content, status_code=wrong_type.status_code).is_error

    if profile.requires_prompt:
        no_prompt = client.post(url, json=create_body(profile, create.operation_id, prompt=""))
        refused = normalize(no_prompt.content, status_code=no_prompt.status_code)
        assert no_prompt.status_code == errors.invalid_param_status
        assert refused.error_code == (errors.missing_prompt_code or errors.invalid_param_code)
    assert len(store) == before, "a refused request created a task"

    if create.family == "image2video":
        data_uri = client.post(
            url, json=create_body(profile, create.operation_id, image="data:image/png;base64,iVBORw0KGgo=")
        )
        if _refusal(profile) is not None:
            assert data_uri.status_code == _refusal(profile), data_uri.text
        elif profile.accepts_data_uri:
            assert data_uri.status_code == create.success_status
        else:
            assert data_uri.status_code == errors.invalid_param_status
            assert "base64" in (normalize(data_uri.content, status_code=400).error_message or "")


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_unknown_task_and_unsupported_operations(
    gateway: str, profiles: list[GatewayProfile], emulator: RunningEmulator, client: httpx.Client
) -> None:
    profile = _profile(gateway, profiles)
    base = emulator.base_url(gateway)
    errors = profile.errors
    for get in (op for op in profile.operations.values() if op.kind == "get" and op.supported):
        response = client.get(base + get.path.replace("{task_id}", "999999999999999999"))
        result = normalize(response.content, status_code=response.status_code, profile=profile)
        assert response.status_code == errors.unknown_task_status, response.text
        assert result.shape.value == errors.unknown_task_shape
        assert result.error_code == errors.unknown_task_code
    for op in (op for op in profile.operations.values() if not op.supported):
        path = op.path.replace("{task_id}", "123456789012345678")
        response = client.request(op.method, base + path, json={"prompt": "x"} if op.method == "POST" else None)
        assert response.status_code == errors.unsupported_status, (op.operation_id, response.text)
        assert normalize(response.content, status_code=response.status_code).shape.value == errors.unsupported_shape


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_list_query_bounds_and_external_id(
    gateway: str, profiles: list[GatewayProfile], emulator: RunningEmulator, client: httpx.Client
) -> None:
    profile = _profile(gateway, profiles)
    create = _video_create(profile)
    listing = profile.operation(f"{create.family}.list")
    if listing is None or not listing.supported:
        pytest.skip(f"{gateway} has no list query")
    base = emulator.base_url(gateway)
    external = f"ext-{gateway}-1"
    made = client.post(base + create.path, json=create_body(profile, create.operation_id, external_task_id=external))
    task_id = normalize(made.content, status_code=made.status_code).task_id
    for params, ok in (
        ({"pageNum": 1, "pageSize": 500}, True),
        ({"pageNum": 1000, "pageSize": 1}, True),
        ({"pageNum": 0}, False),
        ({"pageSize": 501}, False),
        ({"pageNum": 1001}, False),
    ):
        response = client.get(base + listing.path, params=params)
        if ok:
            assert response.status_code == 200 and isinstance(response.json()["data"], list), params
        else:
            assert response.status_code == profile.errors.invalid_param_status, params
    page = client.get(base + listing.path, params={"pageNum": 1, "pageSize": 5}).json()["data"]
    assert page[0]["task_id"] == task_id  # newest first
    if profile.external_id_query:
        found = client.get(base + listing.path, params={"external_task_id": external}).json()["data"]
        assert [t["task_id"] for t in found] == [task_id]
        assert found[0]["task_info"]["external_task_id"] == external
        get = profile.operation(f"{create.family}.get")
        assert get is not None
        by_path = client.get(base + get.path.replace("{task_id}", external))
        assert normalize(by_path.content, status_code=by_path.status_code).task_id == task_id


def test_kling_official_bodies_validate_against_the_canonical_spec(
    emulator: RunningEmulator, client: httpx.Client
) -> None:
    profile = load_profile("kling-official")
    base = emulator.base_url("kling-official")
    for create in _creates(profile):
        response = client.post(base + create.path, json=create_body(profile, create.operation_id))
        assert spec.validate_response(create.operation_id, response.status_code, response.json()) == []
        task_id = response.json()["data"]["task_id"]
        get_id = f"{create.family}.get"
        seen = poll(client, base + f"{create.path}/{task_id}", lambda r: r.json()["data"]["task_status"] == "succeed")
        for answer in seen:
            assert spec.validate_response(get_id, answer.status_code, answer.json()) == [], answer.text
        listed = client.get(base + create.path, params={"pageSize": 3})
        assert spec.validate_response(f"{create.family}.list", 200, listed.json()) == []
