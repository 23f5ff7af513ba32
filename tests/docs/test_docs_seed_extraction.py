"""Extraction of the five seed documents: every example counted, gateways, operations, provenance."""

from __future__ import annotations

from pathlib import Path

from docs_seed_table import SEED_GATEWAYS

from conformance.docs import DerivedSpecs, gateway_spec_ids, load_gateway_spec
from conformance.docs.document import read_document

#: Examples per document: (request examples, response examples).
EXPECTED_EXAMPLES = {
    "000_657526c9dea7105f.txt": (2, 1),  # body example (cut off), curl body (cut off), 200 response
    "001_15ff2ff835eba1fa.txt": (0, 1),  # the 200 response of the templated query
    "002_c430042acbbaa5ba.txt": (0, 1),  # the flat 200 response (404 has no body)
    "003_1c7f2c8af4a9427a.txt": (2, 1),  # as 000
    "004_6903c48bf570ee66.txt": (2, 1),  # body example, curl body, {} response
}


def test_every_example_of_every_document_is_extracted(derived: DerivedSpecs, seed_files: list[Path]) -> None:
    assert derived.problems == []
    assert derived.example_counts == {name: sum(pair) for name, pair in EXPECTED_EXAMPLES.items()}
    assert sum(derived.example_counts.values()) == 11
    for path in seed_files:
        document = read_document(path)
        directions = [e.direction for e in document.examples]
        assert (directions.count("request"), directions.count("response")) == EXPECTED_EXAMPLES[path.name]


def test_committed_specs_hold_every_example_per_document() -> None:
    per_file: dict[str, set[str]] = {}
    for gateway_id in gateway_spec_ids():
        for example in load_gateway_spec(gateway_id).examples():
            per_file.setdefault(example.provenance.file, set()).add(example.name)
    assert {name: len(found) for name, found in per_file.items()} == {
        name: sum(pair) for name, pair in EXPECTED_EXAMPLES.items()
    }


def test_each_document_maps_to_its_gateway(derived: DerivedSpecs) -> None:
    assert sorted(derived.texts) == sorted(SEED_GATEWAYS.values())
    for file, gateway_id in SEED_GATEWAYS.items():
        spec = load_gateway_spec(gateway_id)
        assert [source for source, _ in spec.sources] == [file]


def test_gateway_facts() -> None:
    facts = {gw: load_gateway_spec(gw) for gw in SEED_GATEWAYS.values()}
    assert {gw: spec.base_url for gw, spec in facts.items()} == {
        "yibuapi": "https://yibuapi.com",
        "apicore": None,  # the APICore document names no host (identified by its title)
        "bynewapi": "https://api.baoyouhuyu.com",
        "n1n": "https://api.n1n.ai",
        "winfull": "https://api.winfull.cloud-ip.cc",
    }
    assert {spec.path_prefix for spec in facts.values()} == {"/kling"}
    assert {spec.auth_scheme for spec in facts.values()} == {"bearer"}
    assert facts["winfull"].title == "伝富AI" and facts["yibuapi"].title == "一步API"
    assert facts["yibuapi"].sources[0][1] == "2025-11-10 15:44:47"
    assert facts["apicore"].sources[0][1] is None and facts["apicore"].version == "undated"
    assert facts["n1n"].version == "2025-12-15"


def test_operations_and_shapes() -> None:
    found = {
        gw: {
            op.operation_id: (op.method, op.path, op.documented_shape)
            for op in load_gateway_spec(gw).operations.values()
        }
        for gw in SEED_GATEWAYS.values()
    }
    create = ("POST", "/kling/v1/videos/image2video")
    assert found["yibuapi"] == {"image2video.create": (*create, "kling")}
    assert found["n1n"] == {"image2video.create": (*create, "kling")}
    assert found["winfull"] == {"image2video.create": (*create, "empty")}
    assert found["bynewapi"] == {"image2video.get": ("GET", "/kling/v1/videos/image2video/{task_id}", "flat-task")}
    assert found["apicore"] == {
        "generations.get": ("GET", "/kling/v1/images/generations/{task_id}", "kling"),
        "text2video.get": ("GET", "/kling/v1/videos/text2video/{task_id}", "kling"),
        "image2video.get": ("GET", "/kling/v1/videos/image2video/{task_id}", "kling"),
    }


def test_apicore_template_is_recorded() -> None:
    operation = load_gateway_spec("apicore").operation("text2video.get")
    assert operation is not None
    assert operation.path_template == "/kling/v1/{action}/{action2}/{task_id}"
    assert operation.template_values == {
        "action": ("images", "videos"),
        "action2": ("generations", "text2video", "image2video"),
    }


def test_apicore_documented_field_types_are_extracted() -> None:
    operation = load_gateway_spec("apicore").operation("image2video.get")
    assert operation is not None
    schema = operation.response_schemas[200]
    assert schema["properties"]["code"] == {"type": "string"}
    assert schema["required"] == ["code", "message", "request_id", "data"]
    data = schema["properties"]["data"]["properties"]
    assert data["created_at"] == {"type": "string"} and data["task_result"] == {"type": "object"}


def test_provenance_and_repairs_of_the_cut_off_examples() -> None:
    operation = load_gateway_spec("yibuapi").operation("image2video.create")
    assert operation is not None
    body, curl = operation.request_examples
    assert (body.name, body.origin, body.provenance.lines) == ("000_657526c9dea7105f-L143", "body-example", (143, 151))
    assert (curl.origin, curl.provenance.lines) == ("curl-data-raw", (179, 187))
    assert "truncated string at line 151 repaired" in body.provenance.repairs
    assert 'commented-out key "image" at line 147 ignored' in body.provenance.repairs
    assert body.commented_out["image"].startswith("https://")
    assert body.truncated and body.value["image"].endswith("…[truncated in source, 4682 chars]")
    response = operation.response_example(200)
    assert response is not None and response.provenance.lines == (196, 207) and not response.truncated


def test_winfull_documents_the_extra_image2video_fields() -> None:
    operation = load_gateway_spec("winfull").operation("image2video.create")
    assert operation is not None
    assert {"voice_list", "sound", "static_mask", "dynamic_masks"} <= set(operation.request_fields)
    body = operation.request_examples[0].value
    assert (body["model_name"], body["prompt"], body["sound"]) == ("kling-v1", "", "")
    assert body["voice_list"] == [{"voiceId": ""}]
    assert "trailing comma at line 42 removed" in operation.request_examples[0].provenance.repairs
    assert operation.request_examples[0].commented_out["camera_control"]["type"] == "simple"


def test_bynewapi_documents_a_404() -> None:
    operation = load_gateway_spec("bynewapi").operation("image2video.get")
    assert operation is not None
    assert operation.statuses == {200: "成功", 404: "记录不存在"}
    assert operation.response_example(404) is None
