"""The ``NORMALIZERS`` registry: defined order, plug-in families, and crashing plug-ins turned into notes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import conformance
from conformance.normalize import NORMALIZERS, Recognizer, Shape, normalize, recognizers_in_order
from conformance.normalize.fields import Draft


@pytest.fixture()
def restore_registry() -> Iterator[None]:
    before = NORMALIZERS.items()
    yield
    for name in NORMALIZERS.names():
        NORMALIZERS.remove(name)
    for name, item in before:
        NORMALIZERS.add(name, item)


def test_families_are_tried_in_a_defined_order() -> None:
    assert [r.family for r in recognizers_in_order()] == ["kling", "newapi", "openai-video", "flat", "openai-error"]
    covered = {shape for r in recognizers_in_order() for shape in r.shapes}
    # TASK is the zero-config conventions shape (descriptions/conventions.toml), tried after every family
    assert covered == set(Shape) - {Shape.EMPTY, Shape.NOT_JSON, Shape.UNKNOWN, Shape.TASK}


def test_task_object_with_error_is_not_an_openai_error() -> None:
    body = {"task_id": "t", "status": "failed", "error": {"message": "boom"}}
    assert normalize(body).shape is Shape.FLAT_TASK
    assert normalize({"error": {"message": "boom"}}).shape is Shape.OPENAI_ERROR


def test_a_plugin_family_is_used_in_its_order(restore_registry: None) -> None:
    def classify(body: dict[str, Any]) -> Shape | None:
        return Shape.FLAT_TASK if "job" in body else None

    def extract(body: dict[str, Any], draft: Draft) -> None:
        draft.task_id = str(body["job"])

    NORMALIZERS.add(
        "jobs", Recognizer(family="jobs", order=35, shapes=(Shape.FLAT_TASK,), classify=classify, extract=extract)
    )
    assert [r.family for r in recognizers_in_order()][3] == "jobs"
    assert normalize({"job": 7}).task_id == "7"


def test_a_crashing_plugin_becomes_a_note(restore_registry: None) -> None:
    def explode(body: dict[str, Any]) -> Shape | None:
        raise RuntimeError("bug")

    def explode_extract(body: dict[str, Any], draft: Draft) -> None:
        raise KeyError("bug")

    NORMALIZERS.add(
        "broken", Recognizer(family="broken", order=1, shapes=(), classify=explode, extract=explode_extract)
    )
    result = normalize(b'{"code":0,"request_id":"r","data":{"task_id":"1","task_status":"submitted"}}')
    assert result.shape is Shape.KLING
    assert any("'broken' failed to classify (RuntimeError)" in note for note in result.notes)
    NORMALIZERS.remove("broken")
    NORMALIZERS.add(
        "broken",
        Recognizer(family="broken", order=1, shapes=(), classify=lambda b: Shape.KLING, extract=explode_extract),
    )
    result = normalize(b'{"code":0}')
    assert result.shape is Shape.KLING
    assert any("'broken' failed to read the body (KeyError)" in note for note in result.notes)


def test_package_level_normalize_is_callable_after_the_subpackage_import() -> None:
    result = conformance.normalize(b'{"code":"task_not_exist","message":"task_not_exist","data":null}', 400)
    assert (result.shape, result.error_code) == (Shape.NEWAPI_ERROR, "task_not_exist")
    from conformance import normalize as imported

    assert imported(b"{}").shape is Shape.EMPTY
