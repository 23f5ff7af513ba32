"""Live client behaviour: Retry-After, backoff caps, deadlines, caps on bodies."""

from __future__ import annotations

import asyncio

import httpx
from harness_helpers import FakeGateway

from conformance.checks.base import ScenarioTrace
from conformance.harness.client import HttpLimits, parse_retry_after
from conformance.harness.clock import VirtualClock
from conformance.harness.executor import ExecutionSettings, GatewayExecution, execute_gateway
from conformance.harness.plan import PlannedScenario
from conformance.harness.scenarios import build_catalog
from conformance.models import Evidence, EvidenceKind
from conformance.profiles.model import GatewayProfile

EVIDENCE = Evidence(kind=EvidenceKind.LIVE, source="gw.example")


def _send(client, path: str = "/kling/v1/videos/image2video/1"):  # type: ignore[no-untyped-def]
    return asyncio.run(
        client.send(
            scenario="s",
            operation_id="image2video.get",
            ref="fake/s#0",
            evidence=EVIDENCE,
            method="GET",
            url=client.url_for(path),
            meta={"purpose": "query"},
        )
    )


def test_retry_after_is_honoured(make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()
    gateway.script = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"code": 1302}),
        httpx.Response(503, headers={"Retry-After": "3"}, text="busy"),
    ]
    clock = VirtualClock()
    attempted = _send(make_client(gateway.handler, clock=clock))
    assert clock.slept == 10.0
    assert attempted.exchange.response.status_code == 200
    assert attempted.exchange.meta["retry_waits"] == [7.0, 3.0]
    assert [i.response.status_code for i in attempted.interactions] == [429, 503, 200]  # every attempt recorded


def test_huge_retry_after_is_capped_and_retries_are_bounded(make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()
    gateway.script = [httpx.Response(429, headers={"Retry-After": "99999"}) for _ in range(10)]
    clock = VirtualClock()
    limits = HttpLimits(max_retries=2, retry_after_cap=30.0)
    attempted = _send(make_client(gateway.handler, clock=clock, limits=limits))
    assert clock.slept == 60.0
    assert attempted.exchange.response.status_code == 429  # the finding is kept, not hidden


def test_429_without_retry_after_backs_off_with_jitter(make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()
    gateway.script = [httpx.Response(429), httpx.Response(429)]
    clock = VirtualClock()
    _send(make_client(gateway.handler, clock=clock, limits=HttpLimits(backoff_base=1.0)))
    assert 0.5 + 1.0 <= clock.slept <= 1.0 + 2.0


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now_epoch=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


def test_body_cap_truncates(make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()
    gateway.script = [httpx.Response(200, content=b"x" * 50_000)]
    attempted = _send(make_client(gateway.handler, limits=HttpLimits(max_body_bytes=10_000)))
    assert attempted.exchange.response.truncated
    assert len(attempted.exchange.response.body) == 10_000
    assert "cap" in attempted.exchange.meta["body_note"]


def _run_minimal(
    official: GatewayProfile, gateway: FakeGateway, settings: ExecutionSettings, make_client
) -> ScenarioTrace:  # type: ignore[no-untyped-def]
    from conformance.normalize import normalize

    clock = VirtualClock()
    client = make_client(gateway.handler, clock=clock)
    scenario = next(s for s in build_catalog(official) if s.id == "image2video.create.minimal")
    ex = GatewayExecution(
        profile=official,
        client=client,
        clock=clock,
        normalizer=lambda e: normalize(
            e.response.body if e.response else b"",
            status_code=e.response.status_code if e.response else None,
            profile=official,
        ),
        evidence_for=lambda _s: EVIDENCE,
        settings=settings,
    )
    return asyncio.run(execute_gateway(ex, [PlannedScenario(scenario)]))[scenario.id]


def test_polls_to_terminal_then_fetches_the_result(official, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway(statuses=("submitted", "processing", "processing", "succeed"))
    trace = _run_minimal(official, gateway, ExecutionSettings(poll_interval=5.0), make_client)
    purposes = [e.meta["purpose"] for e in trace.exchanges]
    assert purposes == ["create", "poll", "poll", "poll", "poll", "result-fetch"]
    assert trace.meta["terminal_status"] == "succeed" and not trace.deadline_exceeded
    assert trace.exchanges[-1].request.header("Authorization") is None  # the key never goes to a CDN
    assert trace.exchanges[1].operation_id == "image2video.get"


def test_task_deadline_stops_polling(official, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway(statuses=("processing",))
    trace = _run_minimal(official, gateway, ExecutionSettings(poll_interval=10.0, task_deadline=60.0), make_client)
    assert trace.deadline_exceeded
    assert 5 <= len(trace.polls) <= 7


def test_run_deadline_marks_the_run_incomplete_and_still_reports(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A live run against the emulator with a tiny run deadline: partial report, marked incomplete."""
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import run_and_write

    options = RunOptions(
        gateways=["kling-official"], emulator=True, time_scale=0.05, deadline=0.4, reports_dir=tmp_path
    )
    report = asyncio.run(run_and_write(options))
    assert report.meta.incomplete
    assert (tmp_path / report.meta.run_id / "report.json").is_file()
    assert any(r.outcome.value == "error" for r in report.results)


def test_failed_polls_name_the_last_answer(official, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return gateway.handler(request)
        body = {"code": 1203, "message": "task  not\nfound", "request_id": "r"}
        return httpx.Response(404, json=body)

    trace = _run_minimal(
        official, FakeGateway(), ExecutionSettings(poll_interval=1.0), lambda _h, **kw: make_client(handler, **kw)
    )
    assert trace.error.endswith("consecutive polls failed; last: HTTP 404 kling-error (code 1203: task not found)")


def test_a_poll_without_a_response_names_the_transport_error(official, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return gateway.handler(request)
        raise httpx.ReadError("connection reset by peer")

    trace = _run_minimal(
        official, FakeGateway(), ExecutionSettings(poll_interval=1.0), lambda _h, **kw: make_client(handler, **kw)
    )
    assert "consecutive polls failed; last: transport: ReadError: connection reset by peer" in trace.error
