"""``response_body_well_formed``: bodies arrive whole and are one clean JSON document.

The bodies go through the real normalizer, so a change in its note wording that the check no longer
recognises fails here.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest
from factories import (
    HTML_PAGE,
    TRUNCATED,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    poll,
    run_check,
    trace,
)

from conformance.checks._support import SYNTAX_NOTES
from conformance.checks.wellformed import BODY_NOTES, NOT_JSON_NOTES
from conformance.models import Outcome
from conformance.normalize import normalize

CHECK = "response_body_well_formed"
GOOD = json.dumps(kling_envelope(kling_task())).encode()
HTML_HEADERS = (("content-type", "text/html"),)


def _verdicts(*exchanges: Any, scenario: str = "image2video.create.minimal") -> dict[str, Any]:
    return {v.operation: v for v in run_check(CHECK, context(trace(scenario, *exchanges)))}


def _create(body: Any, **kw: Any) -> Any:
    return exchange(body, **kw)


def _with_note(note: str, body: Any = GOOD, **kw: Any) -> Any:
    ex = _create(body, **kw)
    ex.meta["body_note"] = note
    return ex


def test_clean_bodies_pass_per_operation() -> None:
    verdicts = _verdicts(
        _create(kling_envelope(kling_task())), poll(kling_envelope(kling_task("succeed"))), poll(b""), poll(b"  ")
    )
    assert verdicts["image2video.create"].outcome is Outcome.PASS
    get = verdicts["image2video.get"]
    assert get.outcome is Outcome.PASS and "1 response body complete" in get.message  # empty bodies not judged
    errors = _verdicts(_create(kling_error(1201), status=400), scenario="image2video.create.invalid.bad-enum")
    assert errors["image2video.create"].outcome is Outcome.PASS  # error bodies are judged too, and pass


BROKEN_BODIES = [
    pytest.param(
        b'{"code":5000,"message":"duplicate","code":0,"message":"SUCCEED","data":{"task_id":"1"}}',
        r"duplicate keys: code, message",
        "duplicate keys",
        id="duplicate-keys",
    ),
    pytest.param(b'{"code":0,"message":"\xff\xfe\xc3 SUCCEED"}', "invalid UTF-8", "invalid UTF-8", id="invalid-utf8"),
    pytest.param(b"\xef\xbb\xbf" + GOOD, "byte order mark", "body starts with a byte order mark", id="bom"),
    pytest.param(b'{"code":0,"data":{"created_at":1e400}}', "number out of range", "number out of range", id="1e400"),
    pytest.param(b'{"code":NaN,"data":{}}', "non-standard number NaN", "non-standard number", id="nan"),
    pytest.param(b'{"code":0,"message":"\\ud800"}', "lone surrogate", "lone surrogate escape", id="surrogate"),
    pytest.param(b"[" * 5000 + b"]" * 5000, "nested too deeply", "JSON nested too deeply", id="deep"),
    pytest.param(TRUNCATED, "truncated JSON", "truncated JSON", id="truncated"),
    pytest.param(
        GOOD + b'{"code":0}\x00garbage',
        "extra data after the JSON value",
        "extra data after the JSON value",
        id="trailing",
    ),
    pytest.param(HTML_PAGE, "HTML page", "not JSON", id="html-declared-json"),
    pytest.param(b"Bad Gateway", "plain text body", "not JSON", id="text-declared-json"),
]


@pytest.mark.parametrize(("body", "named", "kind"), BROKEN_BODIES)
def test_malformed_bodies_fail_with_the_problem_named(body: bytes, named: str, kind: str) -> None:
    broken = poll(body)
    verdict = _verdicts(_create(GOOD), poll(GOOD), broken)["image2video.get"]
    assert verdict.outcome is Outcome.FAIL
    assert named in verdict.message and f"({kind})" in verdict.message
    assert "1 of 2 response bodies" in verdict.message and "HTTP 200" in verdict.message
    assert verdict.expected == "one complete, well-formed UTF-8 JSON document"
    assert named in verdict.actual and verdict.json_path == "$" and verdict.exchange_ref == broken.ref


#: A body for each note prefix the check recognises.
NOTE_SAMPLES: dict[str, bytes] = {
    "duplicate keys": b'{"code":5000,"code":0}',
    "invalid UTF-8": b'{"message":"\xff\xfe"}',
    "body is UTF-16": b"\xff\xfe" + GOOD.decode().encode("utf-16-le"),
    "body starts with a byte order mark": b"\xef\xbb\xbf" + GOOD,
    "number out of range": b'{"code":1e400}',
    "non-standard number": b'{"code":NaN}',
    "lone surrogate escape": b'{"message":"\\udfff"}',
    "JSON nested too deeply": b"[" * 2000 + b"]" * 2000,
    "truncated JSON": TRUNCATED,
    "extra data after the JSON value": GOOD + b'{"code":0}',
    "invalid JSON": b'{"code" 0}',
    "HTML page": HTML_PAGE,
    "markup (XML) body": b"<error>bad</error>",
    "plain text body": b"Bad Gateway",
}


@pytest.mark.parametrize("prefix", [p for p, _ in SYNTAX_NOTES] + list(NOT_JSON_NOTES))
def test_every_recognised_note_is_one_the_normalizer_writes(prefix: str) -> None:
    """The prefixes the check matches are the normalizer's real wording (guards against silent drift)."""
    notes = normalize(NOTE_SAMPLES[prefix], status_code=200).notes
    assert any(note.startswith(prefix) for note in notes), (prefix, notes)


