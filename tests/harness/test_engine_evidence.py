"""Engine evidence: a locally run gateway engine in front of the emulator is never labelled ``live``."""

from __future__ import annotations

import pytest

from conformance.errors import UsageError
from conformance.harness.evidence import engine_evidence, evidence_factory
from conformance.harness.options import RunOptions
from conformance.models import Evidence, EvidenceKind
from conformance.profiles import load_builtin_profiles
from conformance.reports.view import EVIDENCE_MARKERS


def test_engine_label_says_exactly_what_it_is() -> None:
    source = "jince-boy/new-api@2d8e50bf36e9"
    evidence = Evidence(kind=EvidenceKind.ENGINE, source=source, recorded_at="2026-12-03", tool_version="0.1.0")
    assert evidence.label() == (
        "engine jince-boy/new-api@2d8e50bf36e9, run locally on 2026-12-03, upstream emulated by kling-conformance 0.1.0"
    )
    assert Evidence.from_dict(evidence.to_dict()) == evidence
    assert EVIDENCE_MARKERS[EvidenceKind.ENGINE] not in {
        marker for kind, marker in EVIDENCE_MARKERS.items() if kind is not EvidenceKind.ENGINE
    }


def test_record_run_with_engine_carries_engine_evidence() -> None:
    options = RunOptions(
        gateways=["newapi"],
        mode="record",
        base_url="http://127.0.0.1:3000",
        engine="jince-boy/new-api@2d8e50bf36e9",
        recorded_at="2026-12-03",
    )
    options.validate()
    evidence = evidence_factory(options, load_builtin_profiles()["newapi"], "http://127.0.0.1:3000", {})("x")
    assert evidence.kind is EvidenceKind.ENGINE
    assert evidence == engine_evidence("jince-boy/new-api@2d8e50bf36e9", "2026-12-03")


@pytest.mark.parametrize(
    ("engine", "mode", "emulator"),
    [
        ("new-api", "record", False),  # no repo@commit
        ("jince-boy/new-api@main", "record", False),  # not a commit
        ("jince-boy/new-api@2d8e50bf36e9", "replay", False),  # nothing is sent
        ("jince-boy/new-api@2d8e50bf36e9", "live", True),  # the emulator is not an engine
    ],
)
def test_engine_flag_misuse_is_a_usage_error(engine: str, mode: str, emulator: bool) -> None:
    options = RunOptions(gateways=["newapi"], mode=mode, emulator=emulator, engine=engine)
    with pytest.raises(UsageError) as caught:
        options.validate()
    assert caught.value.where == "--engine"
