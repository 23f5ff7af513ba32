"""Lifecycle checks over the polls of ``<family>.create.minimal`` traces."""

from __future__ import annotations

from typing import Any

from factories import (
    TASK_ID,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    newapi_wrapper,
    openai_video,
    poll,
    run_check,
    trace,
    video,
)

from conformance.models import Outcome


def _life(*polls: Any, create: Any = None, family: str = "image2video", **kw: Any) -> Any:
    body = create if create is not None else kling_envelope(kling_task())
    return trace(
        f"{family}.create.minimal",
        exchange(body, scenario=f"{family}.create.minimal", operation=f"{family}.create"),
        *polls,
        **kw,
    )


def _status(word: str, **kw: Any) -> Any:
    return poll(kling_envelope(kling_task(word, **kw)))


SUCCEEDED = (_status("submitted"), _status("processing"), _status("succeed", videos=[video()]))


def _one(check_id: str, *traces: Any, mode: str = "replay") -> Any:
    (verdict,) = run_check(check_id, context(*traces, mode=mode))
    return verdict


# --------------------------------------------------------------------------- created_task_queryable / task_id_stable


def test_created_task_queryable_pass_and_fail() -> None:
    assert _one("created_task_queryable", _life(*SUCCEEDED)).outcome is Outcome.PASS
    missing = _one("created_task_queryable", _life(poll(kling_error(1203, "task not found"), status=404)))
    assert missing.outcome is Outcome.FAIL and "could not be queried" in missing.message
    other = _one("created_task_queryable", _life(poll(kling_envelope(kling_task(task_id="999")))))
    assert other.outcome is Outcome.FAIL
    assert other.expected == TASK_ID and other.actual == "999" and other.json_path == "$.data.task_id"


def test_created_task_queryable_skips_and_errors() -> None:
    not_created = _one("created_task_queryable", _life(create=kling_error(1201)))
    assert not_created.outcome is Outcome.SKIPPED and "no task was created" in not_created.message
    assert _one("created_task_queryable", _life()).outcome is Outcome.SKIPPED
    down = _one("created_task_queryable", _life(poll(None, error="ReadTimeout")))
    assert down.outcome is Outcome.ERROR and "ReadTimeout" in down.message
    budget = _one("created_task_queryable", trace("image2video.create.minimal", skipped_reason="budget"))
    assert budget.outcome is Outcome.SKIPPED and budget.reason == "budget"


def test_created_task_queryable_judges_polls_the_harness_gave_up_on() -> None:
    """Create answered an id every query calls unknown: a fail naming the id, not a harness error."""
    gone = [poll(kling_error(1203, "task not found"), status=404) for _ in range(3)]
    life = _life(*gone, error="3 consecutive polls failed; last: error response")
    verdict = _one("created_task_queryable", life)
    assert verdict.outcome is Outcome.FAIL
    assert f"task id {TASK_ID!r} that create returned could not be queried (3 queries)" in verdict.message
    assert "HTTP 404 kling-error (code 1203: task not found)" in verdict.message
    assert _one("task_id_stable", life).outcome is Outcome.ERROR  # the others still cannot judge
    unanswered = _one("created_task_queryable", _life(poll(None, error="ReadTimeout"), error="deadline"))
    assert unanswered.outcome is Outcome.ERROR and "deadline" in unanswered.message


def test_task_id_stable() -> None:
    assert _one("task_id_stable", _life(*SUCCEEDED)).outcome is Outcome.PASS
    newapi_id = "task_" + "a" * 32
    stable = _life(poll(newapi_wrapper("IN_PROGRESS", task_id=newapi_id)), create=openai_video(newapi_id))
    assert _one("task_id_stable", stable).outcome is Outcome.PASS
    swapped = _one(
        "task_id_stable", _life(_status("submitted"), poll(kling_envelope(kling_task("processing", task_id="1"))))
    )
    assert swapped.outcome is Outcome.FAIL
    assert swapped.actual == "1" and swapped.expected == TASK_ID and swapped.json_path == "$.data.task_id"


# --------------------------------------------------------------------------- status_transitions_forward


def test_status_transitions_forward_pass() -> None:
    verdict = _one("status_transitions_forward", _life(*SUCCEEDED, _status("succeed", videos=[video()])))
    assert verdict.outcome is Outcome.PASS
    assert "submitted → processing → succeed" in verdict.message


def test_status_transitions_backwards_fails() -> None:
    verdict = _one("status_transitions_forward", _life(_status("processing"), _status("submitted")))
    assert verdict.outcome is Outcome.FAIL
    assert "went back" in verdict.message and verdict.actual == "submitted"
    assert verdict.json_path == "$.data.task_status"