def test_honest_non_json_content_type_is_left_to_other_checks() -> None:
    verdicts = _verdicts(_create(GOOD), poll(HTML_PAGE, status=502, headers=HTML_HEADERS))
    assert verdicts["image2video.get"].outcome is Outcome.PASS
    only_html = _verdicts(_create(HTML_PAGE, status=502, headers=HTML_HEADERS))["image2video.create"]
    assert only_html.outcome is Outcome.PASS  # judged: its bytes are what they claim to be


@pytest.mark.parametrize(
    ("note", "named"),
    [
        ("Content-Encoding: gzip but the body is not gzip-encoded", "clients that trust the header"),
        ("connection failed mid-body (RemoteProtocolError)", "fewer bytes arrived than the 4396 its Content-Length"),
        ("body larger than 1048576 bytes: cut at the cap", "--max-body-bytes"),
        ("gzip-decoded body larger than 1048576 bytes: cut at the cap", "--max-body-bytes"),
        ("body still arriving after 1.5 s: cut at the time cap", "--read-timeout"),
    ],
)
def test_live_client_body_notes_are_findings(note: str, named: str) -> None:
    headers = (("content-type", "application/json"), ("content-length", "4396"))
    verdict = _verdicts(_create(GOOD), poll(GOOD), _with_note(note, headers=headers, purpose="poll"))[
        "image2video.create"
    ]
    assert verdict.outcome is Outcome.FAIL
    assert note in verdict.message and named in verdict.message
    kind = next(k for fragment, k, _ in BODY_NOTES if fragment in note)
    assert f"({kind})" in verdict.message


def test_body_note_with_its_own_semicolon_stays_one_problem() -> None:
    note = "unsupported Content-Encoding 'br'; body kept as received"
    verdict = _verdicts(_with_note(note))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert "(Content-Encoding)" in verdict.message and f"{note} (clients" in verdict.message


def test_two_notes_give_two_problems() -> None:
    note = "connection failed mid-body (ReadError); Content-Encoding: gzip but the body is not gzip-encoded"
    verdict = _verdicts(_with_note(note, TRUNCATED))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL
    assert "(Content-Encoding, incomplete body, truncated JSON)" in verdict.message


def test_recorded_truncation_without_a_note_still_fails() -> None:
    verdict = _verdicts(_create(GOOD, truncated=True))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and "cut short" in verdict.message and "incomplete" in verdict.message


def test_an_empty_body_with_a_note_is_judged() -> None:
    verdict = _verdicts(_with_note("body still arriving after 1.5 s: cut at the time cap", b""))["image2video.create"]
    assert verdict.outcome is Outcome.FAIL and "time cap" in verdict.message


def test_result_fetches_and_gated_traces() -> None:
    fetch = exchange(b"\x00\x01mp4", purpose="result-fetch", headers=(("content-type", "video/mp4"),), method="GET")
    assert _verdicts(_create(GOOD), fetch)["image2video.create"].outcome is Outcome.PASS
    only_empty = _verdicts(_create(b""))["image2video.create"]
    assert only_empty.outcome is Outcome.SKIPPED and only_empty.reason == "no evidence"
    down = _verdicts(_create(None, error="ConnectError: refused"))["image2video.create"]
    assert down.outcome is Outcome.ERROR and "ConnectError" in down.message
    budget = run_check(CHECK, context(trace("image2video.create.minimal", skipped_reason="budget")))
    assert [v.reason for v in budget] == ["budget"]
    assert [v.reason for v in run_check(CHECK, context())] == ["no evidence"]


def _labelled(encoding: str, body: bytes, **kw: Any) -> Any:
    headers = (("content-type", "application/json"), ("content-encoding", encoding))
    return _create(body, headers=headers, **kw)


def test_replayed_content_encoding_lie_is_re_derived() -> None:
    """Cassettes store decoded bodies without the header, so a header kept with a plain body is a lie."""
    lie = _labelled("gzip", GOOD)
    (verdict,) = run_check(CHECK, context(trace("image2video.create.minimal", lie), mode="replay"))
    assert verdict.outcome is Outcome.FAIL
    assert "Content-Encoding: gzip but the body is not gzip-encoded" in verdict.message
    unsupported = _labelled("br", GOOD)
    (br,) = run_check(CHECK, context(trace("image2video.create.minimal", unsupported), mode="replay"))
    assert br.outcome is Outcome.FAIL and "unsupported Content-Encoding 'br'" in br.message


def test_honest_encodings_and_live_decoded_bodies_pass() -> None:
    gzipped = _labelled("gzip", gzip.compress(GOOD))
    deflated = _labelled("deflate", zlib.compress(GOOD))
    capped = _labelled("gzip", GOOD[:40], truncated=True)  # a capped decode keeps the header and is truncated
    replayed = run_check(CHECK, context(trace("image2video.create.minimal", gzipped, deflated), mode="replay"))
    assert [v.outcome for v in replayed] == [Outcome.FAIL]  # still compressed bytes: not JSON, but no lie
    assert "Content-Encoding" not in replayed[0].message
    live = run_check(CHECK, context(trace("image2video.create.minimal", _labelled("gzip", GOOD)), mode="live"))
    assert [v.outcome for v in live] == [Outcome.PASS]  # live exchanges keep the header next to the decoded body
    (cut,) = run_check(CHECK, context(trace("image2video.create.minimal", capped), mode="replay"))
    assert "Content-Encoding" not in cut.message and "cut short" in cut.message
