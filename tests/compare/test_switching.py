"""compare: every difference kind, its impact, adapter, evidence; uses-file filtering; profile fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from compare_samples import meta, obs

from conformance.compare import Kind, Uses, compare_gateways, load_uses
from conformance.compare.render import render_json, render_markdown, render_text
from conformance.errors import UsageError
from conformance.models import EvidenceKind
from conformance.profiles import load_builtin_profiles
from conformance.profiles.model import ErrorProfile, GatewayProfile, LifecycleProfile, OperationProfile
from conformance.runmodel import RunReport


def _by_kind(result, kind: Kind) -> dict[str, object]:
    return {f"{d.operation}|{d.subject}": d for d in result.differences if d.kind is kind}


def test_every_difference_kind_is_found_with_adapter(pair: RunReport) -> None:
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)])
    kinds = {d.kind for d in result.differences}
    # How a client reaches the gateway (prefix, credentials, TLS, endpoints beyond tasks) comes from profiles.
    assert kinds == set(Kind) - {Kind.BASE_PATH, Kind.AUTH_SCHEME, Kind.TLS, Kind.ENDPOINT_MISSING, Kind.CREATE_REFUSED}
    assert all(d.breaking for d in result.differences if d.kind is not Kind.RESPONSE_SHAPE)

    missing_op = _by_kind(result, Kind.OPERATION_MISSING)["image2video.list|image2video.list"]
    assert "fail on beta" in missing_op.impact
    assert (
        _by_kind(result, Kind.PARAM_REJECTED)["image2video.create|sound"].adapter
        == "do not send sound to beta (it is rejected)"
    )
    dropped = _by_kind(result, Kind.PARAM_DROPPED)["image2video.create|external_task_id"]
    assert "ignores external_task_id" in dropped.adapter
    assert "image2video.create|negative_prompt" not in _by_kind(result, Kind.PARAM_DROPPED)

    moved = _by_kind(result, Kind.FIELD_MOVED)
    assert moved["image2video.get|data.task_status"].adapter == "read data.status instead of data.task_status"
    assert moved["image2video.get|data.task_result.videos[].url"].to_value == "data.result_url"
    assert moved["image2video.get|data.created_at"].to_value == "data.submit_time"
    assert moved["image2video.get|data.task_status_msg"].to_value == "data.fail_reason"
    changed = _by_kind(result, Kind.FIELD_TYPE_CHANGED)["image2video.get|code"]
    assert (changed.from_value, changed.to_value) == ("integer", "string")
    gone = _by_kind(result, Kind.FIELD_MISSING)
    assert {
        "image2video.get|request_id",
        "image2video.get|data.task_info.external_task_id",
        "image2video.get|data.task_result.videos[].duration",
    } <= set(gone)

    status = _by_kind(result, Kind.STATUS_VOCABULARY)["image2video.get|data.task_status"]
    assert status.mapping["status_map"] == {
        "NOT_START": "submitted",
        "SUBMITTED": "submitted",
        "IN_PROGRESS": "processing",
        "SUCCESS": "succeed",
        "FAILURE": "failed",
    }
    assert "SUCCESS → succeed" in status.adapter
    assert "task_ followed by 32" in _by_kind(result, Kind.ID_FORMAT)["image2video.get|data.task_id"].adapter
    stamp = _by_kind(result, Kind.TIMESTAMP_UNIT)["|timestamp_unit"]
    assert stamp.mapping == {"timestamp_factor": 1000} and stamp.adapter.startswith("multiply")
    error = _by_kind(result, Kind.ERROR_SHAPE)["|error_shape"]
    assert error.mapping["error_fields"] == {"code": "error.code", "message": "error.message"}
    statuses = _by_kind(result, Kind.ERROR_STATUS)
    assert set(statuses) == {"|unknown_task"}  # auth is 401 on both
    assert statuses["|unknown_task"].adapter == "treat HTTP 400 as 'unknown task' (was 404)"
    assert "upstream Kling task id" in _by_kind(result, Kind.CALLBACK)["|callback"].impact
    for d in result.differences:
        assert d.evidence_from.startswith("r.json, emulator") and d.evidence_to.startswith("r.json, emulator")


def test_identical_gateways_have_no_difference(pair: RunReport) -> None:
    result = compare_gateways("alpha", "alpha", reports=[("r.json", pair)])
    assert result.differences == [] and not result.breaking


def test_uses_file_limits_breaking_to_what_the_client_reads(pair: RunReport, tmp_path: Path) -> None:
    uses_file = tmp_path / "uses.yaml"
    uses_file.write_text(
        "operations: [image2video.create, image2video.get]\n"
        "reads:\n  - $.data.task_id\n  - data.task_result.videos[0].url\n"
        "params: [negative_prompt]\n"
        "opaque_ids: true\n",
        encoding="utf-8",
    )
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)], uses=load_uses(uses_file))
    breaking = {(d.kind, d.subject) for d in result.breaking}
    assert breaking == {(Kind.FIELD_MOVED, "data.task_result.videos[].url")}
    assert len(result.differences) > 10  # still listed, as information
    assert set(result.to_dict()["adapter"]) == {"image2video.get"}


def test_uses_file_statuses_errors_callbacks(pair: RunReport, tmp_path: Path) -> None:
    uses_file = tmp_path / "uses.yaml"
    uses_file.write_text(
        "operations: [image2video.get]\nstatuses: [submitted, processing, succeed, failed]\n"
        "errors: [auth, unknown_task]\ncallbacks: true\nreads: [data.created_at]\n",
        encoding="utf-8",
    )
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)], uses=load_uses(uses_file))
    kinds = {d.kind for d in result.breaking}
    assert kinds == {
        Kind.STATUS_VOCABULARY,
        Kind.ERROR_SHAPE,
        Kind.ERROR_STATUS,
        Kind.CALLBACK,
        Kind.TIMESTAMP_UNIT,
        Kind.FIELD_MOVED,
    }
    assert not any(d.kind is Kind.OPERATION_MISSING and d.breaking for d in result.differences)


def test_uses_without_any_touch_is_not_breaking(pair: RunReport, tmp_path: Path) -> None:
    uses_file = tmp_path / "uses.yaml"
    uses_file.write_text("operations: [image2video.create]\nparams: [negative_prompt]\n", encoding="utf-8")
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)], uses=load_uses(uses_file))
    assert result.breaking == [] and result.differences


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("reads: [data.task_id]\n", "operations"),
        ("operations: [image2video.fetch]\n", "operations"),
        ("operations: [image2video.get]\nerrors: [timeout]\n", "errors"),
        ("operations: [image2video.get]\nread: [x]\n", "read"),
        ("operations: [image2video.get]\ncallbacks: maybe\n", "callbacks"),
        ("operations: [image2video.get]\nversion: 2\n", "version"),
    ],
)
def test_bad_uses_files_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "uses.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_uses(path)
    assert caught.value.where == str(path) and caught.value.field == field and caught.value.fix


def _profile(
    gid: str,
    *,
    shape: str,
    words: tuple[str, ...],
    id_format: str,
    unit: str,
    error_shape: str,
    unknown_status: int,
    callback: str,
    drops: tuple[str, ...] = (),
) -> GatewayProfile:
    ops = {
        "text2video.create": OperationProfile(
            operation_id="text2video.create",
            method="POST",
            path="/v1/videos/text2video",
            response_shape=shape,
            status_vocabulary=words,
            id_format=id_format,
        ),
        "text2video.get": OperationProfile(
            operation_id="text2video.get",
            method="GET",
            path="/v1/videos/text2video/{task_id}",
            response_shape=shape,
            status_vocabulary=words,
            id_format=id_format,
        ),
    }
    return GatewayProfile(
        id=gid,
        title=gid,
        family="custom",
        evidence_kind=EvidenceKind.DOC_DERIVED,
        evidence_source=f"seeds/{gid}.txt",
        base_url="https://example.invalid",
        operations=ops,
        errors=ErrorProfile(shape=error_shape, unknown_task_status=unknown_status),
        lifecycle=LifecycleProfile(timestamp_unit=unit, callback=callback),
        drops_fields=drops,
    )


def test_profiles_fill_aspects_no_report_covers_and_say_so() -> None:
    official = _profile(
        "gamma",
        shape="kling",
        words=("submitted", "processing", "succeed", "failed"),
        id_format="kling-numeric",
        unit="ms",
        error_shape="kling-error",
        unknown_status=404,
        callback="official",
    )
    relay = _profile(
        "delta",
        shape="openai-video",
        words=("queued", "in_progress", "completed", "failed"),
        id_format="newapi-task",
        unit="s",
        error_shape="newapi-error",
        unknown_status=400,
        callback="none",
        drops=("sound",),
    )
    report = RunReport(meta=meta(gateways=["gamma"]), observations=[obs("gamma", "", "timestamp_unit", "ms")])
    result = compare_gateways(
        "gamma", "delta", reports=[("r.json", report)], profiles={"gamma": official, "delta": relay}
    )
    kinds = {d.kind for d in result.differences}
    assert {
        Kind.PARAM_DROPPED,
        Kind.FIELD_MOVED,
        Kind.STATUS_VOCABULARY,
        Kind.ID_FORMAT,
        Kind.TIMESTAMP_UNIT,
        Kind.ERROR_SHAPE,
        Kind.ERROR_STATUS,
        Kind.CALLBACK,
    } <= kinds
    stamp = next(d for d in result.differences if d.kind is Kind.TIMESTAMP_UNIT)
    assert stamp.evidence_from.startswith("r.json, emulator")  # observed
    assert stamp.evidence_to == "profile delta (doc-derived: seeds/delta.txt)"  # documented fallback
    moved = {d.from_value: d.to_value for d in result.differences if d.kind is Kind.FIELD_MOVED}
    assert moved["data.task_status"] == "status" and moved["data.task_id"] == "id"
    words = next(d for d in result.differences if d.kind is Kind.STATUS_VOCABULARY)
    assert words.mapping["status_map"] == {"queued": "submitted", "in_progress": "processing", "completed": "succeed"}
    assert "poll" in next(d for d in result.differences if d.kind is Kind.CALLBACK).adapter


def test_unknown_gateway_is_a_usage_error(pair: RunReport) -> None:
    with pytest.raises(UsageError, match="Did you mean 'beta'") as caught:
        compare_gateways("alpha", "betta", reports=[("r.json", pair)])
    assert caught.value.where == "--to"


def test_gaps_are_listed_when_b_has_no_evidence(pair: RunReport) -> None:
    pair.observations = [o for o in pair.observations if not (o.gateway == "beta" and o.key == "id_format")]
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)])
    assert "image2video.get id_format: no evidence for beta" in result.gaps


def test_renderings(pair: RunReport) -> None:
    result = compare_gateways("alpha", "beta", reports=[("r.json", pair)], uses=Uses.all())
    text = render_text(result)
    assert text.splitlines()[0] == "Switching from alpha to beta"
    assert "BREAKING: " in text and "Adapter (what a client of alpha must change to use beta):" in text
    assert "read data.status instead of data.task_status" in text
    md = render_markdown(result)
    assert md.startswith("# Switching from `alpha` to `beta`") and "## Adapter" in md and "```json" in md
    import json

    data = json.loads(render_json(result))
    assert data["breaking"] is True and data["summary"]["breaking"] == len(result.breaking)
    assert data["adapter"]["image2video.get"]["fields"]["data.task_status"] == "data.status"
    assert data["adapter"]["gateway"]["timestamp_factor"] == 1000
    profile_kinds = {Kind.BASE_PATH, Kind.AUTH_SCHEME, Kind.TLS, Kind.ENDPOINT_MISSING, Kind.CREATE_REFUSED}
    assert {d["kind"] for d in data["differences"]} == {k.value for k in set(Kind) - profile_kinds}


def test_adapter_status_map_covers_words_the_run_never_saw() -> None:
    """A run that saw no failure still maps the profile's FAILURE word (clients must not miss it)."""
    from conformance.profiles import load_builtin_profiles

    profiles = load_builtin_profiles()
    report = RunReport(
        meta=meta(gateways=["yibuapi", "newapi"]),
        observations=[
            obs("yibuapi", "image2video.get", "status_words", ["submitted", "processing", "succeed"]),
            obs("newapi", "image2video.get", "status_words", ["NOT_START", "SUCCESS"]),
        ],
    )
    result = compare_gateways("yibuapi", "newapi", reports=[("r.json", report)], profiles=profiles)
    vocab = [d for d in result.differences if d.kind is Kind.STATUS_VOCABULARY and d.operation == "image2video.get"]
    assert vocab, [d.kind for d in result.differences]
    mapping = vocab[0].mapping["status_map"]
    assert mapping["FAILURE"] == "failed"
    assert mapping["SUCCESS"] == "succeed"
    assert mapping["IN_PROGRESS"] == "processing"


def test_a_gateway_whose_profile_refuses_the_minimal_body_breaks_every_creating_client() -> None:
    """one-hub@387f8bf1 answers every Kling submit 503 provider_not_found (engine recording): a departure
    waiving ``minimal_request_accepted`` says so, and compare turns it into a breaking create-refused."""
    profiles = load_builtin_profiles()
    result = compare_gateways("yibuapi", "onehub", profiles=profiles)
    refused = _by_kind(result, Kind.CREATE_REFUSED)
    assert set(refused) == {"text2video.create|text2video.create", "image2video.create|image2video.create"}
    diff = refused["text2video.create|text2video.create"]
    assert diff.breaking and "503" in diff.impact and "provider_not_found" in diff.impact
    assert "profile onehub" in diff.evidence_to
    assert "keep yibuapi" in diff.adapter
    same_engine = compare_gateways("newapi", "bynewapi", profiles=profiles)
    assert Kind.CREATE_REFUSED not in {d.kind for d in same_engine.differences}
