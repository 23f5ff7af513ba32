"""The family table (``x-kling-families``) and the extended families' operations (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from spec_samples import FAMILIES, IMAGE_URL

from conformance import spec
from conformance.profiles.model import FAMILIES as PROFILE_FAMILIES

#: Every family issue 17 names, each with how it is called.
ISSUE_FAMILIES = {
    "omni-video": "task",
    "motion-control": "task",
    "avatar": "task",
    "multi-elements": "flow",
    "identify-face": "sync",
    "advanced-lip-sync": "task",
    "effect-templates": "unknown",
    "image-recognize": "sync",
    "ai-multi-shot": "task",
    "multi-image2image": "task",
    "expand": "task",
    "omni-image": "task",
    "tts": "sync",
    "text-to-audio": "task",
    "video-to-audio": "task",
    "custom-voices": "task",
    "advanced-custom-elements": "task",
    "account": "sync",
}
VIDEO = "https://cdn.example.com/input/clip.mp4"


def _valid(op_id: str, body: Any) -> bool:
    return spec.validate_request(op_id, body) == []


def test_core_families_are_the_catalogs_eight() -> None:
    assert spec.core_families() == FAMILIES
    assert set(spec.core_families()) == set(PROFILE_FAMILIES)
    for name in FAMILIES:
        info = spec.family(name)
        assert info.kind == "task" and info.path == PROFILE_FAMILIES[name]
        assert info.operations == tuple(f"{name}.{kind}" for kind in ("create", "get", "list"))


def test_every_family_of_the_issue_is_in_the_table_with_its_kind() -> None:
    assert {name: spec.family(name).kind for name in spec.extended_families()} == ISSUE_FAMILIES
    assert spec.family("avatar").path == "/v1/videos/avatar/image2video"
    assert spec.family("expand").path == "/v1/images/editing/expand"
    assert spec.family("ai-multi-shot").path == "/v1/general/ai-multi-shot"
    assert spec.family("omni-video").models == ("kling-video-o1", "kling-v3-omni")
    for name in spec.extended_families():
        info = spec.family(name)
        assert info.sources and info.confidence in ("OFF", "GEN", "GW", "UNC"), name
        assert info.result in ("video", "image", "audio", "data", "unknown"), name


def test_results_follow_what_the_family_returns() -> None:
    results = {name: spec.family(name).result for name in spec.extended_families()}
    assert {n for n, r in results.items() if r == "audio"} == {"tts", "text-to-audio", "video-to-audio"}
    assert {n for n, r in results.items() if r == "image"} == {"multi-image2image", "expand", "omni-image"}
    assert results["omni-video"] == results["multi-elements"] == results["avatar"] == "video"


def test_task_families_have_create_get_list_with_a_link_and_sync_ones_one_call() -> None:
    for name in spec.extended_families():
        info = spec.family(name)
        if info.is_task:
            create = spec.operation(f"{name}.create")
            assert create.method == "POST" and create.path == info.path, name
            assert {link["operationId"] for link in create.links.values()} == {f"{name}.get"}, name
            assert spec.operation(f"{name}.get").path == f"{info.path}/{{task_id}}", name
            assert spec.operation(f"{name}.list").path == info.path, name
        elif info.kind == "sync":
            for op_id in info.operations:
                call = spec.operation(op_id)
                assert not call.links and call.kind == "call", op_id
                document = spec.load_canonical()["paths"][call.path][call.method.lower()]
                assert "callbacks" not in document, op_id
    flow = spec.family("multi-elements")
    assert flow.steps[0] == "multi-elements.init-selection" and flow.opens_session
    assert all(spec.operation(step).links == {} for step in flow.steps)


def test_what_was_not_read_is_said_and_not_modelled() -> None:
    templates = spec.family("effect-templates")
    assert templates.kind == "unknown" and templates.operations == () and templates.unread
    assert not templates.modelled and "effect-templates" not in spec.modelled_extended_families()
    assert spec.family("tts").confidence == "UNC" and spec.family("tts").unread
    assert spec.family("ai-multi-shot").unread


def test_every_extended_operation_carries_source_and_confidence_and_valid_examples() -> None:
    document = spec.load_canonical()
    known_sources = set(document["x-kling-sources"]) | {"S1", "S3", "S5", "S6", "S13"}
    checked = 0
    for op_id in spec.extended_operation_ids():
        op = spec.operation(op_id)
        raw = document["paths"][op.path][op.method.lower()]
        assert set(raw["x-kling-source"]) <= known_sources, op_id
        assert raw["x-kling-confidence"] in ("OFF", "GEN", "GW", "UNC"), op_id
        if op.request_schema is not None:
            assert op.example_request is not None and _valid(op_id, op.example_request), op_id
        for status, examples in op.response_examples.items():
            for body in examples.values():
                assert spec.validate_response(op_id, int(status), body) == [], (op_id, status)
                checked += 1
    assert checked >= 51


def test_account_costs_is_reconciled_with_the_table() -> None:
    account = spec.family("account")
    assert account.endpoints == ("account.costs",) and account.kind == "sync"
    entry = spec.load_canonical()["x-kling-endpoints"]["account.costs"]
    assert (entry["method"], entry["path"]) == ("GET", account.path)


@pytest.mark.parametrize(
    ("op_id", "body"),
    [
        ("avatar.create", {"image": IMAGE_URL, "audio_id": "a", "sound_file": VIDEO}),
        ("avatar.create", {"image": IMAGE_URL}),
        ("video-to-audio.create", {"video_id": "1", "video_url": VIDEO}),
        ("video-to-audio.create", {"sound_effect_prompt": "rain"}),
        ("identify-face.call", {}),
        ("custom-voices.create", {"voice_name": "v", "voice_url": VIDEO, "video_id": "1"}),
        (
            "advanced-custom-elements.create",
            {"element_name": "e", "element_description": "d", "reference_type": "image_refer"},
        ),
        ("expand.create", {"image": IMAGE_URL, "up_expansion_ratio": 0.1, "right_expansion_ratio": 0.5}),
        (
            "expand.create",
            {
                "image": IMAGE_URL,
                "up_expansion_ratio": 2.5,
                "down_expansion_ratio": 0,
                "left_expansion_ratio": 0,
                "right_expansion_ratio": 0,
            },
        ),
        (
            "omni-video.create",
            {
                "model_name": "kling-video-o1",
                "video_list": [{"video_url": VIDEO}],
                "image_list": [{"image_url": IMAGE_URL}] * 5,
            },
        ),
        ("omni-video.create", {"model_name": "kling-v3", "prompt": "x"}),
        ("multi-elements.create", {"session_id": "s", "edit_mode": "swap", "prompt": "swap it"}),
        ("multi-elements.add-selection", {"session_id": "s", "frame_index": 0, "points": [{"x": 1.5, "y": 0}]}),
        ("tts.call", {"text": "x" * 1001, "voice_id": "v"}),
        ("text-to-audio.create", {"prompt": "rain", "duration": 12}),
        ("multi-image2image.create", {"subject_image_list": [{"subject_image": IMAGE_URL}] * 5}),
        ("image2video.create", {"image": IMAGE_URL, "model_name": "kling-v3", "shot_type": "customize"}),
        ("image2video.create", {"image": IMAGE_URL, "model_name": "kling-v3", "multi_shot": True}),
        (
            "image2video.create",
            {"image": IMAGE_URL, "model_name": "kling-v3", "multi_shot": True, "shot_type": "customize"},
        ),
    ],
)
def test_ranges_and_mutual_exclusions_refuse_bad_bodies(op_id: str, body: dict[str, Any]) -> None:
    assert not _valid(op_id, body)


def test_image2video_accepts_the_v3_multi_shot_and_elements() -> None:
    body = {
        "model_name": "kling-v3",
        "image": IMAGE_URL,
        "duration": "10",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": [{"index": 1, "prompt": "a", "duration": "4"}, {"index": 2, "prompt": "b", "duration": "6"}],
        "element_list": [{"element_id": 307212335131305}],
    }
    assert _valid("image2video.create", body)
    assert not _valid("image2video.create", {**body, "multi_prompt": []})
    intelligent = {k: v for k, v in body.items() if k != "multi_prompt"} | {"shot_type": "intelligence"}
    assert _valid("image2video.create", intelligent)


def _check_copy(path: Path, document: dict[str, Any]) -> list[str]:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return [p.message for p in spec.check_spec_file(path).problems]


def test_spec_check_holds_the_table_and_the_paths_together(spec_copy: Path) -> None:
    document = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    assert spec.check_spec_file(spec_copy).ok
    report = spec.check_spec_file(spec_copy)
    assert len(report.operations) == 24 and len(report.extended_operations) == len(spec.extended_operation_ids())
    broken = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    broken["x-kling-families"]["avatar"]["operations"].remove("avatar.list")
    broken["x-kling-families"]["tts"]["kind"] = "stream"
    problems = _check_copy(spec_copy, broken)
    assert any("avatar.list" in p and "needs" in p for p in problems), problems
    assert any("avatar.list is in paths but no family" in p for p in problems), problems
    assert any("family tts: kind must be one of" in p for p in problems), problems
    document["paths"]["/v1/videos/avatar/image2video"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]["minimal"]["value"] = {"image": IMAGE_URL}
    problems = _check_copy(spec_copy, document)
    assert any("avatar.create: request example" in p for p in problems), problems
