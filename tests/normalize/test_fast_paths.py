"""The normalizer's fast paths give exactly what the general code gives.

Each fast path (inlined one-member conditions, the member prefilter of shapes, the one-update result
constructor, the comma prefilter before the list-trim walk) is checked against the general code it
stands in for, on every test-case body and on odd values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest
from normalize_cases import ALL_CASES

from conformance.bounds import MAX_LIST_ITEMS
from conformance.models import TaskStatus
from conformance.normalize import normalize
from conformance.normalize.fields import Draft
from conformance.normalize.reading.conditions import compile_condition
from conformance.normalize.reading.engine import auto_model, bundled, bundled_ids
from conformance.normalize.reading.model import compile_description
from conformance.normalize.reading.steps import decode_body
from conformance.normalize.result import NormalizedResponse, Shape, result_from_fields

ODD_VALUES: list[Any] = [None, 0, 1, -1, 0.0, 200.0, 2**63, True, False, "", " ", "0", "success", "Video", {}, [], [0]]
TESTS: list[dict[str, Any]] = [
    {"exists": True},
    {"exists": False},
    {"type": "object"},
    {"type": ["string", "number"]},
    {"type": "null"},
    {"in": [0, "success", True, None]},
    {"not_in": [0, ""]},
    {"in": [1.0]},
    {"matches": "(?i)^video"},
    {"matches": r"\S"},
]


def _bodies() -> list[dict[str, Any]]:
    bodies = []
    for case in ALL_CASES:
        try:
            value = orjson.loads(case.body_bytes())
        except orjson.JSONDecodeError:
            continue
        if isinstance(value, dict):
            bodies.append(value)
    return bodies


@pytest.mark.parametrize("test", TESTS, ids=lambda test: ",".join(f"{k}={v}" for k, v in test.items()))
def test_one_member_conditions_agree_with_the_general_ones(test: dict[str, Any]) -> None:
    inlined = compile_condition({"path": "$.code", **test}, "when[0]")
    general = compile_condition({"path": "$.wrap.code", **test}, "when[0]")  # two names: the general path
    draft = Draft(shape=Shape.UNKNOWN)
    nodes: list[Any] = [{"code": value} for value in ODD_VALUES] + [{}, [], "code", None, {"other": 1}]
    for node in nodes:
        assert inlined(node, draft) == general({"wrap": node}, draft), node


@pytest.mark.parametrize("test", TESTS, ids=lambda test: ",".join(f"{k}={v}" for k, v in test.items()))
@pytest.mark.parametrize("conversion", ["number", "folded"])
def test_one_member_conversions_agree_with_the_general_ones(test: dict[str, Any], conversion: str) -> None:
    inlined = compile_condition({"path": "$.code", "as": conversion, **test}, "when[0]")
    general = compile_condition({"path": "$.wrap.code", "as": conversion, **test}, "when[0]")
    draft = Draft(shape=Shape.UNKNOWN)
    for node in [{"code": value} for value in ODD_VALUES] + [{}, [], None]:
        assert inlined(node, draft) == general({"wrap": node}, draft), node


@pytest.mark.parametrize("types", ["object", ["array", "string"], "number", "null"])
def test_type_of_the_node_itself_agrees_with_the_general_one(types: Any) -> None:
    inlined = compile_condition({"path": "$", "type": types}, "when[0]")
    general = compile_condition({"path": "$.wrap.inner", "type": types}, "when[0]")
    draft = Draft(shape=Shape.UNKNOWN)
    for node in ODD_VALUES:
        assert inlined(node, draft) == general({"wrap": {"inner": node}}, draft), node


def test_a_shape_the_prefilter_skips_would_not_have_matched() -> None:
    shapes = [shape for name in bundled_ids() for shape in bundled(name).shapes]
    assert any(shape.requires for shape in shapes)
    for body in _bodies():
        for shape in shapes:
            if shape.when is None or not shape.requires or body.keys() >= shape.requires:
                continue
            assert not shape.when(body, Draft(shape=Shape.UNKNOWN, status_code=200)), (shape.id, body)


def test_shapes_tested_before_decoding_read_nothing_decoding_changes() -> None:
    shapes = [shape for name in bundled_ids() for shape in bundled(name).shapes if shape.decode]
    assert any(not shape.when_sees_decoded for shape in shapes) and any(shape.when_sees_decoded for shape in shapes)
    wrapped = [
        {"code": 0, "data": '{"task_id": "1", "task_status": "succeed"}'},
        {"code": "success", "data": {"task_id": "t", "status": "SUCCESS", "data": '{"code": 0, "data": {}}'}},
        {"code": 200, "data": {"resultJson": '{"resultUrls": ["https://x/v.mp4"]}', "response": "[1]"}},
        {"task_id": "t", "status": "ok", "action": "x", "data": '{"code": 1}'},
    ]
    for body in [*_bodies(), *wrapped]:
        for shape in shapes:
            if shape.when is None or shape.when_sees_decoded:
                continue
            draft = Draft(shape=Shape.UNKNOWN, status_code=200)
            decoded = decode_body(body, shape.decode, None)
            assert bool(shape.when(body, draft)) == bool(shape.when(decoded, draft)), (shape.id, body)


TIMESTAMPS: list[Any] = [
    None,
    0,
    1,
    1762237353,
    1762237353241,
    10**12,
    10**12 + 1,
    10**14,
    10**14 + 1,
    -5,
    2.5,
    "1762237353",
    True,
]


@pytest.mark.parametrize("created", TIMESTAMPS)
def test_integer_timestamps_read_directly_agree_with_the_general_reading(created: Any) -> None:
    fast = compile_description(
        {"readers": {"r": {"created_at": "$.created_at", "updated_at": ["$.updated_at", "$.finished_at"]}}}, id="fast"
    ).readers["r"]
    general = compile_description(
        {
            "readers": {
                "r": {
                    "created_at": {"path": "$.w.created_at", "label": "created_at"},
                    "updated_at": [{"path": "$.w.updated_at", "label": "updated_at"}, "$.finished_at"],
                }
            }
        },
        id="general",
    ).readers["r"]
    for updated in TIMESTAMPS:
        one, other = Draft(shape=Shape.UNKNOWN), Draft(shape=Shape.UNKNOWN)
        fast.read({"created_at": created, "updated_at": updated, "finished_at": 1762237353}, one)
        general.read({"w": {"created_at": created, "updated_at": updated}, "finished_at": 1762237353}, other)
        assert one.finish() == other.finish(), (created, updated)


def test_the_fast_result_equals_the_dataclass() -> None:
    names = [field.name for field in dataclasses.fields(NormalizedResponse)]
    values: dict[str, Any] = {name: f"value of {name}" for name in names}
    values["shape"] = Shape.KLING
    values["status"] = TaskStatus.SUCCEED
    fast = result_from_fields({name: values[name] for name in names})
    assert fast == NormalizedResponse(**values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.task_id = "x"  # type: ignore[misc]
    assert dataclasses.replace(fast, notes=("n",)).notes == ("n",)


def test_every_reading_is_a_complete_result() -> None:
    names = [field.name for field in dataclasses.fields(NormalizedResponse)]
    for case in ALL_CASES[:50]:
        result = normalize(case.body_bytes(), status_code=case.status_code)
        assert list(vars(result)) == names


@pytest.mark.parametrize("items", [MAX_LIST_ITEMS, MAX_LIST_ITEMS + 1])
def test_long_lists_are_still_cut_after_the_comma_prefilter(items: int) -> None:
    body = orjson.dumps({"code": 0, "data": [{"task_id": str(i), "task_status": "succeed"} for i in range(items)]})
    notes = normalize(body).notes
    cut = [note for note in notes if note.startswith("list of")]
    expected = [f"list of {items} items: only the first {MAX_LIST_ITEMS} are judged"]
    assert cut == (expected if items > MAX_LIST_ITEMS else [])


def test_the_auto_model_is_built_once() -> None:
    assert auto_model() is auto_model()


def test_profile_expectations_are_worked_out_per_profile_and_operation() -> None:
    from conformance.profiles import load_profile

    official = load_profile("kling-official")
    body = orjson.dumps(
        {"code": 0, "message": "SUCCEED", "request_id": "r", "data": {"task_id": "1", "task_status": "DONE"}}
    )
    first = normalize(body, 200, official, operation="no.such-operation")
    again = normalize(body, 200, official, operation="no.such-operation")
    assert first == again
    assert any("has no operation 'no.such-operation'" in note for note in again.notes)
    assert any("status word 'DONE'" in departure for departure in again.departures)
    lenient = dataclasses.replace(
        official,
        operations={
            name: dataclasses.replace(op, status_vocabulary=(*op.status_vocabulary, "DONE"))
            for name, op in official.operations.items()
        },
    )
    assert not any("status word" in departure for departure in normalize(body, 200, lenient).departures)
    assert any("status word 'DONE'" in departure for departure in normalize(body, 200, official).departures)
