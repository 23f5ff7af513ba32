"""compiled(): one cached validator per schema, fast path and detailed issues agree."""

from __future__ import annotations

import dataclasses

import jsonschema
import jsonschema.exceptions
import pytest

from conformance import spec

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["a"],
    "properties": {"a": {"type": "integer", "minimum": 0}, "b": {"enum": ["x", "y"]}},
}


def test_equal_schemas_share_one_compiled_validator() -> None:
    first = spec.compiled(SCHEMA)
    assert spec.compiled(dict(reversed(list(SCHEMA.items())))) is first


@pytest.mark.parametrize(
    ("instance", "valid"),
    [({"a": 1}, True), ({"a": -1}, False), ({"b": "x"}, False), ({"a": 1, "b": "z"}, False), ([], False)],
)
def test_fast_path_and_issues_agree(instance: object, valid: bool) -> None:
    compiled = spec.compiled(SCHEMA)
    assert compiled.is_valid(instance) is valid
    assert (compiled.issues(instance) == []) is valid


def test_issues_are_frozen_and_best_match_first() -> None:
    instance = {"a": "1", "b": "z"}
    issues = spec.compiled(SCHEMA).issues(instance)
    best = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(instance))
    assert best is not None
    assert issues[0].json_path == best.json_path
    assert sorted(issue.json_path for issue in issues) == ["$.a", "$.b"]
    by_path = {issue.json_path: issue for issue in issues}
    assert by_path["$.a"].keyword == "type" and by_path["$.a"].schema_path == "properties/a/type"
    with pytest.raises(dataclasses.FrozenInstanceError):
        issues[0].message = "changed"  # type: ignore[misc]
    assert issues[0].render() == f"{issues[0].json_path}: {issues[0].message}"


def test_operation_validators_are_compiled_once() -> None:
    op = spec.operation("image2video.create")
    assert op.request_schema is not None
    assert spec.compiled(op.request_schema) is spec.compiled(spec.operation("image2video.create").request_schema or {})


def test_invalid_schema_is_rejected() -> None:
    with pytest.raises(jsonschema.SchemaError):
        spec.compiled({"type": "no-such-type"})