def test_terminal_state_must_stay_terminal() -> None:
    verdict = _one(
        "status_transitions_forward", _life(_status("succeed", videos=[video()]), _status("failed", msg="x"))
    )
    assert verdict.outcome is Outcome.FAIL and "terminal 'succeed' changed to 'failed'" in verdict.message


def test_unknown_words_and_error_polls_are_not_transitions() -> None:
    polls = (
        _status("processing"),
        poll(newapi_wrapper("UNKNOWN")),
        poll(kling_error(1302), status=429),
        _status("succeed"),
    )
    assert _one("status_transitions_forward", _life(*polls)).outcome is Outcome.PASS


def test_status_transitions_needs_two_statuses() -> None:
    verdict = _one("status_transitions_forward", _life(create=openai_video(status="")))
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def _query(word: str, case: str = "known", task_id: str = TASK_ID, **kw: Any) -> Any:
    """A later query of the created task (``image2video.get.known`` / ``.get.variant``)."""
    return poll(kling_envelope(kling_task(word, task_id=task_id, **kw)), scenario=f"image2video.get.{case}")


def _later(case: str, *exchanges: Any, task_id: str = TASK_ID) -> Any:
    return trace(f"image2video.get.{case}", *exchanges, operation="image2video.get", meta={"task_id": task_id})


def test_terminal_state_judged_across_later_queries() -> None:
    """Polling stops at 'succeed'; a get.known/get.variant answer of 'processing' afterwards is a regression."""
    done = _status("succeed", videos=[video()])
    steady = context(
        _life(_status("processing"), done),
        _later("known", _query("succeed", videos=[video()])),
        _later("variant", _query("succeed", "variant", videos=[video()])),
    )
    (ok,) = run_check("status_transitions_forward", steady)
    assert ok.outcome is Outcome.PASS
    assert "then get.known: succeed" in ok.message and "then get.variant: succeed" in ok.message

    regress = _query("processing", "variant")
    backwards = context(
        _life(_status("processing"), done),
        _later("known", _query("succeed", videos=[video()])),
        _later("variant", _query("succeed", "variant", videos=[video()]), regress),
    )
    (verdict,) = run_check("status_transitions_forward", backwards)
    assert verdict.outcome is Outcome.FAIL
    assert "terminal 'succeed' changed to 'processing'" in verdict.message
    assert regress.ref in verdict.message and verdict.exchange_ref == regress.ref
    assert verdict.expected == "succeed" and verdict.actual == "processing"
    assert verdict.json_path == "$.data.task_status" and verdict.operation == "image2video.create"


def test_later_queries_alone_can_break_order() -> None:
    """A later query that goes back within itself fails even when the polls saw no terminal state."""
    ctx = context(_life(_status("submitted")), _later("known", _query("processing"), _query("submitted")))
    (verdict,) = run_check("status_transitions_forward", ctx)
    assert verdict.outcome is Outcome.FAIL and "went back from 'processing' to 'submitted'" in verdict.message


def test_later_queries_of_other_tasks_are_ignored() -> None:
    done = _life(_status("succeed", videos=[video()]))
    other_trace = context(done, _later("known", _query("processing"), task_id="111"))
    assert run_check("status_transitions_forward", other_trace)[0].outcome is Outcome.PASS
    other_body = context(done, _later("known", _query("processing", task_id="222")))
    assert run_check("status_transitions_forward", other_body)[0].outcome is Outcome.PASS
    errors = context(done, _later("known", poll(kling_error(1203), status=404, scenario="image2video.get.known")))
    assert run_check("status_transitions_forward", errors)[0].outcome is Outcome.PASS
    skipped_later = trace("image2video.get.known", _query("processing"), skipped_reason="budget")
    assert run_check("status_transitions_forward", context(done, skipped_later))[0].outcome is Outcome.PASS


def test_later_queries_make_up_a_history() -> None:
    """Create answered 'submitted' and was never polled: the later queries supply the second status."""
    ctx = context(_life(), _later("known", _query("processing")))
    (verdict,) = run_check("status_transitions_forward", ctx)
    assert verdict.outcome is Outcome.PASS and "submitted; then get.known: processing" in verdict.message


