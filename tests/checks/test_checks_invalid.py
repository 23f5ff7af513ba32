"""Invalid-request checks: 4xx + error body passes; 2xx, 5xx, bare 4xx fail; no task may be created."""

from __future__ import annotations

import pytest
from factories import (
    HTML_PAGE,
    TASK_ID,
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

from conformance.models import Outcome

CASES = [
    ("missing_required_rejected", "missing-required", "$"),
    ("bad_enum_rejected", "bad-enum", "$.duration"),
    ("out_of_range_rejected", "out-of-range", "$.cfg_scale"),
    ("wrong_type_rejected", "wrong-type", "$.duration"),
    ("wrong_content_type_rejected", "wrong-content-type", "$"),
]


def _invalid(case: str, body: object, status: int) -> object:
    scenario = f"image2video.create.invalid.{case}"
    return trace(scenario, exchange(body, status=status, scenario=scenario))


@pytest.mark.parametrize(("check_id", "case", "path"), CASES, ids=[c[0] for c in CASES])
def test_rejection_with_error_body_passes(check_id: str, case: str, path: str) -> None:
    for body in (kling_error(), newapi_error("invalid_request", "prompt is required"), openai_error("bad")):
        (verdict,) = run_check(check_id, context(_invalid(case, body, 400)))  # type: ignore[arg-type]
        assert verdict.outcome is Outcome.PASS, verdict.message
        assert "rejected" in verdict.message


@pytest.mark.parametrize(("check_id", "case", "path"), CASES, ids=[c[0] for c in CASES])
def test_acceptance_of_invalid_request_fails_with_field_path(check_id: str, case: str, path: str) -> None:
    (verdict,) = run_check(check_id, context(_invalid(case, kling_envelope(kling_task()), 200)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL
    assert "accepted" in verdict.message
    assert verdict.json_path == path
    assert verdict.expected == "4xx with an error body (not 2xx, not 5xx)"


@pytest.mark.parametrize(("check_id", "case", "path"), CASES, ids=[c[0] for c in CASES])
def test_server_error_fails(check_id: str, case: str, path: str) -> None:
    body = newapi_error("build_request_failed", "unmarshal metadata failed")
    (verdict,) = run_check(check_id, context(_invalid(case, body, 500)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL
    assert "server error" in verdict.message and "HTTP 500" in str(verdict.actual)


def test_4xx_without_error_body_fails() -> None:
    (verdict,) = run_check("bad_enum_rejected", context(_invalid("bad-enum", HTML_PAGE, 400)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL
    assert "not an error body" in verdict.message and "not-json" in verdict.message


def test_legacy_bad_duration_scenario_counts_as_bad_enum() -> None:
    (verdict,) = run_check("bad_enum_rejected", context(_invalid("bad-duration", kling_error(), 400)))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.PASS


def test_skipped_and_missing_invalid_scenarios() -> None:
    skipped = trace("image2video.create.invalid.out-of-range", skipped_reason="not supported")
    (verdict,) = run_check("out_of_range_rejected", context(skipped))
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "not supported"
    (verdict,) = run_check("out_of_range_rejected", context())
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def test_rejection_creates_no_task_passes_on_plain_rejection() -> None:
    ctx = context(_invalid("bad-enum", kling_error(), 400), _invalid("wrong-type", newapi_error(), 400))  # type: ignore[arg-type]
    verdicts = run_check("rejection_creates_no_task", ctx)
    assert [v.outcome for v in verdicts] == [Outcome.PASS, Outcome.PASS]


def test_rejection_creates_no_task_fails_when_a_task_id_comes_back() -> None:
    ctx = context(_invalid("bad-enum", kling_envelope(kling_task()), 200))  # type: ignore[arg-type]
    (verdict,) = run_check("rejection_creates_no_task", ctx)
    assert verdict.outcome is Outcome.FAIL
    assert TASK_ID in verdict.message and verdict.actual == TASK_ID
    assert verdict.json_path == "$.data.task_id"


def test_rejection_creates_no_task_fails_on_observed_task_and_on_idless_2xx() -> None:
    scenario = "image2video.create.invalid.missing-required"
    observed = trace(scenario, exchange(kling_error(), status=400, scenario=scenario), meta={"created_task_id": "9"})
    (verdict,) = run_check("rejection_creates_no_task", context(observed))
    assert verdict.outcome is Outcome.FAIL and "observed" in verdict.message
    idless = _invalid("out-of-range", {"ok": True}, 200)
    (verdict,) = run_check("rejection_creates_no_task", context(idless))  # type: ignore[arg-type]
    assert verdict.outcome is Outcome.FAIL and "hidden task" in verdict.message
