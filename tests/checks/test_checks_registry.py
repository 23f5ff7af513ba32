"""The catalog itself: ids, docstrings, metadata, idempotent loading, robustness, and the CLI listing."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from factories import HTML_PAGE, TRUNCATED, callback, context, exchange, poll, trace
from typer.testing import CliRunner

from conformance.checks import BUILTIN_MODULES, CHECKS, load_builtin_checks
from conformance.checks.base import Area
from conformance.cli.app import app
from conformance.models import Outcome, Severity

COMMON_IDS = {
    Area.REQUEST_ACCEPTANCE: [
        "doc_example_accepted",
        "minimal_request_accepted",
        "optional_param_accepted",
        "optional_param_honoured",
        "image_base64_accepted",
        "image_data_uri_as_documented",
        "result_media_matches_request",
    ],
    Area.INVALID_REQUESTS: [
        "missing_required_rejected",
        "bad_enum_rejected",
        "out_of_range_rejected",
        "wrong_type_rejected",
        "wrong_content_type_rejected",
        "rejection_creates_no_task",
    ],
    Area.RESPONSE_SHAPE: [
        "response_schema_canonical",
        "response_schema_documented",
        "response_shape_family",
        "field_types_canonical",
        "status_vocabulary_kling",
        "content_type_json",
        "response_body_well_formed",
    ],
    Area.LIFECYCLE: [
        "created_task_queryable",
        "task_id_stable",
        "status_transitions_forward",
        "success_has_result_url",
        "failure_has_reason",
        "task_completes_within_deadline",
        "result_url_fetchable",
        "sync_call_answers_at_once",
        "task_family_answers_a_task",
        "flow_session_carries_to_the_task",
    ],
    Area.QUERIES: [
        "query_path_documented_works",
        "query_path_variants_work",
        "unknown_task_error",
        "list_query_bounds",
        "query_by_external_task_id",
    ],
    Area.ERRORS_AUTH: [
        "auth_missing_key_rejected",
        "auth_invalid_key_rejected",
        "error_body_canonical",
        "error_status_matches_code",
        "no_5xx_for_client_errors",
    ],
    Area.CALLBACKS: [
        "callback_delivered_per_status",
        "callback_body_official",
        "callback_task_id_known",
        "callback_signature_valid",
    ],
}
ALL_IDS = [check_id for ids in COMMON_IDS.values() for check_id in ids]


def test_every_common_id_is_registered_in_its_area() -> None:
    registry = load_builtin_checks()
    assert sorted(registry.names()) == sorted(ALL_IDS)
    for area, ids in COMMON_IDS.items():
        for check_id in ids:
            assert registry.get(check_id).area is area, check_id


def test_loading_is_idempotent() -> None:
    before = load_builtin_checks().names()
    assert load_builtin_checks().names() == before
    assert len(BUILTIN_MODULES) == 9  # one per area, plus result media (checks/media.py)


def test_metadata_is_sane() -> None:
    registry = load_builtin_checks()
    for check_id, spec in registry.items():
        assert spec.id == check_id == spec.function.__name__
        assert spec.description and spec.description == (spec.function.__doc__ or "").strip().splitlines()[0]
        assert spec.description.endswith((".", ")")), check_id
        assert isinstance(spec.severity, Severity)
        assert spec.scenarios, f"{check_id} declares no scenarios"
        assert all(op in ("create", "get", "list") for op in spec.operations), check_id
        assert spec.basis in ("canonical", "profile", "document"), check_id
        doc = (spec.function.__doc__ or "").lower()
        assert spec.basis in doc or (spec.basis == "document" and "gateway document" in doc), check_id


def test_free_and_paid_flags() -> None:
    registry = load_builtin_checks()
    free_areas = (Area.INVALID_REQUESTS, Area.ERRORS_AUTH, Area.QUERIES)
    for _, spec in registry.items():
        if spec.area in free_areas:
            assert not spec.paid, f"{spec.id} must be free"
        if spec.area in (Area.REQUEST_ACCEPTANCE, Area.LIFECYCLE, Area.CALLBACKS):
            assert spec.paid, f"{spec.id} needs a created task"


def test_check_without_docstring_is_refused() -> None:
    from conformance.checks.base import check

    def undocumented(ctx: Any) -> list[Any]:
        return []

    with pytest.raises(ValueError, match="docstring"):
        check(severity=Severity.LOW, area=Area.QUERIES)(undocumented)
    assert "undocumented" not in CHECKS


HOSTILE_BODIES: list[Any] = [HTML_PAGE, TRUNCATED, b"", b"null", b"[]", b"42", b'"text"', b"\xff\xfe\x00", b"{" * 5000]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=[f"body{i}" for i in range(len(HOSTILE_BODIES))])
def test_no_check_raises_on_hostile_bodies(body: bytes) -> None:
    traces = []
    scenarios = [
        "image2video.create.minimal",
        "image2video.create.doc-example",
        "image2video.create.param.callback_url",
        "image2video.create.param.external_task_id",
        "image2video.create.param.image-data-uri",
        "image2video.create.invalid.bad-enum",
        "image2video.get.known",
        "image2video.get.variant",
        "image2video.get.unknown",
        "image2video.list.bounds",
        "image2video.get.external-id",
        "auth.missing-key",
        "auth.invalid-key",
    ]
    for scenario in scenarios:
        traces.append(
            trace(
                scenario,
                exchange(body, scenario=scenario),
                poll(body, scenario=scenario),
                poll(body, status=500, scenario=scenario),
                callbacks=(callback(body),),
                request_body={"external_task_id": "x"},
            )
        )
    ctx = context(*traces)
    for check_id, spec in load_builtin_checks().items():
        verdicts = list(spec.function(ctx))
        assert verdicts, check_id
        for verdict in verdicts:
            assert verdict.outcome is not Outcome.WAIVED, check_id
            assert verdict.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.SKIPPED, Outcome.ERROR)


def test_every_check_yields_a_verdict_on_an_empty_context() -> None:
    ctx = context()
    for check_id, spec in load_builtin_checks().items():
        verdicts = list(spec.function(ctx))
        assert verdicts, check_id
        assert all(v.outcome is Outcome.SKIPPED and v.reason for v in verdicts), check_id


# --------------------------------------------------------------------------- CLI


def test_cli_checks_json_lists_every_check() -> None:
    result = CliRunner().invoke(app, ["checks", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [item["id"] for item in listed] == load_builtin_checks().names()
    first = listed[0]
    assert set(first) == {"id", "area", "severity", "paid", "basis", "operations", "scenarios", "description"}
    bases = {item["id"]: item["basis"] for item in listed}
    assert bases["response_shape_family"] == "profile" and bases["unknown_task_error"] == "profile"
    assert bases["response_schema_documented"] == "document" and bases["image_data_uri_as_documented"] == "profile"
    assert bases["response_schema_canonical"] == "canonical"


def test_cli_checks_area_filter_and_table() -> None:
    result = CliRunner().invoke(app, ["checks", "--area", "invalid-requests"])
    assert result.exit_code == 0, result.output
    assert "rejection_creates_no_task" in result.output and "free" in result.output
    assert "minimal_request_accepted" not in result.output
    assert "6 checks (0 paid, 6 free)" in result.output


def test_cli_checks_unknown_area_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "checks", "--area", "callback"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Did you mean 'callbacks'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_departure_names_a_registered_check() -> None:
    """A waiver naming a misspelt check would never trigger: profiles and gateway specs must use catalog ids."""
    profiles = pytest.importorskip("conformance.profiles")
    docs = pytest.importorskip("conformance.docs")
    ids = set(load_builtin_checks().names())
    loaded = profiles.load_builtin_profiles()
    gateway_profiles = loaded.values() if isinstance(loaded, dict) else loaded
    unknown = [(p.id, d.id, d.check) for p in gateway_profiles for d in p.departures if d.check and d.check not in ids]
    for gateway in docs.gateway_spec_ids():
        spec = docs.load_gateway_spec(gateway)
        unknown += [(gateway, d.id, d.check) for d in spec.departures if d.check and d.check not in ids]
    assert not unknown
