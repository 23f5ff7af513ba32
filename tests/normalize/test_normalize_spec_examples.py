"""Every response example in ``specs/gateways/*.yaml`` (extracted from the seed documents) is read by the
normalizer exactly like the matching seed case, and agrees with the profile's documented shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from normalize_cases import ALL_CASES, BodyCase

from conformance.normalize import normalize
from conformance.paths import gateway_specs_dir


@dataclass(frozen=True)
class SpecExample:
    gateway: str
    operation_id: str
    status: int
    name: str
    value: Any
    provenance: str  # "000_x.txt lines 196-207"


def _spec_examples() -> list[SpecExample]:
    found = []
    directory = gateway_specs_dir()
    for file in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        spec = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for item in (spec.get("paths") or {}).values():
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                for status, response in (operation.get("responses") or {}).items():
                    for media in ((response or {}).get("content") or {}).values():
                        for name, example in ((media or {}).get("examples") or {}).items():
                            source = example.get("x-provenance") or {}
                            first, last = (source.get("lines") or [0, 0])[:2]
                            found.append(
                                SpecExample(
                                    gateway=file.stem,
                                    operation_id=str(operation.get("operationId", "")),
                                    status=int(status) if str(status).isdigit() else 200,
                                    name=name,
                                    value=example.get("value"),
                                    provenance=f"{source.get('file', '')} lines {first}-{last}",
                                )
                            )
    return found


SPEC_EXAMPLES = _spec_examples()
SEED_CASES = [case for case in ALL_CASES if case.file == "seed_examples.json"]


def _seed_case(example: SpecExample) -> BodyCase | None:
    for case in SEED_CASES:
        file, _, lines = case.provenance.removeprefix("seeds/").partition(" ")
        first, _, last = lines.removeprefix("lines ").removeprefix("line ").partition("-")
        if f"{file} lines {first}-{last or first}" == example.provenance:
            return case
    return None


pytestmark = pytest.mark.skipif(not SPEC_EXAMPLES, reason="specs/gateways/*.yaml not written yet")


@pytest.mark.parametrize(
    "example", SPEC_EXAMPLES, ids=[f"{e.gateway}:{e.operation_id}:{e.name}" for e in SPEC_EXAMPLES]
)
def test_spec_example_reads_like_its_seed_case(example: SpecExample) -> None:
    case = _seed_case(example)
    assert case is not None, f"no seed case with provenance {example.provenance}: add it to cases/seed_examples.json"
    assert example.value == case.parsed, "the seed case body drifted from the extracted document example"
    raw = json.dumps(example.value, ensure_ascii=False).encode("utf-8")
    result = normalize(raw, status_code=example.status)
    expected = normalize(case.body_bytes(), status_code=case.status_code)
    assert result == expected


def test_every_seed_case_is_in_a_gateway_spec() -> None:
    provenances = {example.provenance for example in SPEC_EXAMPLES}
    missing = [case.id for case in SEED_CASES if not any(_seed_case(e) is case for e in SPEC_EXAMPLES)]
    assert not missing, f"seed cases not found among {sorted(provenances)}"


@pytest.mark.parametrize(
    "example", SPEC_EXAMPLES, ids=[f"{e.gateway}:{e.operation_id}:{e.name}" for e in SPEC_EXAMPLES]
)
def test_profile_documented_shape_agrees(example: SpecExample) -> None:
    from conformance.profiles import load_profile

    profile = load_profile(example.gateway)
    operation = profile.operation(example.operation_id)
    if operation is None or not operation.documented_shape:
        pytest.skip(f"{example.gateway} records no documented shape for {example.operation_id}")
    result = normalize(example.value, status_code=example.status)
    assert result.shape.value == operation.documented_shape
