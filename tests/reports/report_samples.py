"""Synthetic but realistic RunReports (several gateways, every outcome and evidence kind) for the report tests."""

from __future__ import annotations

from typing import Any

from conformance.models import CheckResult, Evidence, EvidenceKind, Outcome, Severity
from conformance.runmodel import Observation, RunMeta, RunReport

EMU = Evidence(kind=EvidenceKind.EMULATOR, source="emulator:{gw}", recorded_at="2026-11-20", tool_version="0.1.0")
DOC = Evidence(
    kind=EvidenceKind.DOC_DERIVED, source="seeds/000-yibuapi-image2video.txt:40-88", recorded_at="2026-11-01"
)
LIVE = Evidence(kind=EvidenceKind.LIVE, source="api.n1n.example", recorded_at="2026-11-21")
FUZZ = Evidence(kind=EvidenceKind.FUZZ, source="schemathesis", recorded_at="2026-11-21")
USER = Evidence(kind=EvidenceKind.USER_SUPPLIED, source="my-capture.har", recorded_at="2026-11-19")

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> | `tick` **bold** ]]>'


def emu(gateway: str) -> Evidence:
    """Emulator evidence for ``gateway``."""
    return Evidence(
        kind=EvidenceKind.EMULATOR, source=f"emulator:{gateway}", recorded_at="2026-11-20", tool_version="0.1.0"
    )


def result(
    gateway: str,
    check: str,
    outcome: Outcome,
    *,
    area: str,
    operation: str = "",
    evidence: Evidence | None = None,
    severity: Severity = Severity.HIGH,
    **extra: Any,
) -> CheckResult:
    """A CheckResult with defaults that read like the harness's."""
    return CheckResult(
        gateway=gateway,
        check=check,
        outcome=outcome,
        severity=severity,
        area=area,
        operation=operation,
        evidence=evidence or emu(gateway),
        **extra,
    )


def exchange(method: str, url: str, status: int, body: str, req_body: str = "") -> dict[str, Any]:
    """A redacted exchange summary as the harness stores it."""
    return {
        "request": {
            "method": method,
            "url": url,
            "headers": {"Authorization": "[REDACTED]", "Content-Type": "application/json"},
            "body": req_body,
        },
        "response": {
            "status_code": status,
            "headers": {"content-type": "application/json"},
            "body": body,
            "truncated": False,
        },
        "error": None,
    }


