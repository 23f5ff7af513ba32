"""No reaching inside: result URLs and redirects that point at internal addresses are refused.

A loopback "internal service" logs every hit; the address guard's resolver hook makes ``localhost``
resolve to a private address (10.0.0.7) for the guard only, so the test needs no network: a fetch the
guard let through would still land on the internal service and show in its log. Every case must leave
0 hits there, none of the internal reply in anything written, and (for result URLs) a ``fail`` naming
the refusal.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from conftest import figure_sink_fixture
from hardening_figures import FigureSink
from lax_gateway import InternalService, LaxGateway, internal_service, lax_gateway
from leak_scan import every_file

from conformance.harness.address_guard import PRIVATE_FINDING, use_resolver
from conformance.harness.options import RunOptions
from conformance.harness.runner import run_and_write
from conformance.models import Outcome

figures = figure_sink_fixture("inside")

INTERNAL_MARKS = (b"internal-reply-canary", b"AKIA-INTERNAL")


def _private_localhost(host: str) -> list[str]:
    """The guard's resolver: ``localhost`` is a private host here (10.0.0.7); nothing else resolves."""
    return ["10.0.0.7"] if host == "localhost" else []


def _point(case: str, gw: LaxGateway, internal: InternalService) -> None:
    port = internal.url.rsplit(":", 1)[1]
    private = f"http://localhost:{port}/latest/meta-data/iam"
    if case == "private result URL":
        gw.result_url = private
    elif case == "loopback port other than the gateway's":
        gw.result_url = f"{internal.url}/admin"
    elif case == "file: URL":
        gw.result_url = "file:///etc/passwd"
    elif case == "relative URL":
        gw.result_url = "/media/v.mp4"
    elif case == "result URL redirecting inside":
        gw.result_url, gw.redirect_to = f"{gw.url}/redirect", private
    elif case == "poll redirected inside":
        gw.redirect_to, gw.redirect_gets = private, True
    elif case == "allowed host (control)":
        gw.result_url = private
    else:  # pragma: no cover
        raise AssertionError(case)


def _run(gw: LaxGateway, workdir: Path, allowed: tuple[str, ...]) -> Any:
    options = RunOptions(
        gateways=["kling-official"],
        mode="record",
        base_url=gw.url,
        max_paid_tasks=40,
        checks=["result_url_fetchable"],
        poll_interval=0.01,
        task_deadline=5.0,
        reports_dir=workdir / "reports",
        cassettes_dir=workdir / "cassettes",
        allowed_fetch_hosts=allowed,
        quiet=True,
    )
    return asyncio.run(run_and_write(options))


CASES = (
    "private result URL",
    "loopback port other than the gateway's",
    "file: URL",
    "relative URL",
    "result URL redirecting inside",
    "poll redirected inside",
)


@pytest.mark.parametrize("case", [*CASES, "allowed host (control)"])
def test_internal_addresses_are_never_fetched(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: FigureSink
) -> None:
    monkeypatch.setenv("KLING_API_KEY", "kc-inside-test-key-0000")
    figures.require("cases", len(CASES))
    control = case.startswith("allowed")
    with internal_service() as internal, lax_gateway("accept") as gw, use_resolver(_private_localhost):
        _point(case, gw, internal)
        report = _run(gw, tmp_path, ("localhost",) if control else ())
    assert gw.creates >= 1, "no task was created: the test is vacuous"
    if control:  # the same URL, allowed by the user: it is fetched (the service's log is a real witness)
        assert internal.hits, "an allowed host was not fetched"
        return
    written = every_file(tmp_path)
    stored = [p for p, blob in written.items() if any(m in blob for m in INTERNAL_MARKS)]
    figures.add("cases")
    figures.add("internal_hits", len(internal.hits))
    figures.add("internal_replies_stored", len(stored))
    assert internal.hits == [], f"{case}: the internal service was hit: {internal.hits}"
    assert stored == [], f"{case}: the internal reply was stored in {stored}"
    if case.endswith("URL") or case.startswith(("loopback", "result URL")):
        fetch_results = [
            r for r in report.results if r.check == "result_url_fetchable" and r.outcome is not Outcome.SKIPPED
        ]
        assert fetch_results and all(r.outcome is Outcome.FAIL for r in fetch_results), [
            (r.outcome, r.message) for r in fetch_results
        ]
        if case in ("private result URL", "loopback port other than the gateway's", "result URL redirecting inside"):
            assert any(PRIVATE_FINDING in r.message for r in fetch_results), [r.message for r in fetch_results]
