"""The emulator serves a custom profile as itself, from its own description: the profile reads every body it gets.

For every documented built-in outside the eight (fal, replicate, piapi, ...), the whole catalog runs against
the emulator of that profile, and the normalizer reads every answer with the same profile: no body and no
status word is ``unknown``, a create answer has the operation's ``response_shape`` and an error answer the
profile's error shape. Segmind documents no answer at all, so it is refused, not emulated as Kling.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.coverage import emulation_gaps, served_by_default
from conformance.emulator.described import is_described
from conformance.harness.options import RunOptions
from conformance.harness.runner import RunState, execute_run
from conformance.normalize import normalize
from conformance.profiles import load_builtin_profiles, load_profile

DESCRIBED = [gid for gid, p in load_builtin_profiles().items() if is_described(p) and not emulation_gaps(p)]


def test_the_nine_documented_gateways_are_described_and_only_segmind_is_refused() -> None:
    builtins = load_builtin_profiles()
    documented = ["fal", "replicate", "piapi", "wavespeed", "kie", "aimlapi", "segmind", "aiai", "n1n-fal"]
    assert all(is_described(builtins[gid]) for gid in documented)
    assert sorted(DESCRIBED) == sorted(set(documented) - {"segmind"})
    assert "documents no answer of its own" in emulation_gaps(builtins["segmind"])[0]
    assert not any(served_by_default(builtins[gid]) for gid in documented)  # served when named


@pytest.fixture(scope="module")
def catalog_run() -> tuple[Any, RunState]:
    """One emulator run of the whole catalog against every described built-in."""
    state = RunState()
    options = RunOptions(gateways=DESCRIBED, emulator=True, mode="live", time_scale=0.001, write_report=False,
                         quiet=True)  # fmt: skip
    report = asyncio.run(execute_run(options, state=state))
    return report, state


@pytest.mark.parametrize("gateway", DESCRIBED)
def test_the_profile_reads_every_emulated_body(gateway: str, catalog_run: tuple[Any, RunState]) -> None:
    report, state = catalog_run
    profile = load_profile(gateway)
    read = unknown = 0
    creates: set[str] = set()
    for scenario, trace in state.traces[gateway].items():
        for exchange in trace.exchanges:
            response = exchange.response
            if response is None or not response.body:
                continue
            result = normalize(response.body, status_code=response.status_code, profile=profile,
                               operation=exchange.operation_id)  # fmt: skip
            read += 1
            if result.shape.value == "unknown" or (result.status is not None and result.status.value == "unknown"):
                unknown += 1
            op = profile.operation(exchange.operation_id)
            if exchange.meta.get("purpose") == "create" and 200 <= response.status_code < 300 and op is not None:
                assert result.shape.value == op.response_shape, (scenario, response.body[:300])
                assert result.task_id, (scenario, response.body[:300])
                creates.add(scenario)
            if response.status_code >= 400:
                assert result.is_error, (scenario, response.body[:300])
    assert read >= 20 and unknown == 0
    assert creates  # tasks were created, polled and judged
    passed = [r for r in report.results if r.gateway == gateway and r.outcome.value == "pass"]
    assert any(r.check == "created_task_queryable" for r in passed)  # the task protocol was followed


def test_a_users_own_described_profile_is_served_as_itself(tmp_path: Path) -> None:
    text = """
        id = "my-jobs"
        title = "jobs"
        family = "custom"
        base_url = "https://jobs.example.com"
        path_prefix = ""

        [operations."*"]
        supported = false

        [operations."text2video.create"]
        supported = true
        path = "/v2/jobs"
        response_shape = "job"

        [operations."text2video.create".request]
        nest = "input"
        drop = ["model_name"]

        [operations."text2video.create".task]
        task_id = "$.job.id"
        poll_url = "$.job.links.status"
        status = "$.job.state"
        terminal = ["finished", "broken"]

        [operations."text2video.get"]
        supported = true
        path = "/v2/jobs/{task_id}"
        response_shape = "job"

        [errors]
        shape = "job-error"
        auth_shape = "job-error"
        unknown_task_shape = "job-error"
        unsupported_shape = "job-error"

        [reading]
        base = []

        [reading.statuses]
        waiting = "submitted"
        working = "processing"
        finished = "succeed"
        broken = "failed"

        [[reading.shapes]]
        id = "job-error"
        error = true
        when = [{ path = "$.problem", type = "object" }]
        error_code = "$.problem.kind"
        error_message = "$.problem.text"

        [[reading.shapes]]
        id = "job"
        when = [{ path = "$.job", type = "object" }]
        task_id = "$.job.id"
        status = "$.job.state"
        video_urls = "$.job.files[*].href"
        video_durations = "$.job.files[*].seconds"
        failure_reason = "$.job.why"
        created_at = { path = "$.job.created", unit = "iso" }
    """
    path = tmp_path / "jobs.toml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    options = RunOptions(profile_paths=[str(path)], gateways=["my-jobs"], emulator=True, mode="live",
                         time_scale=0.001, reports_dir=tmp_path / "r", quiet=True)  # fmt: skip
    report = asyncio.run(execute_run(options))
    passed = {r.check for r in report.results if r.outcome.value == "pass"}
    assert {"minimal_request_accepted", "created_task_queryable", "success_has_result_url"} <= passed
