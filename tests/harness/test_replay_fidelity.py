"""What the live client noted about a body, and its send order, survive the cassette: replay judges the same."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import vcr

from conformance.harness.cassette import load_cassette
from conformance.harness.client import HttpLimits
from conformance.harness.options import RunOptions
from conformance.harness.runner import RunState, execute_run
from conformance.runmodel import RunReport

#: Every 5th request loses its connection half-way through the body; every 11th answers a body over the cap.
FAULTS = "reset=%5,big-body=%11:40KB"
LIMITS = HttpLimits(max_body_bytes=30_000)


def _run(cassettes: Path, *, record: bool) -> tuple[RunReport, RunState]:
    state = RunState()
    options = RunOptions(
        gateways=["onehub"],
        cassettes_dir=cassettes,
        write_report=False,
        limits=LIMITS,
        **(
            {"mode": "record", "emulator": True, "time_scale": 0.001, "seed": 3, "emulator_faults": FAULTS}
            if record
            else {}
        ),
    )
    return asyncio.run(execute_run(options, state=state)), state


def _exchange_meta(state: RunState) -> dict[str, tuple[Any, str]]:
    return {
        exchange.ref: (exchange.meta.get("seq"), str(exchange.meta.get("body_note", "")))
        for traces in state.traces.values()
        for trace in traces.values()
        for exchange in trace.exchanges
    }


def _wellformed(report: RunReport) -> list[tuple[str, str, str, str]]:
    return sorted(
        (r.operation, r.subject, r.outcome.value, r.message)
        for r in report.results
        if r.check == "response_body_well_formed"
    )


def test_body_notes_and_send_order_replay_as_recorded(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    live, live_state = _run(cassettes, record=True)
    replayed, replay_state = _run(cassettes, record=False)

    recorded = _exchange_meta(live_state)
    notes = {ref: note for ref, (_, note) in recorded.items() if note}
    assert any("mid-body" in n for n in notes.values()) and any("cap" in n for n in notes.values())
    seqs = [seq for seq, _ in recorded.values()]
    assert all(isinstance(s, int) and s > 0 for s in seqs) and len(set(seqs)) == len(seqs)  # one per send

    assert _exchange_meta(replay_state) == recorded
    assert _wellformed(replayed) == _wellformed(live)
    assert any(outcome == "fail" and "mid-body" in message for _, _, outcome, message in _wellformed(replayed))
    assert [(r.check, r.subject, r.outcome) for r in replayed.results] == [
        (r.check, r.subject, r.outcome) for r in live.results
    ]


def test_the_notes_live_in_the_interaction_block_vcrpy_ignores(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    _run(cassettes, record=True)
    noted = []
    for path in sorted(cassettes.rglob("*.yaml")):
        cassette = load_cassette(path)
        if any(i.note for i in cassette.interactions):
            noted.append(path)
    assert noted
    raw = json.loads(noted[0].read_text())
    blocks = [i["kling_conformance"] for i in raw["interactions"]]
    assert any(b.get("body_note") for b in blocks) and all(isinstance(b.get("seq"), int) for b in blocks)
    played = vcr.cassette.Cassette.load(path=str(noted[0]))  # vcrpy still reads the cassette
    assert len(played.responses) == len(raw["interactions"])


def test_a_cassette_without_send_order_replays_without_one(tmp_path: Path) -> None:
    """Older cassettes carry no ``seq``: their exchanges get none (never mixed with this run's counter)."""
    cassettes = tmp_path / "cassettes"
    _run(cassettes, record=True)
    old = cassettes / "onehub" / "image2video.create.minimal.yaml"
    document = json.loads(old.read_text())
    for interaction in document["interactions"]:
        interaction["kling_conformance"].pop("seq")
    old.write_text(json.dumps(document))
    _, state = _run(cassettes, record=False)
    traces = state.traces["onehub"]
    assert all("seq" not in e.meta for e in traces["image2video.create.minimal"].exchanges)
    assert all(isinstance(e.meta.get("seq"), int) for e in traces["text2video.create.minimal"].exchanges)
