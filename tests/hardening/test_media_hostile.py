"""A hostile result file met live over HTTP is a finding of result_media_matches_request, never a crash."""

from __future__ import annotations

import asyncio

import pytest
from lax_gateway import lax_gateway

from conformance.harness.options import RunOptions
from conformance.harness.runner import execute_run
from conformance.models import Outcome


def test_a_truncated_mp4_behind_the_result_url_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_API_KEY", "kc-media-test-key-0000")
    with lax_gateway("accept") as gw:  # every task succeeds at once; /media/v.mp4 is 16 bytes of a 24-byte box
        options = RunOptions(
            gateways=["kling-official"],
            mode="live",
            base_url=gw.url,
            max_paid_tasks=40,
            poll_interval=0.01,
            task_deadline=5.0,
            write_report=False,
            checks=["result_media_matches_request"],
            quiet=True,
        )
        report = asyncio.run(execute_run(options))
    media = [r for r in report.results if r.check == "result_media_matches_request"]
    assert media and not [r for r in media if r.outcome is Outcome.ERROR]
    failed = [r for r in media if r.outcome is Outcome.FAIL]
    assert failed, [r.message for r in media]
    assert all("truncated" in r.message or "no moov" in r.message for r in failed), [r.message for r in failed]
    fetches = [p for p in gw.requests if p[1].startswith("/media/")]
    assert fetches and all(h.get("Range", "").startswith("bytes=0-") for _, _, h in fetches)
