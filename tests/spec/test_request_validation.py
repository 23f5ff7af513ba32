"""validate_request: catches the documented request mistakes and accepts minimal valid bodies."""

from __future__ import annotations

from typing import Any

import pytest
from spec_samples import FAMILIES, IMAGE_URL, MINIMAL_BODIES

from conformance import spec
from conformance.errors import UsageError


def _issues(op_id: str, body: Any) -> list[spec.SchemaIssue]:
    return spec.validate_request(op_id, body)


def _i2v(**extra: Any) -> dict[str, Any]:
    return {"image": IMAGE_URL, **extra}


@pytest.mark.parametrize("family", FAMILIES)
def test_minimal_body_of_every_family_is_accepted(family: str) -> None:
    assert _issues(f"{family}.create", MINIMAL_BODIES[family]) == []


@pytest.mark.parametrize("family", FAMILIES)
def test_empty_body_misses_a_required_field(family: str) -> None:
    issues = _issues(f"{family}.create", {})
    assert issues
    assert issues[0].keyword in {"required", "anyOf"}


def test_duration_as_number_is_rejected() -> None:
    issues = _issues("image2video.create", _i2v(duration=5))
    assert issues[0].json_path == "$.duration"
    assert issues[0].keyword == "type"
    assert "string" in issues[0].message


def test_duration_outside_5_and_10_is_rejected_for_default_model() -> None:
    for family in ("text2video", "image2video"):
        body = {**MINIMAL_BODIES[family], "duration": "7"}
        (issue,) = _issues(f"{family}.create", body)
        assert (issue.json_path, issue.keyword) == ("$.duration", "enum")


def test_kling_v3_accepts_durations_3_to_15() -> None:
    assert _issues("text2video.create", {"prompt": "p", "model_name": "kling-v3", "duration": "7"}) == []
    assert _issues("text2video.create", {"prompt": "p", "model_name": "kling-v3", "duration": "16"})


def test_cfg_scale_above_one_is_rejected() -> None:
    issues = _issues("image2video.create", _i2v(cfg_scale=1.5))
    assert (issues[0].json_path, issues[0].keyword) == ("$.cfg_scale", "maximum")
    assert _issues("image2video.create", _i2v(cfg_scale=0)) == []
    assert _issues("image2video.create", _i2v(cfg_scale=1)) == []


def test_mode_must_be_a_documented_string() -> None:
    assert _issues("text2video.create", {"prompt": "p", "mode": "pro"}) == []
    assert _issues("text2video.create", {"prompt": "p", "mode": "fast"})[0].keyword == "enum"


@pytest.mark.parametrize(
    ("op_id", "body", "path"),
    [
        ("image2video.create", {"image": "data:image/png;base64,iVBORw0KGgo="}, "$.image"),
        ("image2video.create", {"image": IMAGE_URL, "image_tail": "data:image/jpeg;base64,/9j/"}, "$.image_tail"),
        ("kolors-virtual-try-on.create", {"human_image": "data:image/png;base64,AAAA"}, "$.human_image"),
        ("multi-image2video.create", {"image_list": [{"image": "data:image/png;base64,AA"}]}, "$.image_list[0].image"),
    ],
)
def test_data_uri_images_are_rejected(op_id: str, body: dict[str, Any], path: str) -> None:
    issues = _issues(op_id, body)
    assert issues[0].json_path == path
    assert "data:" in issues[0].message


def test_raw_base64_image_is_accepted() -> None:
    assert _issues("image2video.create", {"image": "/9j/4AAQSkZJRgABAQAAAQABAAD"}) == []


def test_image_or_image_tail_is_required() -> None:
    assert _issues("image2video.create", {"image_tail": IMAGE_URL}) == []
    issues = _issues("image2video.create", {"prompt": "p", "image": ""})
    assert "image, image_tail" in issues[0].message