def test_send_order_wins_when_every_exchange_is_numbered() -> None:
    """With a harness-wide ``meta["seq"]`` the history is one chain in send order across scenarios."""

    def numbered(seq: int | None) -> Any:
        create = exchange(kling_envelope(kling_task()), scenario="image2video.create.minimal")
        known, variant = _query("succeed", videos=[video()]), _query("processing", "variant")
        if seq is not None:
            create.meta["seq"], known.meta["seq"], variant.meta["seq"] = seq, seq + 1, seq + 2
        return context(trace("image2video.create.minimal", create), _later("known", known), _later("variant", variant))

    # Unordered, each later query only has to come after the polls: submitted → succeed, submitted → processing.
    assert run_check("status_transitions_forward", numbered(None))[0].outcome is Outcome.PASS
    (verdict,) = run_check("status_transitions_forward", numbered(1))
    assert verdict.outcome is Outcome.FAIL and "terminal 'succeed' changed to 'processing'" in verdict.message


# ------------------------------------------------------------ success_has_result_url / failure_has_reason


def test_success_has_result_url() -> None:
    assert _one("success_has_result_url", _life(*SUCCEEDED)).outcome is Outcome.PASS
    no_url = _one("success_has_result_url", _life(_status("succeed", videos=[])))
    assert no_url.outcome is Outcome.FAIL
    assert "no video URL" in no_url.message and no_url.json_path == "$.data.task_result.videos[0].url"
    no_duration = _one("success_has_result_url", _life(_status("succeed", videos=[video(duration=None)])))
    assert no_duration.outcome is Outcome.FAIL and no_duration.json_path == "$.data.task_result.videos[0].duration"


def test_success_has_result_url_images_need_no_duration() -> None:
    image_poll = poll(
        kling_envelope(kling_task("succeed", images=[{"index": 0, "url": "https://x/1.png"}])), family="generations"
    )
    life = _life(image_poll, family="generations")
    assert _one("success_has_result_url", life).outcome is Outcome.PASS


def test_success_has_result_url_skips_unless_succeeded() -> None:
    verdict = _one("success_has_result_url", _life(_status("failed", msg="risk control")))
    assert verdict.outcome is Outcome.SKIPPED and "failed" in verdict.message


def test_failure_has_reason() -> None:
    ok = _one("failure_has_reason", _life(_status("failed", msg="Failure to pass the risk control system")))
    assert ok.outcome is Outcome.PASS and "risk control" in ok.message
    silent = _one("failure_has_reason", _life(_status("failed", msg="")))
    assert silent.outcome is Outcome.FAIL and silent.json_path == "$.data.task_status_msg"
    assert _one("failure_has_reason", _life(*SUCCEEDED)).reason == "no evidence"


# --------------------------------------------------------------------------- deadline and result fetch


def test_task_completes_within_deadline() -> None:
    assert _one("task_completes_within_deadline", _life(*SUCCEEDED)).outcome is Outcome.PASS
    late = _one(
        "task_completes_within_deadline",
        _life(_status("processing"), deadline_exceeded=True, meta={"deadline_s": 600}),
    )
    assert late.outcome is Outcome.FAIL and "600 s" in late.message and late.actual == "still 'processing'"
    stopped = _one("task_completes_within_deadline", _life(_status("processing")))
    assert stopped.outcome is Outcome.SKIPPED


def _fetch(status: int = 206, content_type: str = "video/mp4", error: str | None = None) -> Any:
    return exchange(
        b"\x00\x00\x00\x18ftypmp42",
        status=status,
        purpose="result-fetch",
        method="GET",
        url="https://cdn.klingai.com/bs2/upload-kling-api/video.mp4",
        headers=(("content-type", content_type),),
        error=error,
    )


def test_result_url_fetchable() -> None:
    assert _one("result_url_fetchable", _life(*SUCCEEDED, _fetch()), mode="live").outcome is Outcome.PASS
    gone = _one("result_url_fetchable", _life(*SUCCEEDED, _fetch(status=403)), mode="live")
    assert gone.outcome is Outcome.FAIL and gone.actual == 403
    html = _one("result_url_fetchable", _life(*SUCCEEDED, _fetch(content_type="text/html")), mode="live")
    assert html.outcome is Outcome.FAIL and html.expected == "video/* or image/*"
    broken = _one("result_url_fetchable", _life(*SUCCEEDED, _fetch(error="ConnectError")), mode="live")
    assert broken.outcome is Outcome.ERROR and "ConnectError" in broken.message


def test_result_url_fetchable_skips_in_replay_and_errors_live_without_fetch() -> None:
    replay = _one("result_url_fetchable", _life(*SUCCEEDED))
    assert replay.outcome is Outcome.SKIPPED and "live mode" in replay.message and replay.reason == "no evidence"
    live = _one("result_url_fetchable", _life(*SUCCEEDED), mode="live")
    assert live.outcome is Outcome.ERROR
    failed_task = _one("result_url_fetchable", _life(_status("failed", msg="x")), mode="live")
    assert failed_task.outcome is Outcome.SKIPPED
