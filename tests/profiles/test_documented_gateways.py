"""The built-ins from public documentation: each documented body reads exactly with its profile, and
each create request is written in the gateway's own dialect."""

from __future__ import annotations

import json

import pytest

from conformance.harness.scenarios import minimal_body, param_body
from conformance.normalize import normalize
from conformance.profiles import load_profile
from conformance.profiles.writing import map_request

# (gateway, operation, task id, canonical status, raw status, first video URL)
READINGS = [
    ("fal", "image2video.create", "727028ec-doc-example", "submitted", "IN_QUEUE", None),
    ("fal", "image2video.get", None, None, None, "https://v3.fal.media/files/rabbit/output.mp4"),
    ("replicate", "image2video.create", "gm3qorzdhgbfurvjtvhg6dckhu", "submitted", "starting", None),
    (
        "replicate",
        "image2video.get",
        "gm3qorzdhgbfurvjtvhg6dckhu",
        "succeed",
        "succeeded",
        "https://replicate.delivery/xezq/output.mp4",
    ),
    ("piapi", "text2video.create", "9d5a2c4e-doc-example", "submitted", "pending", None),
    ("piapi", "text2video.get", None, "succeed", "completed", "https://img.theapi.app/ephemeral/doc-example.mp4"),
    ("wavespeed", "image2video.create", "pred_abc123", "submitted", "created", None),
    (
        "wavespeed",
        "image2video.get",
        "pred_abc123",
        "succeed",
        "completed",
        "https://cdn.wavespeed.ai/generated/image123.png",
    ),
    ("kie", "text2video.create", "task_kling-2.6_1765182425861", None, None, None),
    ("kie", "text2video.get", "task_12345678", "succeed", "success", "https://example.com/generated-content.jpg"),
    ("aimlapi", "text2video.create", "60ac7c34-doc-example", "submitted", "queued", None),
    ("aiai", "text2video.create", "abcd1234efgh", "submitted", "queued", None),
    ("aiai", "text2video.get", "abcd1234efgh", "succeed", "completed", "https://example.com/video.mp4"),
]


@pytest.mark.parametrize(("gateway", "operation", "task_id", "status", "raw", "video"), READINGS)
def test_documented_body_reads_exactly(
    gateway: str, operation: str, task_id: str | None, status: str | None, raw: str | None, video: str | None
) -> None:
    profile = load_profile(gateway)
    (example,) = [e for e in profile.examples if e.operation_id == operation]
    norm = normalize(json.dumps(example.response).encode(), example.status, profile=profile, operation=operation)
    assert not norm.is_error, norm.notes
    assert norm.task_id == task_id
    assert (norm.status.value if norm.status else None) == status
    assert norm.raw_status == raw
    assert (norm.video_urls[0] if norm.video_urls else None) == video


def test_a_code_200_error_free_body_is_never_an_error_and_a_failure_is_failed() -> None:
    piapi = load_profile("piapi")
    failed = {"code": 200, "data": {"task_id": "t", "status": "completed", "error": {"message": "content rejected"}}}
    norm = normalize(json.dumps(failed).encode(), 200, profile=piapi, operation="text2video.get")
    assert norm.status is not None and norm.status.value == "failed" and norm.failure_reason == "content rejected"
    wavespeed = load_profile("wavespeed")
    body = {"code": 200, "message": "success", "data": {"id": "p", "status": "failed", "error": "NSFW"}}
    norm = normalize(json.dumps(body).encode(), 200, profile=wavespeed, operation="image2video.get")
    assert not norm.is_error and norm.status is not None and norm.status.value == "failed"
    assert norm.failure_reason == "NSFW"


WRITTEN = [
    (
        "piapi",
        "text2video",
        None,
        {
            "model": "kling",
            "task_type": "video_generation",
            "input": {"version": "1.0", "prompt": "a paper boat drifting on a calm lake"},
        },
    ),
    (
        "fal",
        "image2video",
        None,
        {
            "image_url": "https://example.com/kling-conformance/first-frame.png",
            "prompt": "a paper boat drifting on a calm lake",
        },
    ),
    (
        "kie",
        "image2video",
        "sound",
        {
            "model": "kling-2.6/image-to-video",
            "input": {
                "prompt": "a paper boat drifting on a calm lake",
                "sound": True,
                "image_urls": ["https://example.com/kling-conformance/first-frame.png"],
            },
        },
    ),
    (
        "aimlapi",
        "text2video",
        None,
        {"model": "kling-video/v1.6/standard/text-to-video", "prompt": "a paper boat drifting on a calm lake"},
    ),
    (
        "replicate",
        "image2video",
        "image_tail",
        {
            "input": {
                "start_image": "https://example.com/kling-conformance/first-frame.png",
                "prompt": "a paper boat drifting on a calm lake",
                "mode": "pro",
                "duration": 5,
                "end_image": "https://example.com/kling-conformance/last-frame.png",
            }
        },
    ),
]


@pytest.mark.parametrize(("gateway", "family", "param", "expected"), WRITTEN)
def test_requests_are_written_in_the_gateways_dialect(
    gateway: str, family: str, param: str | None, expected: dict[str, object]
) -> None:
    create = load_profile(gateway).operation(f"{family}.create")
    assert create is not None and create.request is not None
    body = param_body(family, param) if param else minimal_body(family)
    assert map_request(create.request, body) == expected


def test_every_documented_gateway_cites_public_pages() -> None:
    for gateway in ("aiai", "aimlapi", "fal", "kie", "piapi", "replicate", "segmind", "wavespeed"):
        profile = load_profile(gateway)
        assert profile.evidence_kind.value == "doc-derived" and profile.evidence_source.startswith("https://")
        for op in profile.operations.values():
            if op.supported:
                assert op.evidence.startswith("https://"), (gateway, op.operation_id)
        assert all(e.source.startswith("https://") for e in profile.examples)
    n1n_fal = load_profile("n1n-fal")
    assert n1n_fal.operation("text2video.create") is not None
    assert n1n_fal.operation("text2video.create").path == "/fal-ai/kling-video/v2.5-turbo/pro/text-to-video"  # type: ignore[union-attr]
    assert n1n_fal.operation("image2video.create").evidence.startswith("seeds/003_1c7f2c8af4a9427a.txt:35")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("gateway", "header", "value", "page"),
    [
        ("piapi", "X-API-Key", "k-123", "https://piapi.ai/docs/kling-api/create-task"),
        ("segmind", "x-api-key", "k-123", "https://www.segmind.com/models/kling-text2video/api"),
        ("fal", "Authorization", "Key k-123", "https://docs.fal.ai/documentation/model-apis/inference/queue"),
        ("n1n-fal", "Authorization", "Bearer k-123", ""),  # n1n's own key on n1n's host, not fal's scheme
    ],
)
def test_auth_is_written_as_each_gateway_documents_it(gateway: str, header: str, value: str, page: str) -> None:
    from starlette.datastructures import Headers

    from conformance.profiles.auth import Credentials, read_token, request_auth

    spec = load_profile(gateway).auth
    parts = request_auth(spec, Credentials(key="k-123"))
    assert parts.headers == ((header, value),) and parts.query == ()
    assert read_token(spec, Headers({header.lower(): value}), {}) == "k-123"  # the emulator reads it back the same way
    assert page in spec.evidence
