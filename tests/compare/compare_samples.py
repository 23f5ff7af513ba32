"""Crafted reports for compare, diff and merge tests: every difference kind between two gateways."""

from __future__ import annotations

from typing import Any

from conformance.models import CheckResult, Evidence, EvidenceKind, Outcome, Severity
from conformance.runmodel import Observation, RunMeta, RunReport

EMU = Evidence(kind=EvidenceKind.EMULATOR, source="emulator", recorded_at="2026-11-20")
LIVE = Evidence(kind=EvidenceKind.LIVE, source="api.example", recorded_at="2026-11-21")

KLING_PATHS = [
    "$.code",
    "$.message",
    "$.request_id",
    "$.data.task_id",
    "$.data.task_status",
    "$.data.task_status_msg",
    "$.data.created_at",
    "$.data.updated_at",
    "$.data.task_info.external_task_id",
    "$.data.task_result.videos[0].url",
    "$.data.task_result.videos[0].duration",
    "$.data.task_result.videos[0].id",
]
NEWAPI_PATHS = [
    "$.code",
    "$.message",
    "$.data.task_id",
    "$.data.status",
    "$.data.fail_reason",
    "$.data.progress",
    "$.data.result_url",
    "$.data.submit_time",
    "$.data.finish_time",
    "$.data.data",
]


def meta(run_id: str = "20261122T100000Z-aaaaaa", **extra: Any) -> RunMeta:
    """Run metadata with test defaults."""
    values: dict[str, Any] = {
        "run_id": run_id,
        "tool_version": "0.1.0",
        "spec_hash": "abc123",
        "mode": "replay",
        "started_at": "2026-11-22T10:00:00+00:00",
        "finished_at": "2026-11-22T10:00:05+00:00",
        "gateways": ["alpha", "beta"],
    }
    values.update(extra)
    return RunMeta(**values)


def obs(gateway: str, operation: str, key: str, value: Any, evidence: Evidence = EMU) -> Observation:
    """One observation."""
    return Observation(gateway=gateway, operation=operation, key=key, value=value, evidence=evidence)


def alpha_observations() -> list[Observation]:
    """A Kling-conformant gateway."""
    out = []
    for op in ("image2video.create", "image2video.get", "image2video.list"):
        out.append(obs("alpha", op, "operation_supported", True))
    out += [
        obs("alpha", "image2video.get", "response_shape", "kling"),
        obs("alpha", "image2video.get", "status_words", ["submitted", "processing", "succeed", "failed"]),
        obs("alpha", "image2video.get", "id_format", "kling-numeric"),
        obs("alpha", "image2video.get", "field_paths", KLING_PATHS),
        obs("alpha", "image2video.create", "accepted_param:external_task_id", "accepted"),
        obs("alpha", "image2video.create", "accepted_param:sound", "accepted"),
        obs("alpha", "image2video.create", "accepted_param:negative_prompt", "accepted"),
        obs("alpha", "", "timestamp_unit", "ms"),
        obs("alpha", "", "error_shape", "kling-error"),
        obs("alpha", "", "error_status:unknown_task", 404),
        obs("alpha", "", "error_status:auth", 401),
        obs("alpha", "", "callback", "official"),
    ]
    return out


def beta_observations() -> list[Observation]:
    """A new-api style gateway that differs from alpha in every compared aspect."""
    return [
        obs("beta", "image2video.create", "operation_supported", True),
        obs("beta", "image2video.get", "operation_supported", True),
        obs("beta", "image2video.list", "operation_supported", False),
        obs("beta", "image2video.get", "response_shape", "newapi-task"),
        obs("beta", "image2video.get", "status_words", ["NOT_START", "SUBMITTED", "IN_PROGRESS", "SUCCESS", "FAILURE"]),
        obs("beta", "image2video.get", "id_format", "newapi-task"),
        obs("beta", "image2video.get", "field_paths", NEWAPI_PATHS),
        obs("beta", "image2video.create", "accepted_param:external_task_id", "dropped"),
        obs("beta", "image2video.create", "accepted_param:sound", "rejected"),
        obs("beta", "image2video.create", "accepted_param:negative_prompt", "accepted"),
        obs("beta", "", "timestamp_unit", "s"),
        obs("beta", "", "error_shape", "openai-error"),
        obs("beta", "", "error_status:unknown_task", 400),
        obs("beta", "", "error_status:auth", 401),
        obs("beta", "", "callback", "upstream-id"),
    ]


def result(gateway: str, check: str, outcome: Outcome, operation: str = "", **extra: Any) -> CheckResult:
    """One result with test defaults."""
    reason = extra.pop("reason", "budget" if outcome in (Outcome.SKIPPED, Outcome.WAIVED) else "")
    evidence = extra.pop("evidence", EMU)
    return CheckResult(
        gateway=gateway,
        check=check,
        outcome=outcome,
        severity=Severity.HIGH,
        evidence=evidence,
        operation=operation,
        area="response-shape",
        reason=reason,
        **extra,
    )


def pair_report() -> RunReport:
    """alpha and beta side by side in one run."""
    return RunReport(meta=meta(), observations=alpha_observations() + beta_observations())
