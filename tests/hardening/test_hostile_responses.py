"""Hostile responses: every case of the corpus goes through a live run of the real harness.

For each case the emulator misbehaves for one gateway only (the target); a second gateway is served
clean in the same run. The run must finish, write its reports, mark the target's affected checks
``fail``/``error`` with a message naming the problem, and judge the clean gateway exactly as a run
without any fault does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import figure_sink_fixture
from hardening_corpus import CORPUS, HostileCase
from hardening_figures import FigureSink
from hardening_live import LiveRun, emulator_for, emulator_run, free_port, profile_run

from conformance.reports import REPORTERS

#: Kling-family gateways take turns as the target; new-api is the clean neighbour.
TARGETS = ("kling-official", "yibuapi", "apicore", "n1n", "winfull")
CLEAN = "newapi"
#: For targets that are not the emulator (TLS, closed port) the neighbour is reached through a profile file.
PROFILE_CLEAN = "kling-official"
#: A run with the tight test caps must finish well within this, whatever the gateway does.
RUN_SECONDS = 60.0

figures = figure_sink_fixture("hostile")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LiveRun]:
    """Fault-free runs of the clean neighbours, alone."""
    emulated = emulator_run([CLEAN], tmp_path_factory.mktemp("baseline-emulator"))
    with emulator_for([PROFILE_CLEAN]) as emu:
        profiled = profile_run({PROFILE_CLEAN: emu.url}, tmp_path_factory.mktemp("baseline-profile"))
    return {"emulator": emulated, "profile": profiled}


def _run_case(case: HostileCase, target: str, workdir: Path) -> tuple[LiveRun, str]:
    if not case.target:
        return emulator_run([target, CLEAN], workdir, case.faults.format(gw=target)), CLEAN
    with emulator_for([PROFILE_CLEAN]) as emu:
        url = emu.url.replace("http://", "https://") if case.target == "tls" else f"http://127.0.0.1:{free_port()}"
        return profile_run({"yibuapi": url, PROFILE_CLEAN: emu.url}, workdir), PROFILE_CLEAN


def _params() -> list[object]:
    return [pytest.param(case, TARGETS[i % len(TARGETS)], id=case.id) for i, case in enumerate(CORPUS)]


def test_corpus_is_large_and_distinct() -> None:
    """At least 40 distinct bad responses, each with its own fault plan or target."""
    assert len(CORPUS) >= 40
    assert len({c.id for c in CORPUS}) == len(CORPUS)
    assert len({(c.faults, c.target) for c in CORPUS}) == len(CORPUS)


@pytest.mark.slow
@pytest.mark.parametrize(("case", "target"), _params())
def test_hostile_response(
    case: HostileCase, target: str, baseline: dict[str, LiveRun], figures: FigureSink, tmp_path: Path
) -> None:
    """The run survives the case and a finding names the problem; the clean neighbour is untouched.

    A case with a known ``gap`` must survive like every other; its naming assertion is an expected
    failure, and turns into a real failure once the gap is closed (remove the ``gap`` then).
    """
    figures.require("tried", len(CORPUS))
    figures.add("tried")
    faulted = "yibuapi" if case.target else target
    run, clean = _run_case(case, faulted, tmp_path)

    # Survival: bounded time, complete report on disk, the neighbour judged as without faults.
    assert run.seconds < RUN_SECONDS, f"{case.id}: run took {run.seconds:.1f} s"
    assert not run.report.meta.incomplete
    assert run.report_dir is not None
    written = {p.name for p in run.report_dir.iterdir()}
    assert {item.filename for _, item in REPORTERS.items()} <= written
    data = json.loads((run.report_dir / "report.json").read_text(encoding="utf-8"))
    assert {r["gateway"] for r in data["results"]} == {faulted, clean}
    assert (run.report_dir.parent / "latest" / "report.json").is_file()
    reference = baseline["profile" if case.target else "emulator"]
    assert run.signature(clean) == reference.signature(clean)
    figures.add("survived")

    # Truth: the target's affected checks fail or error, and a message names the problem.
    findings = run.findings(faulted)
    named = [f for f in findings if re.search(case.names, f, re.IGNORECASE)]
    if case.gap:
        assert not named, f"{case.id}: the gap is closed ({named[0]!r}); remove gap= from the corpus entry"
        figures.add("known_gaps")
        pytest.xfail(case.gap)
    assert findings, f"{case.id}: no fail/error result for {faulted}"
    assert named, f"{case.id}: no finding names the problem ({case.names!r}); first: {findings[:3]}"
    figures.add("named")
