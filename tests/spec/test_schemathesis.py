"""schemathesis 4.x loads the canonical spec and generates valid requests for every create operation."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from spec_samples import FAMILIES

from conformance import spec
from conformance.paths import canonical_spec_path

EXAMPLES_PER_OPERATION = 4


@lru_cache(maxsize=1)
def _schema() -> Any:
    return schemathesis.openapi.from_path(str(canonical_spec_path()))


def test_schemathesis_sees_every_operation_core_and_extended() -> None:
    ids = []
    for result in _schema().get_all_operations():
        ids.append(result.ok().definition.raw["operationId"])
    assert sorted(ids) == sorted(spec.all_operation_ids())
    assert set(spec.operation_ids()) <= set(ids) and len(spec.operation_ids()) == 24


@pytest.mark.parametrize("family", FAMILIES)
def test_generated_create_bodies_are_valid_requests(family: str) -> None:
    op_id = f"{family}.create"
    operation = _schema().find_operation_by_id(op_id)
    bodies: list[Any] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def draw(case: Any) -> None:
        bodies.append(case.body)

    draw()
    assert bodies, f"schemathesis generated nothing for {op_id}"
    for body in bodies:
        assert spec.validate_request(op_id, body) == [], body


def test_stateful_links_are_visible_to_schemathesis() -> None:
    operation = _schema().find_operation_by_id("image2video.create")
    links = operation.definition.raw["responses"]["200"]["links"]
    assert "GetTask" in links
