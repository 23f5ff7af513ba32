"""Catalog results map to pytest outcomes: fail → failed, error → error, waived → xfail, skipped → skip."""

from __future__ import annotations

from typing import Any

import pytest
from pytest import Pytester

from conformance.pytest_kling.session import KlingSession


def _result(check: str, outcome: str, **extra: Any) -> dict[str, Any]:
    base = {
        "gateway": "yibuapi",
        "check": check,
        "operation": "image2video.create",
        "outcome": outcome,
        "severity": "high",
        "evidence": {"kind": "emulator", "source": "emulator profile yibuapi"},
        "message": "",
        "expected": None,
        "actual": None,
        "json_path": "",
        "exchange_ref": "",
        "reason": "",
    }
    base.update(extra)
    return base


FAKE_REPORT = {
    "results": [
        _result(
            "bad_enum_rejected",
            "fail",
            message="duration '7' was accepted",
            json_path="$.duration",
            expected="4xx",
            actual="HTTP 200",
            exchange_ref="yibuapi/image2video.create.invalid.bad-enum#0",
        ),
        _result("status_vocabulary_kling", "waived", reason="known departure: status words are upper-case"),
        _result("callback_delivered_per_status", "skipped", reason="budget"),
        _result("result_url_fetchable", "error", message="transport: ConnectError"),
        _result("doc_example_accepted", "pass"),
        _result("doc_example_accepted", "skipped", reason="not documented", operation="text2video.create"),
    ]
}


@pytest.fixture
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KlingSession, "catalog_report", lambda self: FAKE_REPORT)


def test_outcomes_map_to_pytest(pytester: Pytester, fake_catalog: None) -> None:
    wanted = (
        "bad_enum_rejected or status_vocabulary_kling or callback_delivered_per_status or "
        "result_url_fetchable or doc_example_accepted"
    )
    result = pytester.runpytest("-rA", "--kling-gateway", "yibuapi", "-k", wanted)
    result.assert_outcomes(passed=1, failed=1, xfailed=1, skipped=1, errors=1)
    out = result.stdout.str()
    for line in (
        "*FAILED kling-conformance::test_conformance[[]yibuapi-bad_enum_rejected[]]*",
        "*ERROR kling-conformance::test_conformance[[]yibuapi-result_url_fetchable[]]*",
        "*XFAIL kling-conformance::test_conformance[[]yibuapi-status_vocabulary_kling[]]*upper-case*",
        "*SKIPPED*budget*",
        "*PASSED kling-conformance::test_conformance[[]yibuapi-doc_example_accepted[]]*",
    ):
        result.stdout.fnmatch_lines([line])
    assert "$.duration" in out and "duration '7' was accepted" in out and "HTTP 200" in out
    assert "yibuapi/image2video.create.invalid.bad-enum#0" in out
    assert "ConnectError" in out and "CallInfo" not in out  # the cause, not a traceback into the plugin
    from conformance.checks import load_builtin_checks

    total = len(load_builtin_checks().items())
    result.stdout.fnmatch_lines([f"collected {total} items / {total - 5} deselected / 5 selected"])


def test_a_check_without_results_is_skipped_for_no_evidence(pytester: Pytester, fake_catalog: None) -> None:
    result = pytester.runpytest("-rs", "--kling-gateway", "yibuapi", "-k", "unknown_task_error")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no evidence*"])
