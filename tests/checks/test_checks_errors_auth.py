"""Errors and auth checks: 401 + error body, Kling error envelope, code-table statuses, no 5xx."""

from __future__ import annotations

import pytest
from factories import (
    HTML_PAGE,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    newapi_error,
    openai_error,
    run_check,
    trace,
)

from conformance.checks import _contract
from conformance.models import Outcome


def _auth(scenario: str, body: object, status: int) -> object:
    return trace(
        scenario,
        exchange(body, status=status, scenario=scenario, operation="image2video.get", purpose="auth", method="GET"),
        operation="image2video.get",
    )


@pytest.mark.parametrize(
    ("check_id", "scenario"),
    [("auth_missing_key_rejected", "auth.missing-key"), ("auth_invalid_key_rejected", "auth.invalid-key")],
)
def test_auth_checks(check_id: str, scenario: str) -> None:
    for body in (kling_error(1001, "Authorization is empty"), openai_error()):
        (verdict,) = run_check(check_id, context(_auth(scenario, body, 401)))  # type: ignore[arg-type]
        assert verdict.outcome is Outcome.PASS, verdict.message
    (verdict,) = run_check(check_id, context(_auth(scenario, kling_error(1001), 403)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and "instead of 401" in verdict.message
    assert verdict.expected == "HTTP 401 with an error body"
    (verdict,) = run_check(check_id, context(_auth(scenario, kling_envelope(kling_task()), 200)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and "without a valid key" in verdict.message
    (verdict,) = run_check(check_id, context(_auth(scenario, HTML_PAGE, 401)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and "not an error body" in verdict.message
    (verdict,) = run_check(check_id, context())
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def _unknown(body: object, status: int) -> object:
    scenario = "image2video.get.unknown"
    return trace(
        scenario, exchange(body, status=status, scenario=scenario, operation="image2video.get", purpose="query")
    )


def test_error_body_canonical_passes_on_kling_envelope() -> None:
    (verdict,) = run_check("error_body_canonical", context(_unknown(kling_error(1203, "task not found"), 404)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.PASS
    assert verdict.operation == "image2video.get"


def test_error_body_canonical_fails_on_newapi_string_code() -> None:
    (verdict,) = run_check("error_body_canonical", context(_unknown(newapi_error(), 400)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL
    assert verdict.json_path == "$.code"
    assert verdict.actual == "task_not_exist"
    assert "newapi-error" in verdict.message


def test_error_body_canonical_fails_on_openai_error_and_html() -> None:
    (verdict,) = run_check("error_body_canonical", context(_unknown(openai_error(), 404)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.code" and verdict.actual == "absent"
    (verdict,) = run_check("error_body_canonical", context(_unknown(HTML_PAGE, 502)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$" and "HTML" in str(verdict.actual)


def test_error_body_canonical_requires_request_id() -> None:
    body = {"code": 1203, "message": "task not found"}
    (verdict,) = run_check("error_body_canonical", context(_unknown(body, 404)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.request_id"


def test_error_status_matches_code_uses_the_code_table() -> None:
    (ok,) = run_check("error_status_matches_code", context(_unknown(kling_error(1203), 404)))  # type: ignore[arg-type]
    assert ok.outcome is Outcome.PASS
    (bad,) = run_check("error_status_matches_code", context(_unknown(kling_error(1201), 500)))  # type: ignore[arg-type]
    assert bad.outcome is Outcome.FAIL
    assert bad.expected == 400 and bad.actual == 500 and bad.json_path == "$.code"
    assert "1201" in bad.message
    (odd,) = run_check("error_status_matches_code", context(_unknown(kling_error(4242), 400)))  # type: ignore[arg-type]
    assert odd.outcome is Outcome.FAIL and "not in the Kling code table" in odd.message


def test_error_status_matches_code_flags_200_with_error_code() -> None:
    scenario = "image2video.create.minimal"
    ctx = context(trace(scenario, exchange(kling_error(1303, "parallel task over resource pack limit"), status=200)))
    (verdict,) = run_check("error_status_matches_code", ctx)
    assert verdict.outcome is Outcome.FAIL and verdict.expected == 429 and verdict.actual == 200


def test_error_status_matches_code_skips_without_kling_codes() -> None:
    (verdict,) = run_check("error_status_matches_code", context(_unknown(newapi_error(), 400)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def test_error_status_matches_code_errors_when_table_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, _contract.CodeEntry]:
        raise _contract.ContractUnavailable("spec missing")

    monkeypatch.setattr(_contract, "error_codes", broken)
    (verdict,) = run_check("error_status_matches_code", context(_unknown(kling_error(1203), 404)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.ERROR and "spec missing" in verdict.message


def test_no_5xx_for_client_errors() -> None:
    (ok,) = run_check("no_5xx_for_client_errors", context(_unknown(kling_error(1203), 404)))  # type: ignore[arg-type]
    assert ok.outcome is Outcome.PASS
    scenario = "image2video.create.invalid.wrong-type"
    crashed = trace(
        scenario, exchange(newapi_error("build_request_failed", "unmarshal"), status=500, scenario=scenario)
    )
    verdicts = run_check("no_5xx_for_client_errors", context(crashed, _unknown(kling_error(1203), 404)))  # type: ignore[arg-type]
    by_op = {v.operation: v for v in verdicts}
    assert by_op["image2video.get"].outcome is Outcome.PASS
    failed = by_op["image2video.create"]
    assert failed.outcome is Outcome.FAIL and failed.actual == 500
    assert "invalid.wrong-type" in failed.message


def test_no_5xx_for_client_errors_skips_when_all_skipped() -> None:
    ctx = context(trace("image2video.get.unknown", skipped_reason="not supported", operation="image2video.get"))
    (verdict,) = run_check("no_5xx_for_client_errors", ctx)
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "not supported"