def build_report(run_id: str = "20261122T101500Z-a1b2c3") -> RunReport:
    """Four gateways, every outcome, every evidence kind, per-operation checks, observations and exchanges."""
    P, F, E, S, W = Outcome.PASS, Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED, Outcome.WAIVED
    acc, shp, life, err, cb, inv = (
        "request-acceptance",
        "response-shape",
        "lifecycle",
        "errors-auth",
        "callbacks",
        "invalid-requests",
    )
    results = [
        # kling-official: clean reference
        result("kling-official", "minimal_request_accepted", P, area=acc, operation="image2video.create"),
        result("kling-official", "minimal_request_accepted", P, area=acc, operation="text2video.create"),
        result("kling-official", "response_shape_family", P, area=shp, operation="image2video.get"),
        result("kling-official", "status_vocabulary_kling", P, area=shp, operation="image2video.get"),
        result("kling-official", "task_id_stable", P, area=life, operation="image2video.get"),
        result("kling-official", "auth_missing_key_rejected", P, area=err),
        result("kling-official", "bad_enum_rejected", P, area=inv, operation="image2video.create"),
        result("kling-official", "callback_body_official", P, area=cb, operation="image2video.create"),
        # yibuapi: doc-derived evidence next to emulator evidence, a waiver
        result(
            "yibuapi",
            "doc_example_accepted",
            P,
            area=acc,
            operation="image2video.create",
            evidence=DOC,
            exchange_ref="yibuapi/image2video.create.doc-example#0",
            subject="image2video.create.doc-example",
        ),
        result("yibuapi", "minimal_request_accepted", P, area=acc, operation="image2video.create"),
        result(
            "yibuapi",
            "minimal_request_accepted",
            S,
            area=acc,
            operation="text2video.create",
            reason="budget",
            message="paid check skipped: no budget left",
        ),
        result(
            "yibuapi",
            "optional_param_accepted",
            P,
            area=acc,
            operation="image2video.create",
            exchange_ref="yibuapi/image2video.create.param.cfg_scale#0",
            subject="image2video.create.param.cfg_scale",
        ),
        result(
            "yibuapi",
            "optional_param_accepted",
            F,
            area=acc,
            operation="image2video.create",
            severity=Severity.MEDIUM,
            message="optional parameter 'sound' was rejected",
            expected="2xx",
            actual={"status": 400, "code": 1201},
            json_path="$.sound",
            exchange_ref="yibuapi/image2video.create.param.sound#0",
            subject="image2video.create.param.sound",
        ),
        result("yibuapi", "response_shape_family", P, area=shp, operation="image2video.get"),
        result(
            "yibuapi",
            "status_vocabulary_kling",
            W,
            area=shp,
            operation="image2video.get",
            severity=Severity.MEDIUM,
            reason="documented: yibuapi answers 'SUCCESS' on legacy tasks (departure yibuapi-legacy-status)",
            message="status word 'SUCCESS' is not Kling's",
            expected=["submitted", "processing", "succeed", "failed"],
            actual="SUCCESS",
            json_path="$.data.task_status",
        ),
        result("yibuapi", "task_id_stable", P, area=life, operation="image2video.get"),
        result("yibuapi", "auth_missing_key_rejected", P, area=err),
        result(
            "yibuapi",
            "bad_enum_rejected",
            F,
            area=inv,
            operation="image2video.create",
            severity=Severity.CRITICAL,
            message="invalid duration '7' was accepted with HTTP 200 and created a task",
            expected="4xx with an error body",
            actual={"status": 200, "task_id": "842250903629086785"},
            json_path="$.code",
            exchange_ref="yibuapi/image2video.create.invalid.bad-enum#0",
            subject="image2video.create.invalid.bad-enum",
        ),
        result(
            "yibuapi", "callback_body_official", S, area=cb, operation="image2video.create", reason="not documented"
        ),
        # newapi: family B, failures, an error, fuzz evidence, hostile body
        result("newapi", "minimal_request_accepted", P, area=acc, operation="image2video.create"),
        result("newapi", "minimal_request_accepted", P, area=acc, operation="text2video.create"),
        result(
            "newapi",
            "response_shape_family",
            F,
            area=shp,
            operation="image2video.get",
            severity=Severity.HIGH,
            message="query body is the new-api task wrapper, not the Kling envelope",
            expected="kling",
            actual="newapi-task",
            json_path="$",
            exchange_ref="newapi/image2video.get.known#0",
        ),
        result(
            "newapi",
            "status_vocabulary_kling",
            F,
            area=shp,
            operation="image2video.get",
            severity=Severity.HIGH,
            message="status word 'IN_PROGRESS' is not Kling's",
            expected=["submitted", "processing", "succeed", "failed"],
            actual="IN_PROGRESS",
            json_path="$.data.status",
            exchange_ref="newapi/image2video.get.known#0",
        ),
        result(
            "newapi",
            "task_id_stable",
            E,
            area=life,
            operation="image2video.get",
            severity=Severity.HIGH,
            message="could not judge: transport failure while polling",
            reason="ReadTimeout after 30 s",
            exchange_ref="newapi/image2video.create.minimal#3",
        ),
        result(
            "newapi",
            "auth_missing_key_rejected",
            F,
            area=err,
            severity=Severity.HIGH,
            message=f"error body is not canonical: {HOSTILE}",
            expected={"code": 1001},
            actual={"error": {"message": HOSTILE}},
            json_path="$.error.message",
            exchange_ref="newapi/auth.missing-key#0",
            subject="auth.missing-key",
        ),
        result("newapi", "bad_enum_rejected", P, area=inv, operation="image2video.create", evidence=FUZZ),
        result(
            "newapi",
            "callback_body_official",
            F,
            area=cb,
            operation="image2video.create",
            severity=Severity.MEDIUM,
            message="callback carries the upstream Kling id, unknown to the client",
            expected="task_8Zk...",
            actual="842250903629086785",
            json_path="$.task_id",
        ),
        # n1n: live and user-supplied evidence, an error from the harness
        result("n1n", "minimal_request_accepted", P, area=acc, operation="image2video.create", evidence=LIVE),
        result("n1n", "response_shape_family", P, area=shp, operation="image2video.get", evidence=LIVE),
        result("n1n", "status_vocabulary_kling", P, area=shp, operation="image2video.get", evidence=USER),
        result("n1n", "task_id_stable", S, area=life, operation="image2video.get", evidence=LIVE, reason="no evidence"),
        result(
            "n1n",
            "auth_missing_key_rejected",
            E,
            area=err,
            evidence=LIVE,
            severity=Severity.HIGH,
            message="connection refused by api.n1n.example",
            reason="transport failure",
        ),
    ]
    obs = []

    def o(gw: str, op: str, key: str, value: Any, ev: Evidence | None = None) -> None:
        obs.append(Observation(gateway=gw, operation=op, key=key, value=value, evidence=ev or emu(gw)))

    kling_paths = [
        "code",
        "data.created_at",
        "data.task_id",
        "data.task_result.videos[].url",
        "data.task_status",
        "data.updated_at",
        "message",
        "request_id",
    ]
    for gw in ("kling-official", "yibuapi", "n1n"):
        o(gw, "image2video.get", "response_shape", "kling")
        o(gw, "image2video.get", "status_words", ["submitted", "processing", "succeed"])
        o(gw, "image2video.get", "id_format", "kling-numeric")
        o(gw, "image2video.get", "field_paths", kling_paths)
        o(gw, "", "timestamp_unit", "ms")
        o(gw, "", "error_shape", "kling-error")
        o(gw, "", "error_status:unknown_task", 404)
        o(gw, "image2video.create", "accepted_param:external_task_id", "accepted")
        o(gw, "", "callback", "official")
    o("newapi", "image2video.get", "response_shape", "newapi-task")
    o("newapi", "image2video.get", "status_words", ["NOT_START", "IN_PROGRESS", "SUCCESS"])
    o("newapi", "image2video.get", "id_format", "newapi-task")
    o(
        "newapi",
        "image2video.get",
        "field_paths",
        ["code", "data.fail_reason", "data.progress", "data.result_url", "data.status", "data.task_id", "message"],
    )
    o("newapi", "", "timestamp_unit", "s")
    o("newapi", "", "error_shape", "openai-error")
    o("newapi", "", "error_status:unknown_task", 400)
    o("newapi", "image2video.create", "accepted_param:external_task_id", "dropped")
    o("newapi", "", "callback", "upstream-id")
    for gw in ("kling-official", "yibuapi", "newapi", "n1n"):
        o(gw, "image2video.list", "operation_supported", gw != "newapi")
    exchanges = {
        "yibuapi/image2video.create.doc-example#0": exchange(
            "POST",
            "https://yibuapi.example/kling/v1/videos/image2video",
            200,
            '{"code":0,"message":"SUCCEED","request_id":"r1","data":{"task_id":"842250903629086785","task_status":"submitted"}}',
            '{"model_name":"kling-v1","image":"https://img.example/cat.png","duration":"5"}',
        ),
        "yibuapi/image2video.create.invalid.bad-enum#0": exchange(
            "POST",
            "https://yibuapi.example/kling/v1/videos/image2video",
            200,
            '{"code":0,"data":{"task_id":"842250903629086785","task_status":"submitted"}}',
            '{"duration":"7"}',
        ),
        "newapi/image2video.get.known#0": exchange(
            "GET",
            "http://127.0.0.1:8000/kling/v1/videos/image2video/task_abc",
            200,
            '{"code":"success","message":"","data":{"task_id":"task_abc","status":"IN_PROGRESS","progress":"30%"}}',
        ),
        "newapi/image2video.create.minimal#3": {
            "request": {"method": "GET", "url": "http://127.0.0.1:8000/kling/v1/videos/image2video/task_abc"},
            "response": None,
            "error": "ReadTimeout",
        },
        "newapi/auth.missing-key#0": {  # the harness writes "status"; older summaries say "status_code"
            "request": {"method": "POST", "url": "http://127.0.0.1:8000/kling/v1/videos/image2video", "headers": {}},
            "response": {
                "status": 401,
                "headers": {"content-type": "application/json"},
                "body": '{"error":{"message":"' + HOSTILE.replace('"', '\\"') + '","type":"new_api_error"}}',
            },
            "error": None,
        },
    }
    meta = RunMeta(
        run_id=run_id,
        tool_version="0.1.0",
        spec_hash="3f5a9c0d1e2b4a6f8c7d",
        mode="replay",
        started_at="2026-11-22T10:15:00Z",
        finished_at="2026-11-22T10:15:03Z",
        gateways=["kling-official", "yibuapi", "newapi", "n1n"],
        budget={"max_paid_tasks": 0, "paid_tasks_used": 0},
    )
    return RunReport(meta=meta, results=results, observations=obs, exchanges=exchanges)
