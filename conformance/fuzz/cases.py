"""Generating schemathesis cases: documented examples, deterministic field probes, hypothesis examples.

Everything here is generation only (no I/O). Each :class:`PlannedCase` carries the schemathesis
``Case`` (with metadata, so schemathesis's own ``positive_data_acceptance`` / ``negative_data_rejection``
judge it), whether it is positive (a paid task when accepted), and the field it breaks, if known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import (
    CaseMetadata,
    ComponentInfo,
    CoverageScenario,
    ExamplesPhaseData,
    GenerationInfo,
    PhaseInfo,
    TestPhase,
)

from conformance.fuzz.probes import FieldProbe, field_probes


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedCase:
    """One request to send. ``source``: ``example`` | ``probe`` | ``hypothesis``."""

    case: Any
    operation_id: str
    positive: bool
    source: str
    field: str = ""
    description: str = ""


def _meta(mode: GenerationMode, phase: PhaseInfo) -> CaseMetadata:
    return CaseMetadata(
        generation=GenerationInfo(time=0.0, mode=mode),
        components={ParameterLocation.BODY: ComponentInfo(mode=mode)},
        phase=phase,
    )


def example_case(operation: Any, operation_id: str, body: dict[str, Any]) -> PlannedCase:
    """The documented request example as a positive case."""
    phase = PhaseInfo(
        name=TestPhase.EXAMPLES,
        data=ExamplesPhaseData(
            description="documented request example", parameter=None, parameter_location=None, location=None
        ),
    )
    case = operation.Case(body=body, media_type="application/json", _meta=_meta(GenerationMode.POSITIVE, phase))
    return PlannedCase(
        case=case, operation_id=operation_id, positive=True, source="example", description="documented request example"
    )


def probe_case(operation: Any, probe: FieldProbe) -> PlannedCase:
    """A single-field probe as a negative coverage-style case (schemathesis names the field on failure)."""
    phase = PhaseInfo.coverage(
        CoverageScenario(probe.scenario),
        probe.description,
        location=f"/properties/{probe.field}/{probe.keyword}",
        parameter=probe.field,
        parameter_location=ParameterLocation.BODY,
    )
    case = operation.Case(body=probe.body, media_type="application/json", _meta=_meta(GenerationMode.NEGATIVE, phase))
    return PlannedCase(
        case=case,
        operation_id=probe.operation_id,
        positive=False,
        source="probe",
        field=probe.field,
        description=probe.description,
    )


def mutated_field(case: Any) -> str:
    """Top-level body field a negative hypothesis case mutated ("" when it broke the body as a whole)."""
    meta = getattr(case, "meta", None)
    data = getattr(getattr(meta, "phase", None), "data", None)
    for mutation in getattr(data, "mutations", ()) or ():
        if getattr(mutation, "parameter_location", None) != ParameterLocation.BODY:
            continue
        path = tuple(getattr(mutation, "path", ()) or ())
        if path and isinstance(path[0], str):
            return path[0]
    parameter = getattr(data, "parameter", None)
    return parameter if isinstance(parameter, str) else ""


def case_description(case: Any) -> str:
    """What schemathesis says about how a case was generated (one line)."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    text = str(getattr(data, "description", "") or "")
    return " ".join(text.split())[:300]


def hypothesis_cases(operation: Any, mode: GenerationMode, max_examples: int, seed: int) -> list[Any]:
    """Up to ``max_examples`` distinct cases from schemathesis's strategy (seeded: reproducible)."""
    drawn: list[Any] = []
    seen: set[str] = set()

    @hypothesis_seed(seed)
    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        key = repr((case.body, case.query, case.path_parameters))
        if key not in seen:
            seen.add(key)
            drawn.append(case)

    collect()
    return drawn


def plan_cases(
    operation: Any, operation_id: str, *, positive: bool, negative: bool, probes: bool, max_examples: int, seed: int
) -> list[PlannedCase]:
    """Every case to send for one create operation, free (negative) ones first."""
    from conformance import spec

    planned: list[PlannedCase] = []
    if negative:
        if probes:
            planned.extend(probe_case(operation, p) for p in field_probes(operation_id))
        for case in hypothesis_cases(operation, GenerationMode.NEGATIVE, max_examples, seed):
            mode = case.meta.generation.mode if case.meta is not None else GenerationMode.NEGATIVE
            if mode.is_positive:
                continue
            planned.append(
                PlannedCase(
                    case=case,
                    operation_id=operation_id,
                    positive=False,
                    source="hypothesis",
                    field=mutated_field(case),
                    description=case_description(case),
                )
            )
    if positive:
        example = spec.operation(operation_id).example_request
        if isinstance(example, dict):
            planned.append(example_case(operation, operation_id, example))
        for case in hypothesis_cases(operation, GenerationMode.POSITIVE, max_examples, seed):
            planned.append(
                PlannedCase(
                    case=case,
                    operation_id=operation_id,
                    positive=True,
                    source="hypothesis",
                    description="schema-valid generated request",
                )
            )
    return planned
