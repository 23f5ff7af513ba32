"""Every built-in profile loads, validates against the published schema and says what the reference says."""

from __future__ import annotations

import tomllib

import jsonschema
import pytest

from conformance import paths
from conformance.models import EvidenceKind
from conformance.normalize.result import Shape
from conformance.profiles import (
    ID_FORMATS,
    OPERATION_IDS,
    builtin_profile_ids,
    load_builtin_profiles,
    load_profile,
    profile_schema,
    profile_to_dict,
)
from conformance.profiles.loader import BUILTIN_ORDER
from conformance.profiles.validate import schema_enum

AGREED_IDS = ["kling-official", "yibuapi", "apicore", "bynewapi", "n1n", "winfull", "newapi", "onehub"]
#: Built-ins from public documentation (issue 13): no seed, no emulation; listed after the agreed eight.
DOCUMENTED_IDS = [
    "aiai",
    "aimlapi",
    "fal",
    "kie",
    "kling-official-v3",
    "n1n-fal",
    "piapi",
    "replicate",
    "segmind",
    "wavespeed",
]
#: Profiles whose behaviour was recorded through the engine itself, and the engines' repositories.
ENGINE_CHECKED = ("newapi", "onehub")
ENGINE_REPOS = ("jince-boy/new-api@", "MartialBE/one-hub@", "deanxv/done-hub@")
NEWAPI_WORDS = ("NOT_START", "SUBMITTED", "QUEUED", "IN_PROGRESS", "SUCCESS", "FAILURE", "UNKNOWN")


def test_builtin_ids_are_the_agreed_ones() -> None:
    assert builtin_profile_ids() == AGREED_IDS + DOCUMENTED_IDS
    assert list(BUILTIN_ORDER) == AGREED_IDS


