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
