"""Finding messages name the problem: the shared wording helpers of ``checks/_support.py``.

A hostile answer must be named in the report (``gzip``, ``invalid UTF-8``, ``JSON null``, ``Retry-After``),
not merely noticed; these helpers build most of the messages, so their wording is tested here.
"""

from __future__ import annotations

import json

import pytest
from factories import TRUNCATED, context, exchange, kling_envelope, kling_error, kling_task, normalize_exchange, trace

from conformance.checks._support import acceptance_problem, describe, read_json, rejection_problem
from conformance.models import Outcome

GOOD = json.dumps(kling_envelope(kling_task())).encode()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"code":0,"message":"\xff\xfe SUCCEED"}', "invalid UTF-8"),
        (b"\xef\xbb\xbf" + GOOD, "byte order mark"),
        (b'{"code":NaN}', "non-standard number NaN"),
        (b'{"code":0,"message":"\\ud800"}', "lone surrogate"),
        (b"[" * 3000 + b"]" * 3000, "nested too deeply"),
        (GOOD + b"garbage", "extra data after the JSON value"),
    ],
)
def test_strict_json_problems_say_why(body: bytes, named: str) -> None:
    parsed = read_json(exchange(body))
    assert not parsed.ok and parsed.problem.startswith("not JSON (") and named in parsed.problem


def test_cut_bodies_say_how_they_were_cut() -> None:
    plain = read_json(exchange(TRUNCATED, truncated=True))
    assert plain.problem.startswith("truncated JSON (cut short when received)")
    timed = exchange(TRUNCATED, truncated=True)
    timed.meta["body_note"] = "body still arriving after 1.5 s: cut at the time cap"
    assert read_json(timed).problem.startswith("truncated JSON (body still arriving after 1.5 s: cut at the time cap)")
    assert read_json(exchange(b"")).problem == "empty"
    assert read_json(exchange(None, error="ConnectError")).problem == "missing (no response)"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"null", "(body is JSON null)"),
        (b"[1]", "(top-level JSON array (1 items), not an object)"),
        (b'"ok"', "(body is a JSON string, not an object)"),
        (b"42", "(top-level JSON value is a number, not an object)"),
        (b"<html><title>Portal</title></html>", "(HTML page: Portal)"),
    ],
)
def test_unreadable_bodies_are_described(body: bytes, named: str) -> None:
    ex = exchange(body)
    norm = normalize_exchange(ex)
    assert describe(ex, norm).endswith(named)
    assert named in (acceptance_problem(ex, norm) or "")
    bad = exchange(body, status=400)
    assert named[1:-1] in (rejection_problem(bad, normalize_exchange(bad)) or "")


def test_empty_body_is_not_described_twice() -> None:
    ex = exchange(b"")
    assert describe(ex, normalize_exchange(ex)) == "HTTP 200 empty"


def test_taskless_kling_body_says_what_is_missing() -> None:
    ex = exchange({"code": 0, "message": "SUCCEED", "data": None})
    assert acceptance_problem(ex, normalize_exchange(ex)) == (
        "HTTP 200 but no task id could be found in the kling body (code 0 without data)"
    )


def test_rate_limits_tell_the_retry_story() -> None:
    limited = exchange(kling_error(1302, "API request too fast"), status=429)
    assert describe(limited, normalize_exchange(limited)).endswith("too fast), no Retry-After")
    headers = (("content-type", "application/json"), ("retry-after", "99999"))
    waited = exchange(kling_error(1302, "API request too fast"), status=429, headers=headers)
    waited.meta["retries"] = 2
    assert describe(waited, normalize_exchange(waited)).endswith(", Retry-After '99999', after 2 retries")
    ok = exchange(GOOD)
    ok.meta["retries"] = 1
    assert "retr" not in describe(ok, normalize_exchange(ok))  # only 429/503 answers tell it


def test_unknown_task_error_does_not_call_a_query_an_invalid_request() -> None:
    from factories import run_check

    found = exchange(kling_envelope(kling_task()), scenario="image2video.get.unknown", operation="image2video.get")
    (verdict,) = run_check("unknown_task_error", context(trace("image2video.get.unknown", found)))
    assert verdict.outcome is Outcome.FAIL
    assert "answered as if the task existed" in verdict.message and "invalid request" not in verdict.message
