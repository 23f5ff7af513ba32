"""Run-level rules: true evidence per result, callbacks kept per gateway, no call without a host."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from conformance.errors import UsageError
from conformance.harness.options import RunOptions
from conformance.harness.runner import RunState, execute_run, load_profiles, plan_run
from conformance.harness.scenarios import CALLBACK_PLACEHOLDER, callback_path
from conformance.models import EvidenceKind, Outcome

CLI = [sys.executable, "-m", "conformance"]


def test_every_result_carries_the_evidence_of_the_exchange_it_judged() -> None:
    gateways = ["apicore", "bynewapi", "yibuapi"]
    state = RunState()
    report = asyncio.run(execute_run(RunOptions(gateways=gateways, write_report=False), state=state))
    evidence_of = {e.ref: e.evidence for traces in state.traces.values() for t in traces.values() for e in t.exchanges}
    judged = [r for r in report.results if r.exchange_ref and r.outcome is not Outcome.SKIPPED]
    assert judged
    for result in judged:
        assert result.evidence == evidence_of[result.exchange_ref], (result.gateway, result.check, result.operation)
    for gateway in gateways:  # the documented examples (create or query) are judged, and labelled as such
        doc = [r for r in judged if r.gateway == gateway and r.evidence.kind is EvidenceKind.DOC_DERIVED]
        assert doc, f"{gateway}: no result judged its doc-derived cassettes"
        assert all(".txt lines" in r.evidence.source for r in doc)
    query_docs = {r.operation for r in judged if r.gateway == "apicore" and r.evidence.kind is EvidenceKind.DOC_DERIVED}
    assert "image2video.get" in query_docs and any(
        r.check == "response_schema_canonical" and r.evidence.kind is EvidenceKind.DOC_DERIVED
        for r in judged
        if r.gateway == "apicore"
    )


def test_callback_urls_name_gateway_and_scenario() -> None:
    options = RunOptions(gateways=["kling-official", "yibuapi"])
    plan, _ = plan_run(options, load_profiles(options))
    paths: dict[str, str] = {}
    for gateway, items in plan.gateways.items():
        for item in items:
            body = item.scenario.request_body
            if isinstance(body, dict) and str(body.get("callback_url", "")).startswith(CALLBACK_PLACEHOLDER):
                path = callback_path(body["callback_url"])
                assert path.startswith(f"/callback/{gateway}/"), path
                paths.setdefault(path, gateway)
                assert paths[path] == gateway, f"{path} shared by two gateways"
    assert set(paths.values()) == {"kling-official", "yibuapi"}


@pytest.mark.parametrize("mode", ["live", "record"])
def test_profile_without_base_url_is_refused_before_any_call(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWAPI_API_KEY", "kc-test-key")
    with pytest.raises(UsageError) as caught:
        asyncio.run(execute_run(RunOptions(gateways=["newapi"], mode=mode, write_report=False)))
    error = caught.value
    assert "newapi" in str(error) and "--base-url" in error.render() and error.field == "base_url"
    # several at once are named together
    with pytest.raises(UsageError, match="apicore, newapi, onehub"):
        asyncio.run(execute_run(RunOptions(gateways=["apicore", "newapi", "onehub"], mode=mode, write_report=False)))


def test_cli_names_the_profile_and_the_fix_for_a_missing_base_url() -> None:
    env = {**os.environ, "ONEHUB_API_KEY": "kc-test-key"}
    done = subprocess.run(
        [*CLI, "run", "--mode", "live", "-g", "onehub"], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 2, done.stderr
    assert "onehub" in done.stderr and "--base-url" in done.stderr and "Traceback" not in done.stderr
