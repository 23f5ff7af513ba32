"""Query checks: documented path, variants, unknown id (against the profile), list bounds, external id."""

from __future__ import annotations

from typing import Any

from factories import (
    HTML_PAGE,
    TASK_ID,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    newapi_error,
    profile,
    run_check,
    trace,
)

from conformance.models import Outcome
from conformance.profiles.model import ErrorProfile

BASE = "http://127.0.0.1/kling/v1/videos/image2video"


def _query(scenario: str, body: Any, status: int = 200, url: str = f"{BASE}/{TASK_ID}", purpose: str = "query") -> Any:
    return exchange(
        body, status=status, scenario=scenario, operation="image2video.get", purpose=purpose, method="GET", url=url
    )


def _created() -> Any:
    return trace("image2video.create.minimal", exchange(kling_envelope(kling_task())))


def _one(check_id: str, *traces: Any, **kw: Any) -> Any:
    (verdict,) = run_check(check_id, context(*traces, **kw))
    return verdict


def test_query_path_documented_works() -> None:
    known = trace("image2video.get.known", _query("image2video.get.known", kling_envelope(kling_task("processing"))))
    verdict = _one("query_path_documented_works", _created(), known)
    assert verdict.outcome is Outcome.PASS and "/kling/v1/videos/image2video/" in verdict.message
    wrong = trace("image2video.get.known", _query("image2video.get.known", kling_envelope(kling_task(task_id="1"))))
    verdict = _one("query_path_documented_works", _created(), wrong)
    assert verdict.outcome is Outcome.FAIL and "instead of" in verdict.message and verdict.json_path == "$.data.task_id"
    gone = trace("image2video.get.known", _query("image2video.get.known", kling_error(1203), status=404))
    verdict = _one("query_path_documented_works", _created(), gone)
    assert verdict.outcome is Outcome.FAIL and "HTTP 404" in verdict.message


def test_query_path_documented_skips_with_trace_reason() -> None:
    verdict = _one("query_path_documented_works", trace("image2video.get.known", skipped_reason="budget"))
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "budget"


def test_query_path_variants() -> None:
    scenario = "image2video.get.variant"
    good = trace(
        scenario,
        _query(scenario, kling_envelope(kling_task()), url=f"http://127.0.0.1/kling/v1/videos/text2video/{TASK_ID}"),
        _query(scenario, kling_envelope(kling_task()), url=f"http://127.0.0.1/v1/videos/image2video/{TASK_ID}"),
    )
    verdict = _one("query_path_variants_work", _created(), good)
    assert verdict.outcome is Outcome.PASS and "2 path variant(s)" in verdict.message
    bad = trace(
        scenario,
        _query(scenario, kling_envelope(kling_task())),
        _query(scenario, HTML_PAGE, status=404, url=f"http://127.0.0.1/v1/videos/image2video/{TASK_ID}"),
    )
    verdict = _one("query_path_variants_work", _created(), bad)
    assert verdict.outcome is Outcome.FAIL
    assert "1 of 2" in verdict.message and "/v1/videos/image2video/" in str(verdict.actual)


def _unknown(body: Any, status: int) -> Any:
    return trace("image2video.get.unknown", _query("image2video.get.unknown", body, status=status))


def test_unknown_task_error_matches_profile() -> None:
    assert _one("unknown_task_error", _unknown(kling_error(1203, "task not found"), 404)).outcome is Outcome.PASS
    newapi = profile(
        errors=ErrorProfile(
            unknown_task_status=400, unknown_task_shape="newapi-error", unknown_task_code="task_not_exist"
        )
    )
    verdict = _one("unknown_task_error", _unknown(newapi_error(), 400), gateway_profile=newapi)
    assert verdict.outcome is Outcome.PASS


def test_unknown_task_error_fails_on_wrong_status_shape_or_code() -> None:
    verdict = _one("unknown_task_error", _unknown(newapi_error(), 400))
    assert verdict.outcome is Outcome.FAIL
    assert "HTTP 400 instead of 404" in verdict.message and "shape newapi-error" in verdict.message
    assert verdict.expected == "HTTP 404 kling-error (code 1203)"
    wrong_code = _one("unknown_task_error", _unknown(kling_error(1201), 404))
    assert (
        wrong_code.outcome is Outcome.FAIL and "code '1201'" in wrong_code.message and wrong_code.json_path == "$.code"
    )
    found = _one("unknown_task_error", _unknown(kling_envelope(kling_task()), 200))
    assert found.outcome is Outcome.FAIL and "answered as if the task existed" in found.message


def _list(*pairs: tuple[str, Any, int]) -> Any:
    scenario = "image2video.list.bounds"
    exchanges = [
        exchange(
            body,
            status=status,
            scenario=scenario,
            operation="image2video.list",
            purpose="list",
            method="GET",
            url=f"{BASE}?{query}",
        )
        for query, body, status in pairs
    ]
    return trace(scenario, *exchanges)


