"""schemathesis (a tool we did not write) against the emulator with the canonical spec.

Its checks must pass for kling-official and the pass-through profiles; where a profile departs from
the contract, every failure schemathesis finds must map to a catalog check that profile documents as
a departure. This proves the emulator and the spec agree, and that the departures are the only gaps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from emulator_support import KEY
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from conformance.emulator import EmulatorConfig, RunningEmulator, start_emulator
from conformance.paths import canonical_spec_path
from conformance.profiles import load_profile
from conformance.profiles.model import GatewayProfile

GATEWAYS = ["kling-official", "onehub", "newapi"]

#: schemathesis failure class -> the catalog checks that judge the same property.
FAILURE_TO_CHECKS: dict[str, set[str]] = {
    "JsonSchemaError": {"response_schema_canonical", "error_body_canonical"},
    "RejectedPositiveData": {"minimal_request_accepted", "unknown_task_error", "doc_example_accepted"},
    "UndefinedStatusCode": {"unknown_task_error", "error_status_matches_code", "no_5xx_for_client_errors"},
    "AcceptedNegativeData": {
        "bad_enum_rejected",
        "wrong_type_rejected",
        "out_of_range_rejected",
        "missing_required_rejected",
    },
    "ServerError": {"no_5xx_for_client_errors"},
    "UndefinedContentType": {"content_type_json"},
    "MissingContentType": {"content_type_json"},
    "MalformedJson": {"content_type_json", "response_schema_canonical"},
    "IgnoredAuth": {"auth_invalid_key_rejected", "auth_missing_key_rejected"},
}

#: schemathesis failure class -> departure kinds that document it when the departure names no check.
FAILURE_TO_KINDS: dict[str, set[str]] = {
    "JsonSchemaError": {"response"},
    "RejectedPositiveData": {"request", "behaviour"},
    "UndefinedStatusCode": {"behaviour", "response"},
    "AcceptedNegativeData": {"request"},
    "ServerError": {"request", "behaviour"},
}


def _documented(profile: GatewayProfile, failure: str, operation_id: str) -> bool:
    """Whether a departure of ``profile`` documents ``failure`` on ``operation_id``."""
    if any(profile.departures_for(check, operation_id) for check in FAILURE_TO_CHECKS.get(failure, set())):
        return True
    return any(
        not d.check and d.operation in ("", operation_id) and d.kind in FAILURE_TO_KINDS.get(failure, set())
        for d in profile.departures
    )


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    profiles = [load_profile(gateway) for gateway in GATEWAYS]
    with start_emulator(profiles, EmulatorConfig(keys=(KEY,), time_scale=0.001, seed=3)) as running:
        yield running


def _schemathesis_own_checks() -> list[Any]:
    """schemathesis's built-in checks only.

    Our normalizer-aware checks are registered process-wide once any test imports them, and schemathesis
    runs every registered check by default: without leaving them out this test would judge newapi/onehub
    bodies with the official-envelope reading (our checks are profile-aware and are tested with the
    profile in tests/fuzz), and its outcome would depend on which tests ran before it.
    """
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return [check for check in CHECKS.get_all() if check.__module__.startswith("schemathesis.")]


def _failures(schema: schemathesis.BaseSchema, base_url: str, path: str, method: str, examples: int) -> set[str]:
    found: set[str] = set()
    checks = _schemathesis_own_checks()
    operation = schema[path][method]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as caught:  # schemathesis raises a FailureGroup
            for failure in getattr(caught, "exceptions", [caught]):
                found.add(type(failure).__name__)
    return found


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_schemathesis_checks_pass_except_documented_departures(gateway: str, emulator: RunningEmulator) -> None:
    schema = schemathesis.openapi.from_path(str(canonical_spec_path()))
    profile = load_profile(gateway)
    base_url = emulator.base_url(gateway) + profile.path_prefix
    examples = 3 if len(profile.supported_operations()) > 6 else 8
    unexplained: dict[str, set[str]] = {}
    seen: set[str] = set()
    for op in profile.operations.values():
        if not op.supported:
            continue
        failures = _failures(schema, base_url, op.path[len(profile.path_prefix) :], op.method, examples)
        seen |= failures
        for failure in failures:
            if not _documented(profile, failure, op.operation_id):
                unexplained.setdefault(op.operation_id, set()).add(failure)
    assert unexplained == {}, f"schemathesis failures no departure of {gateway} explains"
    if not profile.departures:
        assert seen == set()