@pytest.mark.parametrize(
    "extra",
    [
        {"image_tail": IMAGE_URL, "camera_control": {"type": "forward_up"}},
        {"image_tail": IMAGE_URL, "static_mask": IMAGE_URL},
        {"image_tail": IMAGE_URL, "dynamic_masks": [{"mask": IMAGE_URL, "trajectories": [{"x": 0, "y": 0}] * 2}]},
        {"static_mask": IMAGE_URL, "camera_control": {"type": "down_back"}},
        {
            "dynamic_masks": [{"mask": IMAGE_URL, "trajectories": [{"x": 1, "y": 2}] * 2}],
            "camera_control": {"type": "down_back"},
        },
    ],
)
def test_image_tail_masks_and_camera_control_are_mutually_exclusive(extra: dict[str, Any]) -> None:
    issues = _issues("image2video.create", _i2v(**extra))
    assert issues[0].keyword == "not"
    assert "mutually exclusive" in issues[0].message


def test_empty_image_tail_does_not_count_for_the_exclusion() -> None:
    body = _i2v(
        image_tail="", static_mask="", dynamic_masks=[{"mask": IMAGE_URL, "trajectories": [{"x": 0, "y": 0}] * 2}]
    )
    assert _issues("image2video.create", body) == []


def test_masks_and_tail_together_with_image_are_fine_separately() -> None:
    assert _issues("image2video.create", _i2v(image_tail=IMAGE_URL, mode="pro")) == []
    masks = [{"mask": IMAGE_URL, "trajectories": [{"x": 10, "y": 20}, {"x": 30, "y": 40}]}]
    assert _issues("image2video.create", _i2v(static_mask=IMAGE_URL, dynamic_masks=masks)) == []


def test_dynamic_mask_limits() -> None:
    too_many = [{"mask": IMAGE_URL, "trajectories": [{"x": 0, "y": 0}] * 2}] * 7
    assert _issues("image2video.create", _i2v(dynamic_masks=too_many))[0].keyword == "maxItems"
    one_point = [{"mask": IMAGE_URL, "trajectories": [{"x": 0, "y": 0}]}]
    assert (
        _issues("image2video.create", _i2v(dynamic_masks=one_point))[0].json_path == "$.dynamic_masks[0].trajectories"
    )
    float_point = [{"mask": IMAGE_URL, "trajectories": [{"x": 0.5, "y": 0}, {"x": 1, "y": 1}]}]
    assert _issues("image2video.create", _i2v(dynamic_masks=float_point))[0].keyword == "type"


@pytest.mark.parametrize("family", ["text2video", "image2video"])
def test_camera_control_rules(family: str) -> None:
    op = f"{family}.create"
    base = MINIMAL_BODIES[family]
    ok = {"type": "simple", "config": {"horizontal": 0, "vertical": 0, "pan": -10, "tilt": 0, "roll": 0, "zoom": 0}}
    assert _issues(op, {**base, "camera_control": ok}) == []
    assert _issues(op, {**base, "camera_control": {"type": "left_turn_forward"}}) == []
    out_of_range = {"type": "simple", "config": {"zoom": 10.5}}
    assert _issues(op, {**base, "camera_control": out_of_range})[0].keyword == "maximum"
    two_axes = {"type": "simple", "config": {"pan": 1, "zoom": 2}}
    assert "exactly one" in _issues(op, {**base, "camera_control": two_axes})[0].message
    all_zero = {"type": "simple", "config": {"pan": 0, "zoom": 0}}
    assert _issues(op, {**base, "camera_control": all_zero})
    assert _issues(op, {**base, "camera_control": {"type": "simple"}})[0].keyword == "required"
    config_on_preset = {"type": "down_back", "config": {"pan": 1}}
    assert "config is not allowed" in _issues(op, {**base, "camera_control": config_on_preset})[0].message
    assert _issues(op, {**base, "camera_control": {"type": "orbit"}})[0].keyword == "enum"


def test_prompt_length_limits() -> None:
    assert _issues("text2video.create", {"prompt": "x" * 2500}) == []
    issue = _issues("text2video.create", {"prompt": "x" * 2501})[0]
    assert (issue.json_path, issue.keyword) == ("$.prompt", "maxLength")
    assert _issues("generations.create", {"prompt": "x" * 500}) == []
    assert _issues("generations.create", {"prompt": "x" * 501})[0].keyword == "maxLength"
    assert _issues("generations.create", {"prompt": "p", "negative_prompt": "x" * 201})[0].keyword == "maxLength"
    assert _issues("lip-sync.create", {"input": {**MINIMAL_BODIES["lip-sync"]["input"], "text": "x" * 121}})  # type: ignore[dict-item]