def test_list_query_bounds_pass() -> None:
    tasks = [kling_task("succeed") for _ in range(2)]
    listing = _list(
        ("pageNum=1&pageSize=30", kling_envelope(tasks), 200),
        ("pageNum=1000&pageSize=500", kling_envelope([]), 200),
        ("pageNum=1&pageSize=501", kling_error(1201), 400),
        ("pageNum=0&pageSize=30", kling_error(1201), 400),
    )
    verdict = _one("list_query_bounds", listing)
    assert verdict.outcome is Outcome.PASS and "4 list request(s)" in verdict.message


def test_list_query_bounds_failures() -> None:
    too_many = _list(("pageNum=1&pageSize=1", kling_envelope([kling_task(), kling_task()]), 200))
    verdict = _one("list_query_bounds", too_many)
    assert verdict.outcome is Outcome.FAIL and verdict.expected == "≤ 1" and verdict.json_path == "$.data"
    not_list = _one("list_query_bounds", _list(("pageNum=1&pageSize=30", kling_envelope(kling_task()), 200)))
    assert not_list.outcome is Outcome.FAIL and "no task array" in not_list.message
    crash = _one("list_query_bounds", _list(("pageNum=1&pageSize=501", newapi_error("get_task_failed"), 500)))
    assert crash.outcome is Outcome.FAIL and "out of bounds" in crash.message and "server error" in crash.message
    lenient = _one("list_query_bounds", _list(("pageNum=1&pageSize=501", kling_envelope([]), 200)))
    assert lenient.outcome is Outcome.FAIL and lenient.expected == "4xx with an error body"


def test_list_query_bounds_not_supported() -> None:
    verdict = _one("list_query_bounds", trace("image2video.list.bounds", skipped_reason="not supported"))
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "not supported"


def _external(body: Any, status: int = 200, external: str = "ext-1") -> Any:
    scenario = "image2video.get.external-id"
    return trace(scenario, _query(scenario, body, status=status, url=f"{BASE}?external_task_id={external}"))


def test_query_by_external_task_id() -> None:
    ok = _one("query_by_external_task_id", _external(kling_envelope(kling_task(external_task_id="ext-1"))))
    assert ok.outcome is Outcome.PASS
    listed = _one("query_by_external_task_id", _external(kling_envelope([kling_task(external_task_id="ext-1")])))
    assert listed.outcome is Outcome.PASS
    other = _one("query_by_external_task_id", _external(kling_envelope(kling_task(external_task_id="ext-2"))))
    assert other.outcome is Outcome.FAIL
    assert (
        other.expected == "ext-1" and other.actual == "ext-2" and other.json_path == "$.data.task_info.external_task_id"
    )
    refused = _one("query_by_external_task_id", _external(newapi_error(), status=400))
    assert refused.outcome is Outcome.FAIL and "no query form found" in refused.message
    assert "HTTP 400" in refused.message


def test_query_by_external_task_id_any_form_may_work() -> None:
    scenario = "image2video.get.external-id"
    path_form = _query(scenario, kling_error(1203), status=404, url=f"{BASE}/ext-1")
    query_form = _query(
        scenario, kling_envelope([kling_task(external_task_id="ext-1")]), url=f"{BASE}?external_task_id=ext-1"
    )
    both = trace(scenario, path_form, query_form, meta={"external_task_id": "ext-1"})
    verdict = _one("query_by_external_task_id", both)
    assert verdict.outcome is Outcome.PASS and "?external_task_id=ext-1" in verdict.message
    neither = trace(
        scenario,
        path_form,
        _query(scenario, kling_error(1201), status=400, url=f"{BASE}?external_task_id=ext-1"),
        meta={"external_task_id": "ext-1"},
    )
    verdict = _one("query_by_external_task_id", neither)
    assert verdict.outcome is Outcome.FAIL and "HTTP 404" in verdict.message and "HTTP 400" in verdict.message


def test_list_query_bounds_follows_the_probe_expectation() -> None:
    scenario = "image2video.list.bounds"
    probe = exchange(
        kling_error(1201),
        status=400,
        scenario=scenario,
        operation="image2video.list",
        purpose="list",
        method="GET",
        url=f"{BASE}?pageNum=1&pageSize=30",
    )
    probe.meta.update({"probe": "default", "expect": "accept", "params": {"pageNum": 1, "pageSize": 30}})
    verdict = _one("list_query_bounds", trace(scenario, probe))
    assert verdict.outcome is Outcome.FAIL and "pageNum=1 pageSize=30" in verdict.message
    assert verdict.expected == "2xx with a task list"
