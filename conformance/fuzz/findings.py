"""Fuzz observations → :class:`~conformance.models.CheckResult` (evidence ``fuzz``), one per (check, operation, field).

Each judged response adds an :class:`Observation` per check: held, or failed with schemathesis's (or
our) message. Failures are grouped by the field they concern, so a gateway that accepts ``duration:
"7"`` yields one ``negative_data_rejection`` failure on ``$.duration`` (with the number of examples and
the first exchange), not one line per example. A failure on a field a profile departure covers is
``waived`` with the departure's reason. Checks that held on every example give one ``pass`` per operation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from conformance.models import CheckResult, Evidence, Outcome, Severity

#: Severity and report area of each check the fuzzer runs.
CHECK_META: dict[str, tuple[Severity, str]] = {
    "negative_data_rejection": (Severity.HIGH, "invalid-requests"),
    "positive_data_acceptance": (Severity.HIGH, "request-acceptance"),
    "not_a_server_error": (Severity.HIGH, "errors-auth"),
    "status_code_conformance": (Severity.MEDIUM, "response-shape"),
    "response_schema_conformance": (Severity.MEDIUM, "response-shape"),
    "content_type_conformance": (Severity.LOW, "response-shape"),
    "kling_response_recognized": (Severity.HIGH, "response-shape"),
    "kling_error_body": (Severity.MEDIUM, "errors-auth"),
    "kling_task_fields": (Severity.MEDIUM, "response-shape"),
    "stateful_create_get": (Severity.HIGH, "lifecycle"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One check's verdict on one fuzzed response."""

    check: str
    operation: str
    passed: bool
    field: str = ""
    message: str = ""
    exchange_ref: str = ""
    status_code: int | None = None
    example: str = ""  # short description of the case (probe / schemathesis phase description)
    body_fields: tuple[str, ...] = ()  # top-level fields of the JSON body sent (for profile waivers)


def _json_path(field: str) -> str:
    return f"$.{field}" if field else "$"


#: Checks whose failures are grouped per request field (the others judge the response, not the field).
FIELD_CHECKS = frozenset({"negative_data_rejection", "not_a_server_error"})

Waiver = Callable[[Observation], str]


def summarise(
    gateway: str,
    observations: list[Observation],
    evidence: Evidence,
    waiver: Waiver | None = None,
) -> list[CheckResult]:
    """Group observations into results; ``waiver`` gives the known-departure reason of a failure ("" = none)."""
    failed: dict[tuple[str, str, str, str], list[Observation]] = defaultdict(list)
    judged: dict[tuple[str, str], int] = defaultdict(int)
    for obs in observations:
        judged[(obs.check, obs.operation)] += 1
        if not obs.passed:
            field = obs.field if obs.check in FIELD_CHECKS else ""
            reason = waiver(obs) if waiver is not None else ""
            failed[(obs.check, obs.operation, field, reason)].append(obs)
    results: list[CheckResult] = []
    failing_pairs = {(check, op) for check, op, _, _ in failed}
    for (check, operation), count in judged.items():
        severity, area = CHECK_META.get(check, (Severity.MEDIUM, "response-shape"))
        if (check, operation) not in failing_pairs:
            results.append(
                CheckResult(
                    gateway=gateway,
                    check=check,
                    outcome=Outcome.PASS,
                    severity=severity,
                    evidence=evidence,
                    operation=operation,
                    area=area,
                    message=f"held on {count} fuzzed response(s)",
                )
            )
    for (check, operation, field, reason), items in sorted(failed.items()):
        severity, area = CHECK_META.get(check, (Severity.MEDIUM, "response-shape"))
        first = items[0]
        statuses = sorted({o.status_code for o in items if o.status_code is not None})
        where = f"field `{field}`" if field else "the request as a whole"
        headline = first.message.strip().splitlines()[0] if first.message.strip() else check
        message = (
            f"{where}: {headline} ({len(items)} of {judged[(check, operation)]} fuzzed response(s); "
            f"first example: {first.example or 'generated request'})"
        )
        details = [line.strip() for line in first.message.strip().splitlines()[1:] if line.strip()]
        if details:
            message += " — " + " ".join(details)[:400]
        json_path = _json_path(field)
        result = CheckResult(
            gateway=gateway,
            check=check,
            outcome=Outcome.FAIL,
            severity=severity,
            evidence=evidence,
            operation=operation,
            area=area,
            message=message,
            expected=_expected(check),
            actual=f"HTTP {', '.join(str(s) for s in statuses) or '?'}",
            json_path=json_path,
            exchange_ref=first.exchange_ref,
        )
        if reason:
            result = replace(result, outcome=Outcome.WAIVED, reason=reason)
        results.append(result)
    return results


def _expected(check: str) -> str:
    return {
        "negative_data_rejection": "a 4xx rejection of the invalid request",
        "positive_data_acceptance": "the valid request accepted (2xx)",
        "not_a_server_error": "no 5xx",
        "status_code_conformance": "a status the spec documents for the operation",
        "response_schema_conformance": "a body matching the spec's response schema",
        "content_type_conformance": "the documented content-type",
        "kling_response_recognized": "a body shape a Kling client can read",
        "kling_error_body": "an error body with code and message",
        "kling_task_fields": "string task id, Kling status word, ms timestamps",
        "stateful_create_get": "the created task is queryable under the same id",
    }.get(check, "the check holds")
