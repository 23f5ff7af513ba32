"""The fuzz run: merged spec → schemathesis cases → our httpx client → schemathesis + Kling checks → report.

:func:`run_fuzz` is the one entry point (``kling-conformance fuzz`` and the tests call it). The money
guard (:func:`~conformance.fuzz.options.paid_budget`) runs before the emulator starts or any case is
generated, so a refused run sends nothing. Positive creates stop at the budget (the rest are counted
as skipped for ``budget``); negative cases are free and always sent. Every accepted positive create is
followed by a query of the created task at the gateway's ``get`` path (the spec's ``GetTask`` link,
resolved through the normalizer so it also works on gateways whose envelope is not Kling's).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from conformance import __version__
from conformance.errors import MissingKeyError, UsageError
from conformance.fuzz.findings import Observation, summarise
from conformance.fuzz.options import FuzzOptions, is_loopback_url, paid_budget
from conformance.harness.budget import Settled, Slot, TaskBudget, settle_outcome
from conformance.models import Evidence, EvidenceKind, Exchange, RecordedRequest, RecordedResponse
from conformance.profiles.auth import auth_parts
from conformance.profiles.model import GatewayProfile
from conformance.runmodel import RunMeta, RunReport

#: Checks run on the create responses (schemathesis built-ins first, then ours from ``st_checks``).
POSITIVE_CHECKS = (
    "positive_data_acceptance",
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
)
NEGATIVE_CHECKS = (
    "negative_data_rejection",
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
)
GET_CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")
KLING_CHECKS = ("kling_response_recognized", "kling_error_body", "kling_task_fields")


@dataclass(slots=True)
class FuzzStats:
    """Counters shown by the CLI and stored in the report's budget block."""

    sent: int = 0
    positive_sent: int = 0
    negative_sent: int = 0
    paid_tasks_used: int = 0
    skipped_budget: int = 0
    gets: int = 0
    seconds: float = 0.0
    operations: list[str] = field(default_factory=list)
    report_dir: Path | None = None


def _select_profile(options: FuzzOptions) -> GatewayProfile:
    from conformance.profiles import load_profile_file, resolve_profiles

    for path in options.profile_paths:
        profile = load_profile_file(path)
        if profile.id == options.gateway:
            return profile
    profiles = resolve_profiles([options.gateway], [])
    return profiles[0]


def _key(profile: GatewayProfile) -> str:
    """The token to fuzz ``profile`` live with: its API key, or a JWT signed from its AK/SK (valid 30 min)."""
    from conformance.profiles.auth import credentials_from_env, missing_credentials_hint, token_for

    found = credentials_from_env(profile.auth)
    if not found:
        raise MissingKeyError(
            f"fuzzing {profile.id} live needs its credentials, but {profile.auth.env} is not set",
            where=profile.auth.env,
            fix=f"{missing_credentials_hint(profile.auth)}, or fuzz the emulator with --emulator",
        )
    return token_for(profile.auth, found)


def _without_auth_query(url: str, name: str) -> str:
    """``url`` without the query parameter carrying the credential (``name``, "" for none)."""
    if not name:
        return url
    parts = urllib.parse.urlsplit(url)
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def _target(options: FuzzOptions, profile: GatewayProfile) -> str:
    if options.base_url:
        return options.base_url.rstrip("/")
    if options.emulator:
        return "http://127.0.0.1:0"  # loopback; the real port is known once the emulator runs
    if not profile.base_url:
        raise UsageError(
            f"profile {profile.id!r} has no base URL",
            where="--base-url",
            fix="pass --base-url https://your-gateway.example, or use --emulator",
        )
    return profile.base_url.rstrip("/")


@contextlib.contextmanager
def _emulated(options: FuzzOptions, profile: GatewayProfile, key: str) -> Iterator[str | None]:
    if not options.emulator:
        yield None
        return
    from conformance.emulator import EmulatorConfig, start_emulator

    handle = start_emulator([profile], EmulatorConfig(keys=(key,), time_scale=0.001, seed=options.seed))
    try:
        yield handle.base_url(profile.id)
    finally:
        handle.stop()


