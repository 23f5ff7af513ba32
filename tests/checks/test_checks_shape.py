"""Response-shape checks: canonical schema, documented schema, shape family, field types, vocabulary, content type."""

from __future__ import annotations

from typing import Any

import pytest
from factories import (
    HTML_PAGE,
    TRUNCATED,
    context,
    exchange,
    flat_task,
    kling_envelope,
    kling_error,
    kling_task,
    newapi_wrapper,
    openai_video,
    poll,
    profile,
    run_check,
    trace,
    video,
)

from conformance.checks import _contract
from conformance.models import Outcome
from conformance.profiles.model import OperationProfile


def _minimal(*polls: Any, create: Any = None) -> Any:
    return trace(
        "image2video.create.minimal",
        exchange(create if create is not None else kling_envelope(kling_task())),
        *polls,
    )


def _by_op(verdicts: list[Any]) -> dict[str, Any]:
    return {v.operation: v for v in verdicts}


# --------------------------------------------------------------------------- response_schema_canonical


def test_schema_canonical_passes_on_official_bodies() -> None:
    ctx = context(_minimal(poll(kling_envelope(kling_task("succeed", videos=[video()])))))
    verdicts = _by_op(run_check("response_schema_canonical", ctx))
    assert verdicts["image2video.create"].outcome is Outcome.PASS
    assert verdicts["image2video.get"].outcome is Outcome.PASS