def test_generations_negative_prompt_excludes_image() -> None:
    issues = _issues("generations.create", {"prompt": "p", "image": IMAGE_URL, "negative_prompt": "blurry"})
    assert "mutually exclusive" in issues[0].message
    assert _issues("generations.create", {"prompt": "p", "n": 10})[0].keyword == "maximum"
    assert _issues("generations.create", {"prompt": "p", "aspect_ratio": "21:9", "resolution": "2k"}) == []


def test_optional_fields_are_typed() -> None:
    body = _i2v(
        callback_url="https://hooks.example.com/kling",
        external_task_id="order-1",
        watermark_info={"enabled": True},
        sound="on",
        voice_list=[{"voice_id": "v1"}, {"voice_id": "v2"}],
        aspect_ratio="1:1",
        negative_prompt="blur",
        mode="pro",
        duration="10",
    )
    assert _issues("image2video.create", body) == []
    assert _issues("image2video.create", _i2v(sound=""))[0].json_path == "$.sound"
    assert _issues("image2video.create", _i2v(voice_list=[{"voiceId": "v1"}]))
    assert _issues("image2video.create", _i2v(voice_list=[{"voice_id": "a"}] * 3))[0].keyword == "maxItems"
    assert _issues("image2video.create", _i2v(watermark_info={"enabled": "yes"}))[0].keyword == "type"


def test_unknown_fields_are_rejected() -> None:
    issue = _issues("image2video.create", _i2v(model="kling-v1"))[0]
    assert issue.keyword == "additionalProperties"


def test_multi_shot_fields_need_multi_shot() -> None:
    assert (
        "shot_type is not allowed" in _issues("text2video.create", {"prompt": "p", "shot_type": "customize"})[0].message
    )
    shots = [{"index": 1, "prompt": "a", "duration": "5"}]
    body = {
        "prompt": "p",
        "model_name": "kling-v3",
        "multi_shot": True,
        "shot_type": "customize",
        "multi_prompt": shots,
    }
    assert _issues("text2video.create", body) == []


def test_effects_scene_decides_the_input() -> None:
    dual = {"effect_scene": "hug", "input": {"images": [IMAGE_URL, IMAGE_URL], "mode": "std", "duration": "5"}}
    assert _issues("effects.create", dual) == []
    assert _issues("effects.create", {"effect_scene": "hug", "input": {"image": IMAGE_URL}})
    assert _issues("effects.create", {"effect_scene": "hug", "input": {"images": [IMAGE_URL]}})[0].keyword == "minItems"
    assert _issues("effects.create", {"effect_scene": "new_year_2027", "input": {"image": IMAGE_URL}}) == []


def test_lip_sync_modes() -> None:
    audio = {
        "input": {
            "video_url": "https://cdn.example.com/v.mp4",
            "mode": "audio2video",
            "audio_type": "url",
            "audio_url": "https://cdn.example.com/a.mp3",
        }
    }
    assert _issues("lip-sync.create", audio) == []
    no_audio = {"input": {"video_id": "v", "mode": "audio2video", "audio_type": "file"}}
    assert "audio_file" in _issues("lip-sync.create", no_audio)[0].message
    both_videos = {
        "input": {"video_id": "v", "video_url": "https://x/v.mp4", "mode": "text2video", "text": "t", "voice_id": "x"}
    }
    assert "only one of video_id, video_url" in _issues("lip-sync.create", both_videos)[0].message
    slow = {"input": {**MINIMAL_BODIES["lip-sync"]["input"], "voice_speed": 0.5}}  # type: ignore[dict-item]
    assert _issues("lip-sync.create", slow)[0].keyword == "minimum"


def test_get_operations_take_no_body() -> None:
    assert _issues("image2video.get", None) == []
    assert _issues("image2video.get", {"x": 1})[0].keyword == "requestBody"


def test_unknown_operation_is_a_usage_error_with_suggestion() -> None:
    with pytest.raises(UsageError, match=r"image2video\.create"):
        spec.validate_request("image2video.creat", {})


def test_long_base64_is_not_echoed_in_messages() -> None:
    issues = _issues("image2video.create", {"image": "data:image/png;base64," + "A" * 100_000})
    assert all(len(issue.message) <= 240 for issue in issues)
    issues = _issues("image2video.create", {"image": "A" * 100_000, "cfg_scale": "high"})
    assert all(len(issue.message) <= 240 for issue in issues)
