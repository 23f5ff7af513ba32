"""load_yaml and validate_openapi_document report bad files by name and line, never with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import spec
from conformance.errors import SpecError


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("openapi: 3.1.0\ninfo:\n  title: [x\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        spec.load_yaml(path)
    assert str(path) in caught.value.where
    assert caught.value.where.split(":")[-2].isdigit()


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\nb:\n  c: 2\n  c: 3\n", encoding="utf-8")
    with pytest.raises(SpecError, match="duplicate key 'c'") as caught:
        spec.load_yaml(path)
    assert caught.value.where == f"{path}:4:3"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read"):
        spec.load_yaml(tmp_path / "nope.yaml")


def test_validate_openapi_document_reports_json_paths(spec_copy: Path) -> None:
    text = spec_copy.read_text(encoding="utf-8").replace("openapi: 3.1.0", "openapi: 3.1.0\nwebhooks: 5", 1)
    spec_copy.write_text(text, encoding="utf-8")
    problems = spec.validate_openapi_document(spec_copy)
    assert problems
    assert problems[0].file == str(spec_copy)
    assert any(problem.json_path.startswith("$") for problem in problems)


def test_validate_openapi_document_on_unparseable_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: [", encoding="utf-8")
    (problem,) = spec.validate_openapi_document(path)
    assert problem.json_path == "$" and str(path) in problem.message
