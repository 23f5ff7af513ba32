"""Driving from the profile: a fal-style queue gateway on loopback, live, recorded and replayed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from harness_helpers import CANARY
from queue_gateway import CREATE, queue_gateway, queue_profile_toml

from conformance.checks.base import ScenarioTrace
from conformance.harness.client import GatewayClient
from conformance.harness.clock import VirtualClock
from conformance.harness.executor import ExecutionSettings, GatewayExecution, execute_gateway
from conformance.harness.plan import PlannedScenario
from conformance.harness.scenarios import build_catalog
from conformance.models import Evidence, EvidenceKind
from conformance.normalize import normalize
from conformance.profiles import load_profile_file
from conformance.profiles.model import GatewayProfile

EVIDENCE = Evidence(kind=EvidenceKind.LIVE, source="loopback")


def _profile(tmp_path: Path, base_url: str, text: str | None = None) -> GatewayProfile:
    path = tmp_path / "queue.toml"
    path.write_text(text or queue_profile_toml(base_url), encoding="utf-8")
    return load_profile_file(path)


def _run(profile: GatewayProfile, scenario_id: str) -> ScenarioTrace:
    async def go() -> ScenarioTrace:
        clock = VirtualClock()
        async with httpx.AsyncClient() as http:
            client = GatewayClient(gateway=profile.id, base_url=profile.base_url, http=http, clock=clock, key=CANARY)
            scenario = next(s for s in build_catalog(profile) if s.id == scenario_id)
            ex = GatewayExecution(
                profile=profile,
                client=client,
                clock=clock,
                normalizer=lambda e: normalize(
                    e.response.body if e.response else b"", status_code=e.response.status_code if e.response else None
                ),
                evidence_for=lambda _s: EVIDENCE,
                settings=ExecutionSettings(poll_interval=1.0, callback_grace=0.0),
            )
            return (await execute_gateway(ex, [PlannedScenario(scenario)]))[scenario.id]

    return asyncio.run(go())


def test_queue_protocol_is_driven_from_the_profile(tmp_path: Path) -> None:
    with queue_gateway() as gw:
        trace = _run(_profile(tmp_path, gw.base), "text2video.create.minimal")
        seen = list(gw.seen)
    assert not trace.error, trace.error
    assert [e.meta["purpose"] for e in trace.exchanges] == ["create", "poll", "poll", "poll", "result"]
    method, path, _headers, body = seen[0]
    assert (method, path) == ("POST", CREATE)
    assert body == {"prompt": "a paper boat drifting on a calm lake"}  # written in the gateway's dialect
    assert [p for _m, p, _h, _b in seen[1:4]] == ["/fal-ai/kling-video/requests/req-0001/status"] * 3  # status_url
    assert seen[4][1] == "/fal-ai/kling-video/requests/req-0001"  # response_url, once terminal
    assert all(h.get("Authorization") == f"Bearer {CANARY}" for _m, _p, h, _b in seen)  # same origin: keyed
    assert trace.meta["task_id"] == "req-0001" and trace.meta["terminal_word"] == "COMPLETED"
    assert trace.request_body["model_name"] == "kling-v1"  # checks still reason about the canonical request


def test_invalid_probes_reach_the_gateway_in_its_dialect(tmp_path: Path) -> None:
    with queue_gateway() as gw:
        trace = _run(_profile(tmp_path, gw.base), "text2video.create.invalid.missing-required")
        seen = list(gw.seen)
    assert seen[0][3] == {}  # prompt dropped by the probe, model_name by the mapping
    assert trace.exchanges[0].response is not None and trace.exchanges[0].response.status_code == 422
    assert len(trace.exchanges) == 1  # refused: nothing to poll


def test_a_poll_url_on_another_origin_is_not_followed(tmp_path: Path) -> None:
    with queue_gateway() as gw:
        other = gw.base.replace("127.0.0.1", "localhost")
        text = queue_profile_toml(other)  # the profile's host differs from the one status_url names
        profile = _profile(tmp_path, other, text)
        trace = _run(profile, "text2video.create.minimal")
        seen = list(gw.seen)
    assert [e.meta["purpose"] for e in trace.exchanges] == ["create"]
    assert "another origin" in trace.error and "not followed" in trace.error
    assert len(seen) == 1  # the key went nowhere but the profile's own host


def test_poll_path_template_and_result_path(tmp_path: Path) -> None:
    with queue_gateway() as gw:
        text = queue_profile_toml(gw.base).replace(
            'poll_url = "$.status_url"', 'poll_path = "/fal-ai/kling-video/requests/{task_id}/status"'
        )
        text = text.replace('result_url = "$.response_url"', 'result_path = "/fal-ai/kling-video/requests/{task_id}"')
        trace = _run(_profile(tmp_path, gw.base, text), "text2video.create.minimal")
    assert [e.meta["purpose"] for e in trace.exchanges] == ["create", "poll", "poll", "poll", "result"]
    assert trace.exchanges[-1].request.url.endswith("/fal-ai/kling-video/requests/req-0001")


def test_record_then_replay_gives_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.harness import executor
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import execute_run

    async def no_callback_wait(*_args: object) -> None:  # this gateway takes no callback URL
        return None

    monkeypatch.setattr(executor, "_await_final_callback", no_callback_wait)
    monkeypatch.setenv("KLING_API_KEY", CANARY)
    cassettes = tmp_path / "cassettes"
    with queue_gateway() as gw:
        profile_file = tmp_path / "queue.toml"
        profile_file.write_text(queue_profile_toml(gw.base), encoding="utf-8")
        recorded = asyncio.run(
            execute_run(
                RunOptions(
                    profile_paths=[str(profile_file)],
                    mode="record",
                    cassettes_dir=cassettes,
                    poll_interval=0.01,
                    write_report=False,
                    quiet=True,
                    fetch_results=False,
                )
            )
        )
    replayed = asyncio.run(
        execute_run(
            RunOptions(
                profile_paths=[str(profile_file)],
                mode="replay",
                cassettes_dir=cassettes,
                write_report=False,
                quiet=True,
            )
        )
    )
    minimal = (cassettes / "queue-loop" / "text2video.create.minimal.yaml").read_text(encoding="utf-8")
    assert "model_name" not in minimal.split('"response"')[0]  # the recorded request is the gateway's own body
    assert CANARY not in minimal

    def outcomes(report: object) -> list[tuple[str, str, str, str]]:
        return sorted((r.check, r.operation, r.subject, r.outcome.value) for r in report.results)  # type: ignore[attr-defined]

    assert outcomes(recorded) == outcomes(replayed)