def run_fuzz(options: FuzzOptions, *, stats: FuzzStats | None = None) -> RunReport:
    """Fuzz one gateway as ``options`` say and return the report (written when ``options.write_report``)."""
    options.validate()
    stats = stats if stats is not None else FuzzStats()
    profile = apply_emulator_overrides(_select_profile(options), options.emulator_profile_overrides)
    budget = paid_budget(options, _target(options, profile))  # before anything starts or is sent
    key = "kc-fuzz-" + secrets.token_hex(12) if options.emulator else _key(profile)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with _emulated(options, profile, key) as emulated_url:
        base_url = emulated_url or _target(options, profile)
        session = FuzzSession(profile=profile, base_url=base_url, key=key, options=options, budget=budget, stats=stats)
        try:
            observations, exchanges = session.run()
        finally:
            session.close()
    stats.seconds = time.perf_counter() - clock
    report = _report(options, profile, session, observations, exchanges, budget, started)
    if options.write_report:
        from conformance.reports import write_reports

        stats.report_dir = write_reports(report, options.reports_dir)
    return report


def _report(
    options: FuzzOptions,
    profile: GatewayProfile,
    session: FuzzSession,
    observations: list[Observation],
    exchanges: dict[str, Exchange],
    budget: int | None,
    started: dt.datetime,
) -> RunReport:
    from conformance.harness.runner import exchange_summary
    from conformance.reports import new_run_id
    from conformance.spec import spec_hash

    meta = RunMeta(
        run_id=new_run_id(started) + "-fuzz",
        tool_version=__version__,
        spec_hash=spec_hash(),
        mode="fuzz",
        started_at=started.isoformat(timespec="seconds"),
        gateways=[profile.id],
        budget={
            "max_paid_tasks": budget,
            "paid_tasks_used": session.stats.paid_tasks_used,
            "skipped_for_budget": session.stats.skipped_budget,
            "requests_sent": session.stats.sent,
        },
    )
    report = RunReport(meta=meta)
    from conformance.fuzz.waivers import profile_waiver

    report.results = summarise(
        profile.id, observations, session.evidence, lambda obs: profile_waiver(profile, session.target, obs)
    )
    cited = {r.exchange_ref for r in report.results if r.exchange_ref}
    report.exchanges = {ref: exchange_summary(ex) for ref, ex in exchanges.items() if ref in cited}
    meta.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return report


