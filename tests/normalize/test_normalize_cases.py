"""Table-driven cases: every family, error envelope and seed example reads as the reference describes."""

from __future__ import annotations

from typing import Any

import pytest
from normalize_cases import ALL_CASES, BodyCase

from conformance.normalize import NormalizedResponse, Shape, normalize


def _actual(result: NormalizedResponse, key: str) -> Any:
    data = result.to_dict()
    if key in data:
        return data[key]
    value = getattr(result, key)
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_case_reads_as_expected(case: BodyCase) -> None:
    result = normalize(case.body_bytes(), status_code=case.status_code)
    mismatches = {
        key: (expected, _actual(result, key))
        for key, expected in case.expected.items()
        if _actual(result, key) != expected
    }
    assert not mismatches, (
        f"{case.file}:{case.id} ({case.description}): expected vs actual {mismatches}; notes {result.notes}"
    )
    for fragment in case.notes_include:
        assert any(fragment in note for note in result.notes), (
            f"{case.id}: no note containing {fragment!r} in {result.notes}"
        )


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.raw is None], ids=lambda c: c.id)
def test_parsed_json_reads_like_raw_bytes(case: BodyCase) -> None:
    from_bytes = normalize(case.body_bytes(), status_code=case.status_code)
    from_value = normalize(case.parsed, status_code=case.status_code)
    from_text = normalize(case.body_bytes().decode("utf-8"), status_code=case.status_code)
    if isinstance(case.parsed, str):  # a double-encoded body is a string, which is read as raw text
        return
    assert from_value == from_bytes
    assert from_text == from_bytes


def test_every_shape_has_a_case() -> None:
    seen = {normalize(case.body_bytes(), status_code=case.status_code).shape for case in ALL_CASES}
    assert seen == set(Shape)


def test_every_case_file_names_its_source() -> None:
    import json

    from normalize_cases import CASES_DIR

    for file in CASES_DIR.glob("*.json"):
        data = json.loads(file.read_text(encoding="utf-8"))
        assert data["source"], file.name
        ids = [row["id"] for row in data["cases"]]
        assert len(ids) == len(set(ids)), file.name
        for row in data["cases"]:
            assert row["description"] and row["expected"], f"{file.name}:{row['id']}"


def test_seed_examples_carry_provenance() -> None:
    seeds = [case for case in ALL_CASES if case.file == "seed_examples.json"]
    assert {case.provenance.split()[0] for case in seeds} == {
        "seeds/000_657526c9dea7105f.txt",
        "seeds/001_15ff2ff835eba1fa.txt",
        "seeds/002_c430042acbbaa5ba.txt",
        "seeds/003_1c7f2c8af4a9427a.txt",
        "seeds/004_6903c48bf570ee66.txt",
    }


def test_second_pass_rows_name_their_reference_section() -> None:
    rows = [case for case in ALL_CASES if case.file == "second_pass_reference_shapes.json"]
    assert len(rows) >= 40
    for case in rows:
        assert "§" in case.source or case.source.startswith("issue"), case.id


def test_watermark_copies_are_not_result_urls() -> None:
    body = {
        "code": 0,
        "data": {
            "task_id": "1",
            "task_status": "succeed",
            "task_result": {"videos": [{"url": "https://x/v.mp4", "watermark_url": "https://x/v_wm.mp4"}]},
        },
    }
    result = normalize(body)
    assert result.video_urls == ("https://x/v.mp4",)
