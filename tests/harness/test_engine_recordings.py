"""The engine recordings (cassettes/engines/): labelled with their engine commit, and matched by the emulator.

CI cannot build or run the engines, so it replays what was recorded through them
(``scripts/engines/run_engine.py``, README "Development"): every cassette names the engine repo@commit of
``cassettes/engines/engines.toml``; the emulator's answers for the same scenarios match the engine's
field by field (at least 95% per engine, every remaining difference listed with its reason); and replaying
the engine recordings gives the same verdicts as replaying the emulator's, scenario for scenario.
"""

from __future__ import annotations

import asyncio
import fnmatch
import tomllib
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.cassette import load_gateway_cassettes
from conformance.harness.fidelity import FieldDiff, compare_recordings, format_fidelity
from conformance.harness.options import RunOptions
from conformance.harness.runner import execute_run
from conformance.models import EvidenceKind
from conformance.paths import cassettes_dir

ROOT = cassettes_dir() / "engines"
MANIFEST: dict[str, Any] = tomllib.loads((ROOT / "engines.toml").read_text(encoding="utf-8"))
ENGINES: dict[str, dict[str, Any]] = MANIFEST["engines"]
RECORDED = sorted(name for name in ENGINES if (ROOT / name / ENGINES[name]["gateway"]).is_dir())
GOAL = 0.95


def _reasons(engine: str, key: str) -> list[dict[str, str]]:
    return list(MANIFEST.get("fidelity", {}).get(engine, {}).get(key, []))


def _reason_for(diff: FieldDiff, reasons: list[dict[str, str]]) -> str:
    for entry in reasons:
        if fnmatch.fnmatchcase(diff.scenario, entry["scenario"]) and fnmatch.fnmatchcase(diff.path, entry["path"]):
            return entry["reason"]
    return ""


def test_some_engine_was_recorded() -> None:
    assert RECORDED, "no engine recordings under cassettes/engines/<engine>/<gateway>/"


@pytest.mark.parametrize("engine", RECORDED)
def test_every_engine_cassette_names_its_engine_commit(engine: str) -> None:
    entry = ENGINES[engine]
    cassettes = load_gateway_cassettes(ROOT / engine, entry["gateway"])
    assert cassettes
    for scenario, cassette in cassettes.items():
        evidence = cassette.evidence
        assert evidence.kind is EvidenceKind.ENGINE, scenario
        repo, _, commit = evidence.source.partition("@")
        assert repo == entry["repo"] and len(commit) >= 7 and entry["commit"].startswith(commit), (scenario, evidence)
        assert evidence.recorded_at and evidence.tool_version, scenario
        label = evidence.label()
        assert label.startswith(f"engine {entry['repo']}@{commit}, run locally on {evidence.recorded_at}"), label
        assert label.endswith(f"upstream emulated by kling-conformance {evidence.tool_version}"), label
        assert cassette.gateway == entry["gateway"], scenario


@pytest.mark.parametrize("engine", RECORDED)
def test_emulator_answers_match_the_engine_field_by_field(engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    gateway = ENGINES[engine]["gateway"]
    result = compare_recordings(ROOT / engine, cassettes_dir(), gateway)
    reasons = _reasons(engine, "differences")
    explained = [(diff, _reason_for(diff, reasons)) for diff in result.diffs]
    with capsys.disabled():
        print("\n" + format_fidelity(f"{engine} ({gateway})", result, explained))
    assert not result.missing, f"engine scenarios without an emulator recording: {result.missing}"
    unexplained = [diff for diff, reason in explained if not reason]
    assert not unexplained, f"differences without a reason in cassettes/engines/engines.toml: {unexplained[:5]}"
    assert result.ratio >= GOAL, f"{engine}: {result.matched}/{result.total} is below {GOAL:.0%}"


def _verdicts(cassettes: Path, gateway: str) -> dict[tuple[str, str, str], str]:
    options = RunOptions(gateways=[gateway], cassettes_dir=cassettes, write_report=False)
    report = asyncio.run(execute_run(options))
    return {(r.check, r.operation, r.subject): r.outcome.value for r in report.results}


@pytest.mark.parametrize("engine", RECORDED)
def test_engine_recordings_and_emulator_give_the_same_verdicts(engine: str) -> None:
    gateway = ENGINES[engine]["gateway"]
    theirs, ours = _verdicts(ROOT / engine, gateway), _verdicts(cassettes_dir(), gateway)
    allowed = _reasons(engine, "verdict_differences")
    differ = []
    for key in sorted(set(theirs) | set(ours)):
        if theirs.get(key) == ours.get(key):
            continue
        check, _, subject = key
        if not any(
            fnmatch.fnmatchcase(check, e["check"]) and fnmatch.fnmatchcase(subject, e.get("subject", "*"))
            for e in allowed
        ):
            differ.append((key, theirs.get(key), ours.get(key)))
    assert not differ, f"{engine}: verdicts differ (check, operation, subject), engine vs emulator: {differ[:8]}"


def test_engine_evidence_is_shown_distinctly_in_every_report(tmp_path: Path) -> None:
    from conformance.harness.runner import RunState, run_and_write

    engine = "new-api"
    entry = ENGINES[engine]
    state = RunState()
    options = RunOptions(gateways=[entry["gateway"]], cassettes_dir=ROOT / engine, reports_dir=tmp_path)
    asyncio.run(run_and_write(options, state=state))
    assert state.report_dir is not None
    folder = Path(state.report_dir)
    report = (folder / "report.json").read_text(encoding="utf-8")
    assert '"kind": "engine"' in report or '"kind":"engine"' in report
    label = f"engine {entry['repo']}@{entry['commit'][:12]}, run locally on"
    for name in ("junit.xml", "summary.md", "index.html"):
        text = (folder / name).read_text(encoding="utf-8")
        assert label in text, name
        assert "live (" not in text, name
    assert "**G** engine" in (folder / "summary.md").read_text(encoding="utf-8")