class FuzzSession:
    """One gateway's fuzz run: builds the schemathesis schema, sends cases, judges responses."""

    def __init__(
        self,
        *,
        profile: GatewayProfile,
        base_url: str,
        key: str,
        options: FuzzOptions,
        budget: int | None,
        stats: FuzzStats,
    ) -> None:
        import schemathesis

        from conformance.fuzz import st_checks
        from conformance.fuzz.document import fuzz_document, select_create_operations

        self.profile = profile
        self.base_url = base_url
        self.options = options
        self.budget = budget
        self.guard = TaskBudget(budget)  # the one money guard (conformance.harness.budget)
        self.stats = stats
        self._key = key
        self._loopback = options.emulator or is_loopback_url(base_url)
        creates = select_create_operations(profile, options.operations)
        if not select_create_operations(profile):
            raise UsageError(
                f"{profile.id} writes its own request bodies (or polls a query-string path): the fuzzer generates "
                "canonical /v1 bodies, so none of its operations can be fuzzed",
                where="--gateway",
                fix="fuzz a gateway that takes the canonical bodies (e.g. kling-official), or run the catalog",
            )
        if not creates:
            raise UsageError(
                f"{profile.id} supports none of the operations asked for: {', '.join(options.operations)}",
                where="--operation",
                fix=f"choose from: {', '.join(select_create_operations(profile))}",
            )
        self.target = fuzz_document(profile, base_url, creates)
        self.schema = schemathesis.openapi.from_dict(self.target.document)
        st_checks.use_profile(profile)
        host = urllib.parse.urlsplit(base_url).hostname or base_url
        kind = "emulator" if options.emulator else host
        self.evidence = Evidence(
            kind=EvidenceKind.FUZZ,
            source=f"schemathesis {schemathesis.SCHEMATHESIS_VERSION}, seed {options.seed}, {kind}",
            recorded_at=dt.datetime.now(dt.UTC).date().isoformat(),
            tool_version=__version__,
        )
        self.http = httpx.Client(timeout=options.timeout, trust_env=False, follow_redirects=False)
        self._checks = _check_functions()
        self._exchanges: dict[str, Exchange] = {}
        self._observations: list[Observation] = []

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    # ------------------------------------------------------------------ the run

    def run(self) -> tuple[list[Observation], dict[str, Exchange]]:
        """Send every planned case of every selected create operation; return what was observed."""
        from conformance.fuzz.cases import plan_cases

        for create_id in self.target.create_operations:
            self.stats.operations.append(create_id)
            operation = self.schema.find_operation_by_id(create_id)
            planned = plan_cases(
                operation,
                create_id,
                positive=self.options.sends_positive,
                negative=self.options.sends_negative,
                probes=self.options.probes,
                max_examples=self.options.max_examples,
                seed=self.options.seed,
            )
            # Invalid (negative) cases first: they should cost nothing, and a budget spent by a gateway that
            # accepts them stops the valid creates too. Every case that could create a task takes a slot.
            for item in sorted(planned, key=lambda i: bool(i.positive)):
                slot = self.guard.try_reserve(item.operation_id)
                if slot is None:
                    self.stats.skipped_budget += 1
                    self.guard.refuse()
                    continue
                try:
                    self._send_and_judge(item, slot)
                finally:
                    self.guard.settle(slot, Settled.UNKNOWN)  # no-op when already settled
                    self.stats.paid_tasks_used = self.guard.spent
        return self._observations, self._exchanges

    def _send(self, case: Any, operation_id: str, purpose: str, label: str) -> tuple[httpx.Response | None, str]:
        kwargs = case.as_transport_kwargs(base_url=self.base_url)
        spec = self.profile.auth
        dropped = {"authorization", spec.header.lower()}
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in dropped}
        parts = auth_parts(spec, self._key)
        headers.update(parts.headers)
        params = {**(kwargs.get("params") or {}), **dict(parts.query)}
        content: bytes | None = None
        operation = self.profile.operation(operation_id)
        if "json" in kwargs:
            import json  # not orjson: generated integers may exceed 64 bits

            from conformance.profiles.writing import map_request

            body = map_request(operation.request, kwargs["json"]) if operation is not None else kwargs["json"]
            content = json.dumps(body, ensure_ascii=False).encode()
        elif kwargs.get("data") is not None:
            data = kwargs["data"]
            content = data if isinstance(data, bytes) else str(data).encode()
        request = self.http.build_request(
            kwargs["method"], kwargs["url"], headers=headers, params=params or None, content=content
        )
        ref = f"{self.profile.id}/fuzz.{operation_id}#{self.stats.sent}"
        self.stats.sent += 1
        error = ""
        response: httpx.Response | None = None
        started = time.perf_counter()
        try:
            response = self.http.send(request)
        except httpx.HTTPError as exc:
            error = f"transport: {type(exc).__name__}: {exc}".replace(self._key, "***")
        self._exchanges[ref] = self._exchange(
            ref, operation_id, request, response, error, purpose, label, (time.perf_counter() - started) * 1000.0
        )
        return response, ref

    def _exchange(
        self,
        ref: str,
        operation_id: str,
        request: httpx.Request,
        response: httpx.Response | None,
        error: str,
        purpose: str,
        label: str,
        elapsed_ms: float,
    ) -> Exchange:
        from conformance.harness.redact import redact_body, redact_headers, redact_url

        secrets_ = (self._key,)
        recorded_request = RecordedRequest(
            method=request.method,
            url=redact_url(_without_auth_query(str(request.url), self.profile.auth.query)),
            headers=redact_headers(
                (k, "[REDACTED]" if k.lower() == self.profile.auth.header.lower() else v)
                for k, v in request.headers.multi_items()
            ),
            body=redact_body(request.content or b"", secrets_),
        )
        recorded_response = None
        if response is not None:
            recorded_response = RecordedResponse(
                status_code=response.status_code,
                headers=redact_headers(tuple(response.headers.multi_items())),
                body=redact_body(response.content, secrets_),
            )
        return Exchange(
            ref=ref,
            gateway=self.profile.id,
            operation_id=operation_id,
            scenario=f"{operation_id}.fuzz",
            request=recorded_request,
            response=recorded_response,
            evidence=self.evidence,
            error=error or None,
            elapsed_ms=elapsed_ms,
            meta={"purpose": purpose, "fuzz": label},
        )

    def _judge(
        self,
        case: Any,
        response: httpx.Response,
        operation_id: str,
        names: tuple[str, ...],
        ref: str,
        field_name: str,
        label: str,
    ) -> list[Observation]:
        out: list[Observation] = []
        for name in (*names, *KLING_CHECKS):
            function = self._checks.get(name)
            if function is None:
                continue
            message = ""
            try:
                case.validate_response(response, checks=[function])
            except BaseException as exc:  # schemathesis Failure / FailureGroup / AssertionError
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                message = _failure_text(exc)
            body = getattr(case, "body", None)
            observation = Observation(
                check=name,
                operation=operation_id,
                passed=not message,
                field=field_name if message else "",
                message=message,
                exchange_ref=ref,
                status_code=response.status_code,
                example=label,
                body_fields=tuple(str(k) for k in body) if isinstance(body, dict) else (),
            )
            out.append(observation)
        self._observations.extend(out)
        return out

    def _send_and_judge(self, item: Any, slot: Slot) -> None:
        from conformance.normalize import normalize

        label = f"{item.source}: {item.description}" if item.description else item.source
        response, ref = self._send(item.case, item.operation_id, "create", label)
        if response is None:
            sent = not self._exchanges[ref].error or "ConnectError" not in str(self._exchanges[ref].error)
            self.guard.settle(slot, settle_outcome(None, sent=sent, task_id=None, is_error=False))
        else:
            answer = normalize(response.content, status_code=response.status_code, profile=self.profile)
            self.guard.settle(
                slot,
                settle_outcome(
                    response.status_code, sent=True, task_id=answer.task_id or None, is_error=answer.is_error
                ),
            )
        if item.positive:
            self.stats.positive_sent += 1
        else:
            self.stats.negative_sent += 1
        if response is None:
            self._observations.append(
                Observation(
                    check="not_a_server_error",
                    operation=item.operation_id,
                    passed=False,
                    field=item.field,
                    message=f"no response: {self._exchanges[ref].error}",
                    exchange_ref=ref,
                    example=label,
                )
            )
            return
        norm = normalize(response.content, status_code=response.status_code, profile=self.profile)
        created = 200 <= response.status_code < 300 and not norm.is_error and bool(norm.task_id)
        names = POSITIVE_CHECKS if item.positive else NEGATIVE_CHECKS
        self._judge(item.case, response, item.operation_id, names, ref, item.field, label)
        if created and item.positive and self.options.stateful and norm.task_id:
            self._create_then_get(item.operation_id, norm.task_id, ref)

    def _create_then_get(self, create_id: str, task_id: str, create_ref: str) -> None:
        from conformance.normalize import normalize

        get_id = self.target.get_operations.get(create_id)
        if get_id is None:
            return
        operation = self.schema.find_operation_by_id(get_id)
        case = operation.Case(path_parameters={"task_id": task_id})
        label = f"stateful: GetTask link from {create_ref}"
        response, ref = self._send(case, get_id, "query", label)
        self.stats.gets += 1
        if response is None:
            message = f"querying the created task {task_id} failed: {self._exchanges[ref].error}"
            self._observations.append(
                Observation(
                    check="stateful_create_get",
                    operation=get_id,
                    passed=False,
                    message=message,
                    exchange_ref=ref,
                    example=label,
                )
            )
            return
        self._judge(case, response, get_id, GET_CHECKS, ref, "", label)
        norm = normalize(response.content, status_code=response.status_code, profile=self.profile)
        problem = ""
        if not 200 <= response.status_code < 300 or norm.is_error:
            problem = f"the task {task_id} just created is not queryable: HTTP {response.status_code}"
        elif norm.task_id != task_id:
            problem = f"querying task {task_id} returned task id {norm.task_id!r}"
        self._observations.append(
            Observation(
                check="stateful_create_get",
                operation=get_id,
                passed=not problem,
                message=problem,
                exchange_ref=ref,
                status_code=response.status_code,
                example=label,
            )
        )


def _check_functions() -> dict[str, Any]:
    from schemathesis.checks import CHECKS, load_all_checks

    from conformance.fuzz import st_checks  # noqa: F401  (registers the Kling checks)

    load_all_checks()
    wanted = {*POSITIVE_CHECKS, *NEGATIVE_CHECKS, *GET_CHECKS, *KLING_CHECKS}
    return {name: CHECKS.get_one(name) for name in wanted if name in CHECKS.get_all_names()}


def _failure_text(exc: BaseException) -> str:
    failures = getattr(exc, "exceptions", None) or [exc]
    parts = []
    for failure in failures:
        title = getattr(failure, "title", "") or type(failure).__name__
        message = str(getattr(failure, "message", "") or failure)
        parts.append(f"{title}\n{message}" if message and message != title else title)
    return "\n".join(parts)


def apply_emulator_overrides(profile: GatewayProfile, overrides: dict[str, object]) -> GatewayProfile:
    """``profile`` with ``extra["emulator"]`` knobs merged in (planted departures for tests)."""
    if not overrides:
        return profile
    extra = dict(profile.extra)
    extra["emulator"] = {**dict(extra.get("emulator") or {}), **overrides}
    return dataclasses.replace(profile, extra=extra)