def test_schema_canonical_fails_with_path_and_actual() -> None:
    ctx = context(_minimal(poll(newapi_wrapper("SUCCESS"))))
    verdict = _by_op(run_check("response_schema_canonical", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert "violate the canonical schema" in verdict.message
    assert verdict.json_path.startswith("$")
    assert verdict.exchange_ref.startswith("testgw/image2video.create.minimal#")
    assert verdict.expected


def test_schema_canonical_reports_actual_value_at_path() -> None:
    body = kling_envelope(kling_task())
    body["data"]["task_id"] = 867283741759111202
    ctx = context(_minimal(create=body))
    verdict = _by_op(run_check("response_schema_canonical", ctx))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.data.task_id"
    assert verdict.actual == 867283741759111202


def test_schema_canonical_fails_on_truncated_body() -> None:
    ctx = context(_minimal(poll(TRUNCATED, truncated=True)))
    verdict = _by_op(run_check("response_schema_canonical", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL and "truncated" in verdict.message and verdict.json_path == "$"


def test_schema_canonical_error_when_validator_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> list[Any]:
        raise _contract.ContractUnavailable("no spec")

    monkeypatch.setattr(_contract, "validate_response", broken)
    (verdict,) = run_check("response_schema_canonical", context(_minimal()))
    assert verdict.outcome is Outcome.ERROR and "no spec" in verdict.message


def test_shape_checks_skip_with_trace_reason() -> None:
    ctx = context(trace("image2video.create.minimal", skipped_reason="budget"))
    for check_id in ("response_schema_canonical", "response_shape_family", "field_types_canonical"):
        (verdict,) = run_check(check_id, ctx)
        assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "budget", check_id


# --------------------------------------------------------------------------- response_shape_family


def test_shape_family_compares_with_profile() -> None:
    ctx = context(_minimal(poll(kling_envelope(kling_task("processing")))))
    assert all(v.outcome is Outcome.PASS for v in run_check("response_shape_family", ctx))
    newapi_ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create", method="POST", path="/x", response_shape="openai-video"
        ),
        "image2video.get": OperationProfile(
            operation_id="image2video.get", method="GET", path="/y", response_shape="newapi-task"
        ),
    }
    newapi = profile(operations=newapi_ops)
    good = context(_minimal(poll(newapi_wrapper("IN_PROGRESS")), create=openai_video()), gateway_profile=newapi)
    assert all(v.outcome is Outcome.PASS for v in run_check("response_shape_family", good))
    bad = context(_minimal(poll(newapi_wrapper("IN_PROGRESS"))), gateway_profile=newapi)
    verdict = _by_op(run_check("response_shape_family", bad))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.expected == "openai-video" and verdict.actual == "kling"
    assert "profile expects 'openai-video'" in verdict.message


def test_shape_family_skips_operations_the_profile_does_not_know() -> None:
    ctx = context(_minimal(), gateway_profile=profile(operations={}))
    (verdict,) = run_check("response_shape_family", ctx)
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "not documented"


# --------------------------------------------------------------------------- field_types_canonical


def test_field_types_pass_on_official_body() -> None:
    ctx = context(_minimal(poll(kling_envelope(kling_task("succeed", videos=[video()])))))
    assert all(v.outcome is Outcome.PASS for v in run_check("field_types_canonical", ctx))


def test_field_types_flag_string_code_seconds_and_numeric_id() -> None:
    ctx = context(_minimal(poll(newapi_wrapper("SUCCESS"))))
    verdict = _by_op(run_check("field_types_canonical", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.code" and verdict.expected == "integer" and verdict.actual == "success"
    seconds = kling_envelope(kling_task(created_at=1_732_000_000))
    verdict = _by_op(run_check("field_types_canonical", context(_minimal(create=seconds))))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.data.created_at" and "seconds" in verdict.message
    numeric = kling_envelope(kling_task())
    numeric["data"]["task_id"] = 42
    verdict = _by_op(run_check("field_types_canonical", context(_minimal(create=numeric))))["image2video.create"]
    assert verdict.json_path == "$.data.task_id" and verdict.expected == "string" and verdict.actual == 42


def test_field_types_judge_present_fields_and_non_json() -> None:
    verdict = _by_op(run_check("field_types_canonical", context(_minimal(create=openai_video()))))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.created_at" and "seconds" in verdict.message
    verdict = _by_op(run_check("field_types_canonical", context(_minimal(create={"ok": True}))))["image2video.create"]
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"
    verdict = _by_op(run_check("field_types_canonical", context(_minimal(poll(HTML_PAGE)))))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$" and "HTML" in verdict.message


# --------------------------------------------------------------------------- status_vocabulary_kling


def test_status_vocabulary_passes_on_kling_words() -> None:
    ctx = context(_minimal(poll(kling_envelope(kling_task("processing"))), poll(kling_envelope(kling_task("succeed")))))
    verdicts = run_check("status_vocabulary_kling", ctx)
    assert all(v.outcome is Outcome.PASS for v in verdicts)


def test_status_vocabulary_flags_uppercase_and_openai_words() -> None:
    ctx = context(_minimal(poll(newapi_wrapper("NOT_START")), poll(newapi_wrapper("SUCCESS"))))
    verdict = _by_op(run_check("status_vocabulary_kling", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.actual == "NOT_START" and verdict.json_path == "$.data.status"
    assert "SUCCESS" in verdict.message
    flat = context(_minimal(poll(flat_task())))
    verdict = _by_op(run_check("status_vocabulary_kling", flat))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL and verdict.actual == "completed" and verdict.json_path == "$.status"


# --------------------------------------------------------------------------- content_type_json


def test_content_type_json() -> None:
    ctx = context(
        _minimal(poll(kling_envelope(kling_task()), headers=(("Content-Type", "application/json; charset=utf-8"),)))
    )
    assert all(v.outcome is Outcome.PASS for v in run_check("content_type_json", ctx))
    html = context(_minimal(poll(HTML_PAGE, status=502, headers=(("content-type", "text/html"),))))
    verdict = _by_op(run_check("content_type_json", html))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL and verdict.actual == "text/html" and verdict.expected == "application/json"
    missing = context(trace("image2video.create.minimal", exchange(kling_error(), status=400, headers=())))
    verdict = _by_op(run_check("content_type_json", missing))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and verdict.actual == "absent"


def test_content_type_ignores_result_fetch() -> None:
    fetch = exchange(b"\x00\x00", purpose="result-fetch", method="GET", headers=(("content-type", "video/mp4"),))
    ctx = context(_minimal(fetch))
    assert all(v.outcome is Outcome.PASS for v in run_check("content_type_json", ctx))


# --------------------------------------------------------------------------- response_schema_documented


class _Spec:
    """A gateway spec in the mapping form the docs layer may produce."""

    def __init__(self, operations: dict[str, Any]) -> None:
        self.operations = operations


def _use_spec(monkeypatch: pytest.MonkeyPatch, spec: Any) -> None:
    monkeypatch.setattr(_contract, "gateway_spec", lambda _gateway: spec)


def test_documented_passes_when_runtime_matches_example(monkeypatch: pytest.MonkeyPatch) -> None:
    example = kling_envelope(kling_task("succeed", videos=[video()]))
    spec = {
        "operations": {"image2video.get": {"responses": {"200": {"example": example, "provenance": "001.txt:10-30"}}}}
    }
    _use_spec(monkeypatch, spec)
    ctx = context(_minimal(poll(kling_envelope(kling_task("processing"))), poll(example)))
    verdict = _by_op(run_check("response_schema_documented", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.PASS


def test_documented_catches_shape_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _Spec(
        {
            "image2video.get": {
                "examples": [
                    {
                        "direction": "response",
                        "status": 200,
                        "value": flat_task(),
                        "provenance": {"file": "002.txt", "lines": "40-52"},
                    }
                ]
            }
        }
    )
    _use_spec(monkeypatch, spec)
    ctx = context(_minimal(poll(newapi_wrapper("SUCCESS"))))
    verdict = _by_op(run_check("response_schema_documented", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert "drift" in verdict.message and "002.txt:40-52" in verdict.message
    assert verdict.expected == ["flat-task"] and verdict.actual == ["newapi-task"]


def test_documented_catches_missing_and_retyped_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    documented = kling_envelope(kling_task("succeed", videos=[video()]))
    documented["data"]["final_unit_deduction"] = "1"
    spec = {"operations": [{"operation_id": "image2video.get", "response_examples": [{"body": documented}]}]}
    _use_spec(monkeypatch, spec)
    ctx = context(_minimal(poll(kling_envelope(kling_task("succeed", videos=[video()])))))
    verdict = _by_op(run_check("response_schema_documented", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.data.final_unit_deduction" and verdict.actual == "absent"
    retyped = kling_envelope(kling_task("succeed", videos=[video()]))
    retyped["data"]["final_unit_deduction"] = 1
    ctx = context(_minimal(poll(retyped)))
    verdict = _by_op(run_check("response_schema_documented", ctx))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL and verdict.expected == "string" and verdict.actual == "integer"


def test_documented_empty_object_vs_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = {"operations": {"image2video.create": {"responses": {"200": {"example": {}}}}}}
    _use_spec(monkeypatch, spec)
    verdict = _by_op(run_check("response_schema_documented", context(_minimal())))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and verdict.expected == ["empty"] and verdict.actual == ["kling"]


def test_documented_schema_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}
    spec = {"operations": {"image2video.create": {"responses": {"200": {"schema": schema}}}}}
    _use_spec(monkeypatch, spec)
    verdict = _by_op(run_check("response_schema_documented", context(_minimal())))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.code" and verdict.actual == 0


def test_documented_skips_undocumented_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_spec(monkeypatch, None)
    verdicts = run_check("response_schema_documented", context(_minimal()))
    assert [(v.outcome, v.reason) for v in verdicts] == [(Outcome.SKIPPED, "not documented")]


def test_documented_falls_back_to_profile_documented_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_spec(monkeypatch, None)
    ops = {
        "image2video.create": OperationProfile(
            operation_id="image2video.create", method="POST", path="/x", documented_shape="empty"
        )
    }
    verdict = _by_op(
        run_check("response_schema_documented", context(_minimal(), gateway_profile=profile(operations=ops)))
    )
    assert verdict["image2video.create"].outcome is Outcome.FAIL
    assert "profile documented_shape" in verdict["image2video.create"].message


def test_documented_schema_contradicted_by_own_example_is_judged_by_example(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
    example = kling_envelope(kling_task("succeed", videos=[video()]))
    spec = {"operations": {"image2video.get": {"responses": {"200": {"example": example, "schema": schema}}}}}
    _use_spec(monkeypatch, spec)
    ok = context(_minimal(poll(kling_envelope(kling_task("succeed", videos=[video()])))))
    assert _by_op(run_check("response_schema_documented", ok))["image2video.get"].outcome is Outcome.PASS
    drifted = kling_envelope(kling_task("succeed", videos=[video()]))
    drifted["code"] = "0"
    verdict = _by_op(run_check("response_schema_documented", context(_minimal(poll(drifted)))))["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.code" and verdict.expected == "integer" and verdict.actual == "string"


def test_status_vocabulary_reads_list_items() -> None:
    scenario = "image2video.list.bounds"
    listing = exchange(
        kling_envelope([kling_task("succeed"), kling_task("SUCCEEDED")]),
        scenario=scenario,
        operation="image2video.list",
        purpose="list",
        method="GET",
    )
    verdict = _by_op(run_check("status_vocabulary_kling", context(trace(scenario, listing))))["image2video.list"]
    assert verdict.outcome is Outcome.FAIL and verdict.actual == "SUCCEEDED"
    assert verdict.json_path == "$.data[1].task_status"


def test_documented_against_the_real_gateway_specs() -> None:
    """Integration with ``conformance.docs``: winfull documents ``{}``, APICore's field list contradicts its example."""
    docs = pytest.importorskip("conformance.docs")
    if not {"winfull", "apicore"} <= set(docs.gateway_spec_ids()):
        pytest.skip("derived gateway specs not present")
    winfull = context(_minimal(), gateway_profile=profile(id="winfull"))
    verdict = _by_op(run_check("response_schema_documented", winfull))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert "004_6903c48bf570ee66.txt" in verdict.message and verdict.expected == ["empty"]
    succeeded = kling_envelope(kling_task("succeed", msg="", videos=[video()]))
    apicore = context(_minimal(poll(succeeded)), gateway_profile=profile(id="apicore"))
    verdicts = _by_op(run_check("response_schema_documented", apicore))
    assert verdicts["image2video.get"].outcome is Outcome.PASS
    assert verdicts["image2video.create"].reason == "not documented"
