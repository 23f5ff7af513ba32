"""``load_gateway_spec``: the stable API other layers read the derived gateway specs through."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_seed_table import SEED_GATEWAYS

from conformance.docs import gateway_spec_ids, load_gateway_spec, load_gateway_spec_file
from conformance.docs.catalog import FAMILY_PATHS
from conformance.docs.shapes import classify_shape
from conformance.errors import SpecError
from conformance.models import EvidenceKind
from conformance.spec import check_spec_file


def test_ids_and_operations() -> None:
    assert gateway_spec_ids() == sorted(SEED_GATEWAYS.values())
    spec = load_gateway_spec("apicore")
    assert spec.operation_ids == ["generations.get", "image2video.get", "text2video.get"]
    assert spec.operation("image2video.create") is None
    operation = spec.operation("generations.get")
    assert operation is not None and (operation.family, operation.kind) == ("generations", "get")
    assert [ex.direction for ex in operation.examples] == ["response"]


def test_examples_filter_and_evidence() -> None:
    spec = load_gateway_spec("winfull")
    assert len(spec.examples()) == 3
    assert len(spec.examples("image2video.create", "request")) == 2
    assert spec.examples("image2video.get") == []
    response = spec.examples(direction="response")[0]
    assert (response.status, response.shape, response.value) == (200, "empty", {})
    evidence = response.provenance.evidence("2025-12-18")
    assert evidence.kind is EvidenceKind.DOC_DERIVED
    assert evidence.source == "004_6903c48bf570ee66.txt:116"
    gateway_evidence = spec.evidence()
    assert (gateway_evidence.source, gateway_evidence.recorded_at) == ("004_6903c48bf570ee66.txt", "2025-12-18")


def test_departure_filters_and_waived_checks() -> None:
    spec = load_gateway_spec("bynewapi")
    assert spec.waived_checks("image2video.get") == {
        "response_shape_family",
        "response_schema_canonical",
        "status_vocabulary_kling",
        "unknown_task_error",
    }
    assert len(spec.departures_for(check="unknown_task_error")) == 1
    assert spec.departures_for(operation_id="image2video.create") == []
    assert spec.departures[0].source() == "002_c430042acbbaa5ba.txt:205"


def test_unknown_gateway_is_a_spec_error_with_a_suggestion() -> None:
    with pytest.raises(SpecError) as caught:
        load_gateway_spec("yibuap")
    assert "Did you mean 'yibuapi'?" in caught.value.render()
    assert "not documented" in str(caught.value)


def test_a_file_that_is_not_a_gateway_spec_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("openapi: 3.1.0\n", encoding="utf-8")
    with pytest.raises(SpecError):
        load_gateway_spec_file(path)
    path.write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError):
        load_gateway_spec_file(path)


def test_spec_check_accepts_every_gateway_spec(committed_dir: Path) -> None:
    for path in sorted(committed_dir.glob("*.yaml")):
        report = check_spec_file(path)
        assert report.ok, [problem.render() for problem in report.problems]
        assert report.gateway == path.stem


def test_family_table_matches_the_profiles_and_the_canonical_spec() -> None:
    from conformance.profiles.model import FAMILIES
    from conformance.spec import operation

    assert FAMILY_PATHS == FAMILIES
    for family, path in FAMILY_PATHS.items():
        assert operation(f"{family}.create").path == path
        assert operation(f"{family}.get").path == path + "/{task_id}"


def test_local_shape_classifier_agrees_with_the_normalizer() -> None:
    from conformance.normalize import normalize

    bodies = [ex.value for gw in SEED_GATEWAYS.values() for ex in load_gateway_spec(gw).examples(direction="response")]
    bodies += [
        {"code": 1203, "message": "task not found", "request_id": "r"},
        {"code": "success", "message": "", "data": {"task_id": "t", "status": "SUCCESS"}},
        {"code": "task_not_exist", "message": "task_not_exist", "data": None},
        {"id": "task_x", "object": "video", "status": "queued", "progress": 0},
        {"error": {"message": "bad key", "type": "new_api_error"}},
    ]
    for body in bodies:
        assert classify_shape(body) == normalize(body).shape.value, body


def test_sendable_value_replaces_a_cut_off_image_with_the_commented_out_url() -> None:
    operation = load_gateway_spec("n1n").operation("image2video.create")
    assert operation is not None
    example = operation.request_examples[0]
    body = example.sendable_value()
    assert body is not None and body["image"].startswith("https://") and body["aspect_ratio"] == "1:1"
    assert example.value["image"].endswith("chars]")  # the stored example itself is unchanged
    winfull = load_gateway_spec("winfull").examples("image2video.create", "request")[0]
    assert winfull.sendable_value() == winfull.value  # nothing was cut off
