"""Long lists and invalid bodies cost a bounded amount to judge (hostile 100,000-item lists)."""

from __future__ import annotations

import time

import orjson

from conformance.bounds import MAX_LIST_ITEMS, trim_lists
from conformance.normalize.parse import parse_body
from conformance.spec.validation import CAP_KEYWORD, MAX_ISSUES, compiled


def test_trim_lists_cuts_every_long_list_and_leaves_short_documents_alone() -> None:
    short = {"data": [1, 2, 3]}
    assert trim_lists(short) == (short, 0) and trim_lists(short)[0] is short
    body = {"data": list(range(5000)), "nested": [{"items": list(range(2000))}]}
    trimmed, longest = trim_lists(body)
    assert longest == 5000 and len(trimmed["data"]) == MAX_LIST_ITEMS
    assert len(trimmed["nested"][0]["items"]) == MAX_LIST_ITEMS
    assert len(body["data"]) == 5000  # the original is untouched


def test_the_normalizer_notes_a_cut_list() -> None:
    raw = orjson.dumps({"code": 0, "data": [{"task_id": str(i)} for i in range(20_000)]})
    parsed = parse_body(raw)
    assert len(parsed.value["data"]) == MAX_LIST_ITEMS
    assert any("list of 20000 items" in note for note in parsed.notes)


def test_schema_issues_per_body_are_capped() -> None:
    schema = {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}}}
    body = [{"n": i} for i in range(100_000)]  # every item is wrong
    started = time.perf_counter()
    issues = compiled(schema).issues(body)
    elapsed = time.perf_counter() - started
    assert len(issues) == MAX_ISSUES + 1 and issues[-1].keyword == CAP_KEYWORD
    assert elapsed < 20.0  # the uncapped validator builds 100,000 issues (minutes on a busy machine)
