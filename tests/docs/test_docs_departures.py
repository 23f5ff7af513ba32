"""The departures each seed gateway's document shows, and the two-way link examples ↔ departures."""

from __future__ import annotations

import pytest
from docs_seed_table import SEED_GATEWAYS

from conformance.docs import Departure, load_gateway_spec
from conformance.spec import validate_request, validate_response


def _find(gateway_id: str, operation: str, json_path: str, check: str | None = None) -> list[Departure]:
    return [
        dep
        for dep in load_gateway_spec(gateway_id).departures_for(operation_id=operation)
        if dep.json_path == json_path and (check is None or dep.check == check)
    ]


def test_every_departure_has_a_reason_provenance_and_a_unique_id() -> None:
    for gateway_id in SEED_GATEWAYS.values():
        spec = load_gateway_spec(gateway_id)
        ids = [dep.id for dep in spec.departures]
        assert len(ids) == len(set(ids))
        for dep in spec.departures:
            assert dep.reason and dep.kind in ("request", "response", "documentation")
            assert dep.operation in spec.operations
            assert dep.file in SEED_GATEWAYS and 1 <= dep.lines[0] <= dep.lines[1]


def test_apicore_documents_code_and_timestamps_as_strings() -> None:
    for operation in ("generations.get", "text2video.get", "image2video.get"):
        (code,) = _find("apicore", operation, "$.code", "field_types_canonical")
        assert code.kind == "documentation"
        assert "documents code as string" in code.reason and "shows 0" in code.reason
        assert code.lines == (250, 251)
        for stamp in ("$.data.created_at", "$.data.updated_at"):
            (departure,) = _find("apicore", operation, stamp, "field_types_canonical")
            assert "as string; canonical: integer" in departure.reason


def test_apicore_placeholder_status_and_optional_auth() -> None:
    placeholders = _find("apicore", "image2video.get", "$.data.task_status")
    # a doc placeholder is a defect of the document: documentation departures (they waive doc-derived
    # results only) explaining both checks the placeholder fails
    assert {d.check for d in placeholders} == {"response_schema_canonical", "status_vocabulary_kling"}
    assert all(d.kind == "documentation" and "placeholder" in d.reason for d in placeholders)
    (duration,) = _find("apicore", "image2video.get", "$.data.task_result.videos[0].duration")
    assert (duration.kind, duration.check) == ("documentation", "response_schema_canonical")
    auth = load_gateway_spec("apicore").departures_for("image2video.get", check="auth_missing_key_rejected")
    assert len(auth) == 1 and "optional" in auth[0].reason
    curl = [d for d in load_gateway_spec("apicore").departures_for("image2video.get") if d.id.endswith("curl-url")]
    assert len(curl) == 1 and "action2, task_id" in curl[0].reason


def test_bynewapi_flat_task_queued_and_404() -> None:
    (shape,) = _find("bynewapi", "image2video.get", "$", "response_shape_family")
    assert "flat-task" in shape.reason and "{task_id, status, url, format, metadata, error}" in shape.reason
    (status,) = _find("bynewapi", "image2video.get", "$.status", "status_vocabulary_kling")
    assert "'queued'" in status.reason
    (unknown,) = _find("bynewapi", "image2video.get", "$", "unknown_task_error")
    assert "404" in unknown.reason and unknown.lines == (205, 205)
    missing = {d.id.rsplit(".", 1)[-1] for d in _find("bynewapi", "image2video.get", "$", "response_schema_canonical")}
    assert missing == {"code", "message", "request_id", "data"}


def test_winfull_empty_response_and_request_fields() -> None:
    (shape,) = _find("winfull", "image2video.create", "$", "response_shape_family")
    assert "empty" in shape.reason
    spec = load_gateway_spec("winfull")
    request = [d for d in spec.departures if d.kind == "request"]
    paths = {d.json_path for d in request}
    assert {"$.sound", "$.voice_list[0]"} <= paths
    assert any("voiceId" in d.reason for d in request)
    for dep in request:  # shown by both the body example and the curl sample
        assert dep.examples == ("004_6903c48bf570ee66-L15", "004_6903c48bf570ee66-L66")


@pytest.mark.parametrize("gateway_id", ["yibuapi", "n1n"])
def test_official_envelope_with_aspect_ratio_and_cut_off_image(gateway_id: str) -> None:
    spec = load_gateway_spec(gateway_id)
    assert not [d for d in spec.departures if d.kind == "response"]  # the official envelope
    operation = spec.operation("image2video.create")
    assert operation is not None
    assert operation.request_examples[0].value["model_name"] == "kling-v2-5-turbo"
    (aspect,) = _find(gateway_id, "image2video.create", "$.aspect_ratio")
    assert aspect.kind == "request" and "official" in aspect.reason
    (image,) = _find(gateway_id, "image2video.create", "$.image")
    assert image.kind == "documentation" and "cut off" in image.reason
    assert all("image" in ex.commented_out for ex in operation.request_examples)


def test_every_documented_example_validates_or_is_a_listed_departure() -> None:
    """Direction 1: each canonical-schema issue of each example is a departure naming that example."""
    for gateway_id in SEED_GATEWAYS.values():
        spec = load_gateway_spec(gateway_id)
        for example in spec.examples():
            if example.direction == "request":
                issues = validate_request(example.operation_id, example.value)
            else:
                issues = validate_response(example.operation_id, example.status or 200, example.value)
            listed = [
                dep
                for dep in spec.departures_for(example.operation_id)
                if example.name in dep.examples and dep.kind in (example.direction, "documentation")
            ]
            for issue in issues:
                assert any(dep.json_path == issue.json_path and issue.message in dep.reason for dep in listed), (
                    f"{gateway_id} {example.name}: {issue.render()} is not listed in x-departures"
                )


def test_every_example_departure_is_still_shown_by_its_examples() -> None:
    """Direction 2: no stale departure: each schema departure is reproduced by the examples it names."""
    for gateway_id in SEED_GATEWAYS.values():
        spec = load_gateway_spec(gateway_id)
        examples = {ex.name: ex for ex in spec.examples()}
        for dep in spec.departures:
            if ".schema-" not in dep.id:
                continue
            assert dep.examples, dep.id
            for name in dep.examples:
                example = examples[name]
                if example.direction == "request":
                    issues = validate_request(example.operation_id, example.value)
                else:
                    issues = validate_response(example.operation_id, example.status or 200, example.value)
                assert any(i.json_path == dep.json_path and i.message in dep.reason for i in issues), dep.id


def test_examples_without_issues_have_no_schema_departures() -> None:
    spec = load_gateway_spec("yibuapi")
    response = spec.examples("image2video.create", "response")[0]
    assert validate_response("image2video.create", 200, response.value) == []
    assert not [d for d in spec.departures if response.name in d.examples]
