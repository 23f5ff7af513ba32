"""The merged fuzz document, the single-field probes and the schemathesis custom checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.fuzz.document import fuzz_document, select_create_operations
from conformance.fuzz.probes import field_probes
from conformance.profiles import load_builtin_profiles


def test_document_targets_the_gateway_paths_without_security() -> None:
    profile = load_builtin_profiles()["yibuapi"]
    target = fuzz_document(profile, "http://127.0.0.1:9/yibuapi", ["image2video.create"])
    doc = target.document
    assert doc["servers"] == [{"url": "http://127.0.0.1:9/yibuapi"}]
    assert "security" not in doc and "securitySchemes" not in doc.get("components", {})
    assert set(doc["paths"]) == {"/kling/v1/videos/image2video", "/kling/v1/videos/image2video/{task_id}"}
    assert target.get_operations == {"image2video.create": "image2video.get"}
    assert any(d["json_path"] == "$.aspect_ratio" for d in doc["x-departures"])


def test_document_relaxes_responses_where_the_profile_departs_and_leaves_the_canonical_spec_alone() -> None:
    from conformance.spec import load_canonical

    before = repr(load_canonical())
    profile = load_builtin_profiles()["newapi"]
    target = fuzz_document(profile, "http://127.0.0.1:9/newapi", select_create_operations(profile, ["text2video"]))
    create = target.document["paths"][profile.operation("text2video.create").path]["post"]  # type: ignore[union-attr]
    assert create["responses"]["200"]["content"]["application/json"]["schema"] == {}
    assert any(d["kind"] == "response" for d in target.departures)
    assert repr(load_canonical()) == before


def test_probes_break_one_field_each_and_include_duration_seven() -> None:
    from conformance import spec

    probes = field_probes("image2video.create")
    duration = [p for p in probes if p.field == "duration" and p.scenario == "invalid_enum_value"]
    assert duration and duration[0].value == "7"
    for probe in probes:
        issues = spec.validate_request("image2video.create", probe.body)
        assert issues, probe.description
        assert {k for k in probe.body if k != probe.field} <= set(spec.operation("image2video.create").example_request)


@dataclass
class _Response:
    status_code: int
    content: bytes
    headers: dict[str, Any] = field(default_factory=lambda: {"content-type": ["application/json"]})


def test_st_checks_are_registered_with_schemathesis_and_judge_bodies() -> None:
    from schemathesis.checks import CHECKS

    from conformance.fuzz import st_checks

    st_checks.use_profile(None)
    assert set(st_checks.KLING_CHECKS) <= set(CHECKS.get_all_names())
    ok = _Response(
        200,
        b'{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"8145708912075244",'
        b'"task_status":"submitted","created_at":1762237353241,"updated_at":1762237353241}}',
    )
    for check in (st_checks.kling_response_recognized, st_checks.kling_task_fields, st_checks.kling_error_body):
        assert check(None, ok, None) is None
    with pytest.raises(AssertionError, match="status word"):
        st_checks.kling_task_fields(
            None, _Response(200, b'{"code":0,"data":{"task_id":"1","task_status":"weird"}}'), None
        )
    with pytest.raises(AssertionError, match="error body"):
        st_checks.kling_error_body(None, _Response(400, b'{"detail":"nope"}'), None)
    with pytest.raises(AssertionError, match="not a shape"):
        st_checks.kling_response_recognized(None, _Response(200, b'{"hello":"world"}'), None)


@dataclass
class _Operation:
    method: str
    operation_id: str

    @property
    def definition(self) -> Any:
        return type("Definition", (), {"raw": {"operationId": self.operation_id}})()


@dataclass
class _Case:
    method: str
    operation: _Operation


def test_st_checks_skip_list_pages_and_plain_answers_to_methods_the_operation_lacks() -> None:
    from conformance.fuzz import st_checks

    st_checks.use_profile(None)
    page = _Response(200, b'{"code":0,"message":"SUCCEED","data":[{"task_id":"1","task_status":"weird"}]}')
    listing = _Case("GET", _Operation("get", "text2video.list"))
    assert st_checks.kling_task_fields(None, page, listing) is None  # a page of tasks is not a task
    task_get = _Case("GET", _Operation("get", "text2video.get"))
    assert st_checks.kling_task_fields(None, page, task_get) is None  # `data` is an array: still a page
    with pytest.raises(AssertionError, match="status word"):  # one task is still judged
        st_checks.kling_task_fields(
            None, _Response(200, b'{"code":0,"data":{"task_id":"1","task_status":"x"}}'), task_get
        )

    plain_405 = _Response(405, b"Method Not Allowed", {"content-type": ["text/plain; charset=utf-8"]})
    trace = _Case("TRACE", _Operation("post", "text2video.create"))
    assert st_checks.kling_error_body(None, plain_405, trace) is None
    assert st_checks.kling_response_recognized(None, plain_405, trace) is None
    declared = _Case("POST", _Operation("post", "text2video.create"))
    with pytest.raises(AssertionError, match="error body"):  # the operation's own method gets no pass
        st_checks.kling_error_body(None, plain_405, declared)
    with pytest.raises(AssertionError, match="error body"):  # nor does a JSON answer to a foreign method
        st_checks.kling_error_body(None, _Response(405, b'{"detail":"no"}'), trace)


def test_st_checks_read_the_profile_named_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.fuzz import st_checks

    monkeypatch.setenv(st_checks.GATEWAY_ENV, "newapi")
    monkeypatch.setattr(st_checks, "_state", {"profile": None, "resolved": False})
    profile = st_checks.current_profile()
    assert profile is not None and profile.id == "newapi"


def test_every_builtin_gateway_document_loads_into_schemathesis() -> None:
    import schemathesis

    from conformance.emulator.coverage import emulable_builtin_ids

    emulated = set(emulable_builtin_ids())  # documented-only gateways have their own paths: not fuzzed yet
    for gateway_id, profile in load_builtin_profiles().items():
        if gateway_id not in emulated:
            continue
        creates = select_create_operations(profile)
        target = fuzz_document(profile, f"http://127.0.0.1:9/{gateway_id}", creates)
        schema = schemathesis.openapi.from_dict(target.document)
        for op_id in target.create_operations:
            assert schema.find_operation_by_id(op_id).method.upper() == "POST", (gateway_id, op_id)
        assert set(target.get_operations) <= set(creates)


def test_same_seed_same_requests() -> None:
    import schemathesis

    from conformance.fuzz.cases import plan_cases

    profile = load_builtin_profiles()["kling-official"]
    schema = schemathesis.openapi.from_dict(
        fuzz_document(profile, "http://127.0.0.1:9", ["text2video.create"]).document
    )
    operation = schema.find_operation_by_id("text2video.create")

    def bodies(seed: int) -> list[str]:
        planned = plan_cases(
            operation, "text2video.create", positive=True, negative=True, probes=True, max_examples=5, seed=seed
        )
        return [repr(p.case.body) for p in planned]

    first = bodies(11)
    assert first == bodies(11)
    assert any("'duration': '7'" in body for body in first)


def test_a_gateway_writing_its_own_bodies_is_refused_with_a_reason_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conformance.cli import main
    from conformance.fuzz.document import select_create_operations
    from conformance.profiles import load_profile

    assert select_create_operations(load_profile("kling-official-v3")) == []  # 3.x bodies: its own writing
    assert "text2video.create" in select_create_operations(load_profile("kling-official"))
    with pytest.raises(SystemExit) as exited:
        main(["fuzz", "--gateway", "kling-official-v3", "--emulator", "--max-examples", "1"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "writes its own request bodies" in err and "Traceback" not in err