@pytest.mark.parametrize("gateway_id", AGREED_IDS)
def test_builtin_file_validates_against_published_schema(gateway_id: str) -> None:
    data = tomllib.loads((paths.builtin_profiles_dir() / f"{gateway_id}.toml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(profile_schema()).validate(data)
    assert data["id"] == gateway_id


@pytest.mark.parametrize("gateway_id", AGREED_IDS)
def test_builtin_loads_with_reasoned_departures(gateway_id: str) -> None:
    profile = load_profile(gateway_id)
    assert profile.id == gateway_id
    assert profile.title and profile.family in {"kling", "newapi", "onehub"}
    if gateway_id in ENGINE_CHECKED:  # confirmed by running the engine (cassettes/engines/)
        assert profile.evidence_kind is EvidenceKind.ENGINE
        assert profile.evidence_source.startswith(ENGINE_REPOS)
    else:
        assert profile.evidence_kind is EvidenceKind.DOC_DERIVED
        assert profile.evidence_source.startswith(("seeds/", "reference/"))
    assert profile.source_file.endswith(f"{gateway_id}.toml")
    assert profile.auth.env.endswith("_API_KEY") and profile.auth.prefix == "Bearer"
    assert profile.auth.evidence.startswith(("seeds/", "reference/")), profile.auth.evidence
    for departure in profile.departures:
        assert departure.reason and departure.evidence, departure.id
        prefixes = ("seeds/", "reference/", "QuantumNous/", *ENGINE_REPOS)
        assert departure.evidence.startswith(prefixes), departure.evidence
    for op_id, operation in profile.operations.items():
        assert op_id in OPERATION_IDS
        assert operation.path.startswith(profile.path_prefix + "/")
        assert operation.id_format in ID_FORMATS
    # JSON-ready and key-free
    document = profile_to_dict(profile)
    assert document["auth"]["env"] == profile.auth.env
    assert document["supported_operations"] == profile.supported_operations()


def test_schema_enums_match_the_shared_vocabularies() -> None:
    assert schema_enum("shape") == [s.value for s in Shape]
    assert schema_enum("operation", "id_format") == list(ID_FORMATS)
    assert schema_enum("evidence", "kind") == [k.value for k in EvidenceKind]
    assert schema_enum("departure", "operation") == ["", *OPERATION_IDS]


def test_departure_check_ids_match_the_check_catalog() -> None:
    from conformance.checks import load_builtin_checks

    registered = set(load_builtin_checks().names())
    in_schema = {c for c in schema_enum("departure", "check") if c}
    assert in_schema == registered


def test_builtins_are_parsed_once() -> None:
    first = load_builtin_profiles()
    second = load_builtin_profiles()
    assert all(first[g] is second[g] for g in first)
    assert load_profile("newapi") is first["newapi"]


def test_kling_official_is_the_whole_official_api() -> None:
    profile = load_profile("kling-official")
    assert profile.base_url == "https://api-singapore.klingai.com"
    assert profile.path_prefix == ""
    assert profile.supported_operations() == list(OPERATION_IDS)
    assert all(op.documented and op.response_shape == "kling" for op in profile.operations.values())
    create = profile.operation("image2video.create")
    get = profile.operation("image2video.get")
    listing = profile.operation("image2video.list")
    assert create is not None and (create.method, create.path) == ("POST", "/v1/videos/image2video")
    assert get is not None and (get.method, get.path) == ("GET", "/v1/videos/image2video/{task_id}")
    assert listing is not None and (listing.method, listing.path) == ("GET", "/v1/videos/image2video")
    assert get.status_vocabulary == ("submitted", "processing", "succeed", "failed")
    assert get.id_format == "kling-numeric"
    errors = profile.errors
    assert (errors.auth_status, errors.auth_code, errors.auth_invalid_code) == (401, "1001", "1002")
    assert (errors.invalid_param_status, errors.invalid_param_code) == (400, "1201")
    assert (errors.unknown_task_status, errors.unknown_task_code, errors.unknown_task_shape) == (
        404,
        "1203",
        "kling-error",
    )
    assert (errors.rate_limit_status, errors.rate_limit_code) == (429, "1302")
    assert profile.list_query and profile.external_id_query and not profile.accepts_data_uri
    assert profile.lifecycle.timestamp_unit == "ms" and profile.lifecycle.schedule[-1][0] == "succeed"
    assert profile.departures == ()


def test_newapi_is_stock_new_api() -> None:
    profile = load_profile("newapi")
    assert profile.family == "newapi"
    assert profile.supported_operations() == [
        "text2video.create",
        "text2video.get",
        "image2video.create",
        "image2video.get",
    ]
    create = profile.operation("image2video.create")
    get = profile.operation("text2video.get")
    assert create is not None and get is not None
    assert (create.response_shape, create.id_format) == ("openai-video", "newapi-task")
    assert create.path == "/kling/v1/videos/image2video"
    assert (get.response_shape, get.id_format) == ("newapi-task", "newapi-task")
    assert set(NEWAPI_WORDS) <= set(get.status_vocabulary)
    assert "/kling/v1/videos/image2video/{task_id}" in get.path_variants
    errors = profile.errors
    assert (errors.shape, errors.auth_shape, errors.auth_status) == ("newapi-error", "openai-error", 401)
    assert (errors.unknown_task_status, errors.unknown_task_shape, errors.unknown_task_code) == (
        400,
        "newapi-error",
        "task_not_exist",
    )
    assert (errors.type_mismatch_status, errors.type_mismatch_code) == (400, "invalid_request")
    assert errors.missing_prompt_code == "invalid_request"
    assert errors.rate_limit_message == "当前分组上游负载已饱和，请稍后再试"
    assert profile.requires_prompt and profile.accepts_data_uri
    assert {"sound", "voice_list", "watermark_info"} <= set(profile.drops_fields)
    assert not profile.list_query and not profile.external_id_query
    assert profile.lifecycle.schedule[0][0] == "NOT_START" and profile.lifecycle.failed_word == "FAILURE"
    assert profile.lifecycle.timestamp_unit == "s" and profile.lifecycle.callback == "none"
    waived = {d.check for d in profile.departures if d.check}
    assert {"response_schema_canonical", "status_vocabulary_kling", "minimal_request_accepted"} <= waived
    assert profile.extra["emulator"]["requires_model_field"] == "model"  # recorded: new-api routes on `model`
    assert profile.operation("images.create") is None
    unsupported = profile.operation("generations.create")
    assert unsupported is not None and not unsupported.supported


def test_onehub_re_marshals_the_official_envelope() -> None:
    profile = load_profile("onehub")
    assert profile.supported_operations() == [
        "text2video.create",
        "text2video.get",
        "image2video.create",
        "image2video.get",
    ]
    get = profile.operation("image2video.get")
    assert get is not None and (get.response_shape, get.id_format) == ("kling", "kling-numeric")
    errors = profile.errors
    assert (errors.unknown_task_status, errors.unknown_task_shape, errors.unknown_task_code) == (
        404,
        "newapi-error",
        "task_not_exist",
    )
    assert errors.shape == "newapi-error" and errors.invalid_param_code == ""  # Kling's int code is lost
    assert errors.auth_shape == "openai-error"
    assert any(d.json_path == "$.data.task_info" for d in profile.departures)
    assert not profile.list_query and not profile.external_id_query


def test_bynewapi_is_documented_flat_but_runs_new_api() -> None:
    profile = load_profile("bynewapi")
    assert profile.extends == "newapi" and profile.family == "newapi"
    get = profile.operation("image2video.get")
    assert get is not None and get.documented
    assert get.documented_shape == "flat-task"  # what the document shows
    assert get.response_shape == "newapi-task"  # what new-api serves (reference §1.5)
    t2v_get = profile.operation("text2video.get")
    assert t2v_get is not None and t2v_get.documented_shape == "flat-task"  # same relay.json (reference §1.5)
    assert profile.errors.unknown_task_status == 400
    assert any(d.check == "response_schema_documented" for d in profile.departures)
    # inherited operations the document does not cover are marked as assumed, not documented
    listing = load_profile("yibuapi").operation("lip-sync.list")
    assert listing is not None and not listing.documented
    assert listing.evidence == "undocumented here; behaviour assumed from kling-official"


@pytest.mark.parametrize("gateway_id", ["yibuapi", "n1n", "apicore", "winfull"])
def test_passthrough_seed_gateways_extend_official(gateway_id: str) -> None:
    profile = load_profile(gateway_id)
    assert profile.extends == "kling-official" and profile.path_prefix == "/kling"
    assert profile.supported_operations() == list(OPERATION_IDS)
    create = profile.operation("image2video.create")
    assert create is not None and create.path == "/kling/v1/videos/image2video"
    assert profile.errors.unknown_task_code == "1203"
    # documentation is the gateway's own, not inherited from the official API
    assert not all(op.documented for op in profile.operations.values())
