"""Callback checks over ``<family>.create.param.callback_url`` traces."""

from __future__ import annotations

from typing import Any

from factories import (
    TASK_ID,
    callback,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    openai_video,
    poll,
    run_check,
    trace,
    video,
)

from conformance.checks import _contract
from conformance.models import Outcome

SCENARIO = "image2video.create.param.callback_url"


def _cb_trace(*callbacks: Any, polls: tuple[Any, ...] = (), create: Any = None, **kw: Any) -> Any:
    body = create if create is not None else kling_envelope(kling_task())
    return trace(
        SCENARIO,
        exchange(body, scenario=SCENARIO),
        *(poll(p, scenario=SCENARIO) for p in polls),
        callbacks=tuple(callback(c) for c in callbacks),
        **kw,
    )


def _one(check_id: str, *traces: Any) -> Any:
    (verdict,) = run_check(check_id, context(*traces))
    return verdict


SUCCESS_POLLS = (
    kling_envelope(kling_task("processing")),
    kling_envelope(kling_task("succeed", videos=[video()])),
)


def test_delivered_per_status_pass() -> None:
    got = _cb_trace(kling_task("processing"), kling_task("succeed", videos=[video()]), polls=SUCCESS_POLLS)
    verdict = _one("callback_delivered_per_status", got)
    assert verdict.outcome is Outcome.PASS and "['processing', 'succeed']" in verdict.message


def test_delivered_per_status_repeats_are_fine_and_terminal_suffices_without_polls() -> None:
    got = _cb_trace(kling_task("succeed"), kling_task("succeed"))
    assert _one("callback_delivered_per_status", got).outcome is Outcome.PASS


def test_delivered_per_status_missing_change_fails() -> None:
    verdict = _one("callback_delivered_per_status", _cb_trace(kling_task("processing"), polls=SUCCESS_POLLS))
    assert verdict.outcome is Outcome.FAIL
    assert "['succeed']" in verdict.message
    assert verdict.expected == ["processing", "succeed"] and verdict.actual == ["processing"]


def test_delivered_per_status_none_arrived_fails() -> None:
    verdict = _one("callback_delivered_per_status", _cb_trace(polls=SUCCESS_POLLS))
    assert verdict.outcome is Outcome.FAIL and verdict.actual == "no callback"


def test_callback_checks_skip_when_not_created_or_not_run() -> None:
    rejected = _cb_trace(create=kling_error(1201))
    for check_id in ("callback_delivered_per_status", "callback_body_official", "callback_task_id_known"):
        verdict = _one(check_id, rejected)
        assert verdict.outcome is Outcome.SKIPPED and "not accepted" in verdict.message, check_id
        budget = _one(check_id, trace(SCENARIO, skipped_reason="budget"))
        assert budget.outcome is Outcome.SKIPPED and budget.reason == "budget"
        (nothing,) = run_check(check_id, context())
        assert nothing.outcome is Outcome.SKIPPED and nothing.reason == "no evidence"


def test_body_official_pass() -> None:
    verdict = _one("callback_body_official", _cb_trace(kling_task("succeed", videos=[video()])))
    assert verdict.outcome is Outcome.PASS


def test_body_official_envelope_fails() -> None:
    verdict = _one("callback_body_official", _cb_trace(kling_envelope(kling_task("succeed"))))
    assert verdict.outcome is Outcome.FAIL
    assert "envelope" in verdict.message and verdict.json_path == "$.data"


def test_body_official_schema_issue_and_garbage() -> None:
    bad = kling_task("succeed")
    del bad["created_at"]
    verdict = _one("callback_body_official", _cb_trace(bad))
    assert verdict.outcome is Outcome.FAIL and "created_at" in verdict.message
    garbage = _one("callback_body_official", _cb_trace(b"<html>oops</html>"))
    assert garbage.outcome is Outcome.FAIL and "HTML" in garbage.message and garbage.json_path == "$"


def test_body_official_error_when_validator_unavailable(monkeypatch: Any) -> None:
    def broken(_body: Any) -> list[Any]:
        raise _contract.ContractUnavailable("callback schema missing")

    monkeypatch.setattr(_contract, "validate_task_object", broken)
    verdict = _one("callback_body_official", _cb_trace(kling_task("succeed")))
    assert verdict.outcome is Outcome.ERROR and "callback schema missing" in verdict.message


def test_task_id_known() -> None:
    assert _one("callback_task_id_known", _cb_trace(kling_task("succeed"))).outcome is Outcome.PASS
    by_external = _cb_trace(
        kling_task("succeed", task_id="111", external_task_id="mine-1"), request_body={"external_task_id": "mine-1"}
    )
    assert _one("callback_task_id_known", by_external).outcome is Outcome.PASS


def test_task_id_unknown_upstream_id_fails() -> None:
    newapi_id = "task_" + "b" * 32
    verdict = _one(
        "callback_task_id_known", _cb_trace(kling_task("succeed", task_id=TASK_ID), create=openai_video(newapi_id))
    )
    assert verdict.outcome is Outcome.FAIL
    assert verdict.actual == TASK_ID and newapi_id in str(verdict.expected) and verdict.json_path == "$.task_id"
    assert "does not know" in verdict.message


def test_no_callbacks_skips_body_and_id_checks() -> None:
    for check_id in ("callback_body_official", "callback_task_id_known"):
        verdict = _one(check_id, _cb_trace())
        assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def test_shared_receiver_callbacks_are_attributed_by_id() -> None:
    other_task = "111111111111111111"
    other = trace(
        "image2video.create.minimal",
        exchange(kling_envelope(kling_task(task_id=other_task)), scenario="image2video.create.minimal"),
    )
    mixed = _cb_trace(
        kling_task("succeed", task_id=other_task),
        kling_task("processing"),
        polls=SUCCESS_POLLS,
    )
    known = run_check("callback_task_id_known", context(other, mixed))
    assert [v.outcome for v in known] == [Outcome.PASS]
    (delivery,) = run_check("callback_delivered_per_status", context(other, mixed))
    assert delivery.outcome is Outcome.FAIL and delivery.actual == ["processing"]
