"""Property tests: ``normalize`` never raises, whatever it is given, and its result is always well formed."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from normalize_cases import ALL_CASES

from conformance.models import TaskStatus
from conformance.normalize import ERROR_SHAPES, NormalizedResponse, Shape, normalize

KNOWN_KEYS = [
    "code", "message", "request_id", "data", "task_id", "task_status", "task_status_msg", "task_info",
    "task_result", "videos", "images", "url", "duration", "status", "id", "object", "progress", "error",
    "created_at", "updated_at", "completed_at", "fail_reason", "result_url", "metadata", "external_task_id",
    "seconds", "submit_time", "finish_time", "outputs", "type", "detail",
]  # fmt: skip
KNOWN_WORDS = [
    "success",
    "SUCCESS",
    "succeed",
    "failed",
    "NOT_START",
    "video",
    "0",
    "",
    "{",
    "task_x",
    "https://x/v.mp4",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(KNOWN_WORDS)
)
keys = st.sampled_from(KNOWN_KEYS) | st.text(max_size=10)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=8),
    max_leaves=60,
)
status_codes = st.none() | st.integers(min_value=100, max_value=599)
#: ``NORMALIZE_FUZZ_EXAMPLES=5000 pytest tests/normalize`` for a longer hunt.
FAST = settings(
    max_examples=int(os.environ.get("NORMALIZE_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_well_formed(result: NormalizedResponse, status_code: int | None, *, from_bytes: bool = False) -> None:
    assert isinstance(result, NormalizedResponse)
    assert isinstance(result.shape, Shape)
    expected_error = (status_code is not None and status_code >= 400) or result.shape in ERROR_SHAPES
    assert result.is_error is expected_error
    assert result.status is None or isinstance(result.status, TaskStatus)
    for name in ("raw_status", "task_id", "upstream_task_id", "external_task_id", "failure_reason", "error_code"):
        assert getattr(result, name) is None or isinstance(getattr(result, name), str), name
    for name in ("created_at", "updated_at"):
        value = getattr(result, name)
        assert value is None or (isinstance(value, int) and value > 0), name
    assert all(isinstance(url, str) for url in (*result.video_urls, *result.image_urls))
    assert all(isinstance(note, str) and note for note in result.notes)
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    if from_bytes:
        text.encode("utf-8")  # no lone surrogates leak out of a raw body


@FAST
@given(value=json_values, status_code=status_codes)
def test_any_parsed_json_value(value: Any, status_code: int | None) -> None:
    assert_well_formed(normalize(value, status_code=status_code), status_code)


@FAST
@given(value=json_values, status_code=status_codes)
def test_any_json_text_as_bytes(value: Any, status_code: int | None) -> None:
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert_well_formed(normalize(raw, status_code=status_code), status_code, from_bytes=True)


@FAST
@given(raw=st.binary(max_size=512), status_code=status_codes)
def test_arbitrary_bytes(raw: bytes, status_code: int | None) -> None:
    assert_well_formed(normalize(raw, status_code=status_code), status_code, from_bytes=True)


@FAST
@given(text=st.text(max_size=300), status_code=status_codes)
def test_arbitrary_text(text: str, status_code: int | None) -> None:
    assert_well_formed(normalize(text, status_code=status_code), status_code)


@FAST
@given(prefix=st.binary(max_size=8), cut=st.integers(min_value=0, max_value=2000), data=st.data())
def test_mutated_bytes_of_real_shapes(prefix: bytes, cut: int, data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(ALL_CASES))
    raw = case.body_bytes()
    position = data.draw(st.integers(min_value=0, max_value=len(raw)))
    junk = data.draw(st.binary(max_size=6))
    mutated = prefix + raw[:position] + junk + raw[position:][:cut]
    assert_well_formed(normalize(mutated, status_code=case.status_code), case.status_code, from_bytes=True)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@FAST
@given(data=st.data(), replacement=json_values)
def test_mutated_values_of_real_shapes(data: st.DataObject, replacement: Any) -> None:
    case = data.draw(st.sampled_from([c for c in ALL_CASES if c.parsed is not None]))
    path = data.draw(st.sampled_from(_paths(case.parsed)))
    mutated = _replace(case.parsed, path, replacement)
    assert_well_formed(normalize(mutated, status_code=case.status_code), case.status_code)
    raw = json.dumps(mutated, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert_well_formed(normalize(raw, status_code=case.status_code), case.status_code, from_bytes=True)


DEEP = 10_000


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * DEEP + b"]" * DEEP,
        b"[" * DEEP,
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"code":0,"data":' + b'{"x":[' * (DEEP // 2) + b"1" + b"]}" * (DEEP // 2) + b"}",
        b"[1e400," + b"[" * DEEP + b"]" * DEEP + b"]",
        b"[NaN," + b"[" * DEEP,
        b'"' + b"[" * DEEP + b'"',
    ],
    ids=["array", "unclosed", "objects", "inside-envelope", "with-huge-number", "nan-unclosed", "in-a-string"],
)
def test_deep_nesting_never_recurses(raw: bytes) -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive parser would fail here, ours never recurses that deep
    try:
        result = normalize(raw, status_code=200)
    finally:
        sys.setrecursionlimit(limit)
    assert_well_formed(result, 200, from_bytes=True)
    assert result.shape in (Shape.UNKNOWN, Shape.NOT_JSON)
    assert result.notes


def test_deeply_nested_parsed_value() -> None:
    value: Any = 1
    for _ in range(DEEP):
        value = {"data": value, "code": 0}
    result = normalize(value)
    assert_well_formed(result, None)
    assert result.shape is Shape.KLING


@pytest.mark.parametrize(
    "raw",
    [b"1e400", b"-1e400", b"[1e400]", b'{"code":1e400}', b"9" * 5000, b'{"task_id":' + b"9" * 5000 + b"}",
     b'{"code":0,"data":{"created_at":1e308,"updated_at":-1e308}}', b'{"task_id":1e30,"status":"succeed"}'],
)  # fmt: skip
def test_huge_numbers(raw: bytes) -> None:
    result = normalize(raw, status_code=200)
    assert_well_formed(result, 200, from_bytes=True)
    assert result.notes


@pytest.mark.parametrize(
    "body", [object(), {1: 2, (3,): 4}, (1, 2), {"data": {"task_result": object()}}, b"\x00" * 100]
)
def test_non_json_python_objects(body: Any) -> None:
    assert_well_formed(normalize(body, status_code=500), 500)


def test_status_code_that_is_not_a_number_is_noted() -> None:
    result = normalize(b"{}", status_code="abc")  # type: ignore[arg-type]
    assert result.status_code is None
    assert any("not a number" in note for note in result.notes)
