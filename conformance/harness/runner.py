"""Orchestrates a run: profiles → scenarios → plan → transports → traces → checks → :class:`RunReport`.

``execute_run`` is the one entry point (the CLI's ``run``, the pytest plugin and the benchmarks use it).
A Ctrl-C (task cancellation) stops the calls in flight, judges what was captured and returns a report
marked ``incomplete``; a malformed response is a finding, never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import random
import secrets
import urllib.parse
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import __version__
from conformance.checks.base import CHECKS, CheckContext, CheckSpec, ScenarioTrace
from conformance.errors import MissingKeyError, UsageError, did_you_mean
from conformance.harness.address_guard import FetchPolicy, httpx_request_hook
from conformance.harness.budget import TaskBudget
from conformance.harness.callbacks import CallbackReceiver
from conformance.harness.cassette import Cassette, cassette_path, load_gateway_cassettes
from conformance.harness.client import GatewayClient, RunMeter
from conformance.harness.clock import Clock, RealClock, SharedVirtualClock, VirtualClock
from conformance.harness.docexamples import doc_examples_for
from conformance.harness.evidence import evidence_factory, fallback_evidence, mode_evidence
from conformance.harness.evidence_split import judge_by_evidence
from conformance.harness.executor import ExecutionSettings, GatewayExecution, execute_gateway
from conformance.harness.observations import derive
from conformance.harness.options import RunOptions, is_loopback
from conformance.harness.plan import RunPlan, is_probe, make_plan
from conformance.harness.redact import register_secrets, url_secrets
from conformance.harness.replay_index import ReplayIndex, ReplaySource, relative_url
from conformance.harness.scenarios import CALLBACK_PLACEHOLDER, Scenario, build_catalog, callback_path
from conformance.models import OTHER_SHARD, Evidence, Exchange, Outcome
from conformance.paths import cassettes_dir
from conformance.profiles.auth import Credentials, credentials_from_env, missing_credentials_hint
from conformance.profiles.model import GatewayProfile
from conformance.runmodel import RunMeta, RunReport

if TYPE_CHECKING:
    import httpx

#: Stable recordings: the longest wait (real seconds) for a callback delivery or the terminal callback.
STABLE_CALLBACK_WAIT = 60.0
#: Host recorded instead of the emulator's random port (byte-stable cassettes).
EMULATOR_PLACEHOLDER = "http://emulator.kling-conformance.invalid"
_SUMMARY_BODY_CHARS = 4096


@dataclass(slots=True)
class RunState:
    """What a run has produced so far (read by the progress display and by Ctrl-C handling)."""

    traces: dict[str, dict[str, ScenarioTrace]] = field(default_factory=dict)
    planned: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    paid_used: int = 0
    budget: TaskBudget | None = None
    in_flight: dict[str, int] = field(default_factory=dict)
    incomplete: bool = False
    cassettes_written: int = 0
    report: RunReport | None = None
    report_dir: Path | None = None
    normalizers: dict[str, Callable[[Exchange], Any]] = field(default_factory=dict)
    interrupted: bool = False
    meter: Any = None  # the run's RunMeter (bytes read and kept against the per-run caps)


def load_profiles(options: RunOptions) -> list[GatewayProfile]:
    """Resolve ``--gateway``/``--profile`` and apply ``--base-url``."""
    from conformance.profiles import resolve_profiles

    profiles = resolve_profiles(options.gateways, options.profile_paths)
    if options.emulator:  # every built-in the emulator can serve as itself, unless named
        from conformance.emulator.coverage import emulable_default

        profiles = emulable_default(profiles, {g for g in options.gateways if g != "all"})
    if options.base_url:
        profiles = [dataclasses.replace(p, base_url=options.base_url.rstrip("/")) for p in profiles]
    for profile in profiles:  # a key in a base URL (userinfo, ?key=) is scrubbed from everything written
        register_secrets(*url_secrets(profile.base_url))
    return profiles


def target_base_url(profile: GatewayProfile, options: RunOptions) -> str:
    """The base URL calls go to; a profile without one needs ``--base-url`` outside replay and the emulator."""
    if profile.base_url:
        return profile.base_url
    if options.mode == "replay" or options.emulator:
        return f"https://{profile.id}.base-url.invalid"  # never contacted: replay and emulator override it
    raise UsageError(
        f"{options.mode} mode needs a host to call, but profile {profile.id!r} has no base URL "
        "(its documents name no host)",
        where=profile.source_file or profile.id,
        field="base_url",
        fix=f"pass --base-url https://your-{profile.id}.example with --gateway {profile.id}, or set base_url "
        "in a --profile file (or use --emulator, or --mode replay)",
    )


def require_base_urls(profiles: Sequence[GatewayProfile], options: RunOptions) -> None:
    """Raise one :class:`UsageError` naming every profile a live or record run could not call (no base URL)."""
    if options.mode == "replay" or options.emulator:
        return
    missing = [p for p in profiles if not p.base_url]
    if len(missing) == 1:
        target_base_url(missing[0], options)
    elif missing:
        names = ", ".join(p.id for p in missing)
        raise UsageError(
            f"{options.mode} mode needs a host to call, but profiles {names} have no base URL "
            "(their documents name no host)",
            where=", ".join(p.source_file or p.id for p in missing),
            field="base_url",
            fix="run them one at a time with --gateway ID --base-url https://your-gateway.example, leave them "
            "out with --gateway, or set base_url in a --profile file (or use --emulator, or --mode replay)",
        )


def default_budget(options: RunOptions, profiles: list[GatewayProfile]) -> int | None:
    """``--max-paid-tasks`` default: unlimited in replay, on the emulator and on loopback, else 0."""
    if options.max_paid_tasks is not None:
        return options.max_paid_tasks
    if options.mode == "replay" or options.emulator or all(p.base_url and is_loopback(p.base_url) for p in profiles):
        return None
    return 0


def run_token(options: RunOptions) -> str:
    """Token that makes ``external_task_id`` values unique per run (fixed when a seed is given)."""
    if options.seed is not None:
        return f"s{options.seed:04d}"
    return secrets.token_hex(4)


def plan_run(
    options: RunOptions, profiles: list[GatewayProfile], replay_sets: dict[str, dict[str, Cassette]] | None = None
) -> tuple[RunPlan, dict[str, str]]:
    """The plan shared by ``run`` and ``plan``; returns it with the run token per gateway."""
    tokens: dict[str, str] = {}
    catalogs: dict[str, Sequence[Scenario]] = {}
    token = run_token(options)
    for profile in profiles:
        cassettes = (replay_sets or {}).get(profile.id, {})
        gw_token = next((str(c.meta["run_token"]) for c in cassettes.values() if c.meta.get("run_token")), token)
        tokens[profile.id] = gw_token
        examples = doc_examples_for(profile, cassettes if options.mode == "replay" else None)
        catalogs[profile.id] = build_catalog(profile, run_token=gw_token, doc_examples=examples)
    return make_plan(catalogs, max_paid_tasks=default_budget(options, profiles), shard=options.shard), tokens


def _normalizer(profile: GatewayProfile) -> Callable[[Exchange], Any]:
    """The normalizer for one profile, memoised per exchange (the executor and the checks share it)."""
    from conformance.normalize import normalize

    cache: dict[str, Any] = {}

    def run(exchange: Exchange) -> Any:
        found = cache.get(exchange.ref)
        if found is not None and found[0] is exchange:
            return found[1]
        response = exchange.response
        if response is None:
            result = normalize(b"", status_code=None, profile=profile)
        else:
            result = normalize(response.body, status_code=response.status_code, profile=profile)
        cache[exchange.ref] = (exchange, result)
        return result

    return run


class _InterruptedRequestsFilter(logging.Filter):
    """Once a run is interrupted, the in-process emulator's tracebacks for the requests we abandoned are
    noise (the client went away mid-request); drop them so that Ctrl-C never prints a traceback."""

    def __init__(self) -> None:
        super().__init__()
        self.active = False

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ == "ClientDisconnect":
            return False  # a client that went away (us, cancelling): not the user's problem
        return not (self.active and record.exc_info)


_INTERRUPTED_FILTER = _InterruptedRequestsFilter()


@contextlib.asynccontextmanager
async def _emulator(options: RunOptions, profiles: list[GatewayProfile], key: str) -> AsyncIterator[Any]:
    """Start the reference emulator in-process on a free loopback port (``--emulator``)."""
    if not options.emulator:
        yield None
        return
    from conformance.emulator import EmulatorConfig, FaultPlan, start_emulator
    from conformance.emulator.config import DEFAULT_CALLBACK_TIMEOUT

    config = EmulatorConfig(
        keys=(key,),
        time_scale=options.time_scale,
        seed=options.seed or 0,
        fail_share=options.emulator_fail_share,
        faults=FaultPlan.parse(options.emulator_faults, where="--faults") if options.emulator_faults else FaultPlan(),
        # Deterministic recordings: a busy machine must not turn a slow callback answer into a retried delivery.
        callback_timeout=STABLE_CALLBACK_WAIT if options.stable else DEFAULT_CALLBACK_TIMEOUT,
    )
    handle = start_emulator(profiles, config, port=options.emulator_port)
    uvicorn_log = logging.getLogger("uvicorn.error")
    _INTERRUPTED_FILTER.active = False
    uvicorn_log.addFilter(_INTERRUPTED_FILTER)
    try:
        yield handle
    except BaseException:  # interrupted: the requests we abandon make the emulator log tracebacks; hush them
        _INTERRUPTED_FILTER.active = True
        raise
    finally:
        if not _INTERRUPTED_FILTER.active:  # after Ctrl-C the emulator's threads may still log while we exit
            uvicorn_log.removeFilter(_INTERRUPTED_FILTER)
        stop = getattr(handle, "stop", None) or getattr(handle, "close", None)
        if stop is not None:
            result = stop()
            if asyncio.iscoroutine(result):
                await result


def _credentials_for(profile: GatewayProfile, options: RunOptions, emulator_key: str) -> Credentials:
    """What the harness authenticates with on ``profile``: nothing in replay, the emulator's key, or the
    variables the profile's ``[auth]`` names (an API key, or Kling's AK/SK pair signed per request)."""
    if options.mode == "replay":
        return Credentials()
    if options.emulator:
        return Credentials(key=emulator_key)
    found = credentials_from_env(profile.auth)
    if not found:
        variables = profile.auth.env
        if profile.auth.credential == "kling-jwt":
            variables = f"{profile.auth.access_key_env}/{profile.auth.secret_key_env} (or {profile.auth.env})"
        raise MissingKeyError(
            f"{options.mode} mode needs the credentials of {profile.id}, but {variables} is not set",
            where=profile.auth.env,
            fix=f"{missing_credentials_hint(profile.auth)} (or use --emulator, or --mode replay)",
        )
    return found


def _settings(options: RunOptions, live_target_loopback: bool, run_deadline_at: float | None) -> ExecutionSettings:
    if options.mode == "replay":
        return ExecutionSettings(
            poll_interval=options.poll_interval or 10.0,
            task_deadline=options.task_deadline or 900.0,
            fetch_results=False,
        )
    if options.emulator:
        # Emulator schedules reach terminal at ~60 s unscaled: poll about 20 times per task.
        scale = options.time_scale
        return ExecutionSettings(
            poll_interval=options.poll_interval or max(0.005, 3.0 * scale),
            task_deadline=options.task_deadline or max(5.0, 900.0 * scale),
            run_deadline=run_deadline_at,
            # Stable recordings wait for the terminal callback itself (the wait ends when it lands), not a guess.
            callback_grace=STABLE_CALLBACK_WAIT if options.stable else max(0.5, 10.0 * scale),
            fetch_results=options.fetch_results,
            stable=options.stable,
            sequential=options.stable,
        )
    return ExecutionSettings(
        poll_interval=options.poll_interval or (1.0 if live_target_loopback else 10.0),
        task_deadline=options.task_deadline or 900.0,
        run_deadline=run_deadline_at,
        callback_grace=5.0,
        fetch_results=options.fetch_results,
    )


async def execute_run(
    options: RunOptions,
    *,
    state: RunState | None = None,
    progress: Any = None,
) -> RunReport:
    """Run the conformance suite as ``options`` say and return the report (not yet written)."""
    options.validate()
    state = state if state is not None else RunState()
    started = dt.datetime.now(dt.UTC)
    profiles = load_profiles(options)
    # Replay reads the bundled cassettes by default; record writes to ./cassettes (never into an
    # installed package). In a source checkout run from its root the two are the same folder.
    root = options.cassettes_dir or (Path("cassettes") if options.mode == "record" else cassettes_dir())
    replay_sets = {p.id: load_gateway_cassettes(root, p.id) for p in profiles} if options.mode == "replay" else {}
    plan, tokens = plan_run(options, profiles, replay_sets)
    require_base_urls(profiles, options)  # fail fast, before any call: a host to call, then a key for it
    emulator_key = "kc-emulator-" + secrets.token_hex(16)
    credentials = {p.id: _credentials_for(p, options, emulator_key) for p in profiles}
    keys = {p.id: credentials[p.id].key or None for p in profiles}
    specs = _selected_checks(options)
    real_clock = RealClock()
    run_deadline_at = real_clock.now() + options.deadline if options.deadline else None
    global_slots = asyncio.Semaphore(options.limits.global_concurrency)
    meter = state.meter = RunMeter(options.limits)  # the per-run byte caps, shared by every gateway
    rng = random.Random(options.seed)
    for gw, items in plan.gateways.items():
        state.planned[gw] = sum(p.runs for p in items)
    normalizers = state.normalizers
    budget = state.budget = _run_budget(options, plan)
    if progress is not None:
        progress.run_started(list(plan.gateways), dict(state.planned), plan.max_paid_tasks)
    # A Ctrl-C (or SIGTERM) cancels this task wherever it is: while the emulator or the receiver starts, in
    # the middle of the scenarios, or while they shut down. Every case ends here, with what was captured
    # judged and the report marked incomplete.
    try:
        async with contextlib.AsyncExitStack() as stack:
            receiver = None
            if options.mode != "replay":
                receiver = await stack.enter_async_context(CallbackReceiver(port=options.callback_port))
            handle = await stack.enter_async_context(_emulator(options, profiles, emulator_key))
            executions = []
            for profile in profiles:
                base_url = handle.base_url(profile.id) if handle is not None else target_base_url(profile, options)
                cassettes = replay_sets.get(profile.id, {})
                subs: list[tuple[str, str]] = []
                if receiver is not None:  # where gateways must send callbacks: the receiver, or the user's tunnel to it
                    live_base = (options.callback_url or receiver.base_url).rstrip("/")
                    subs.extend(_callback_substitutions(plan.gateways[profile.id], receiver, live_base))
                    subs.append((live_base, CALLBACK_PLACEHOLDER))
                if handle is not None:
                    origin = urllib.parse.urlunsplit(urllib.parse.urlsplit(base_url)._replace(path="", query=""))
                    subs.append((origin, EMULATOR_PLACEHOLDER))
                http: httpx.AsyncClient | None = None
                direct: ReplaySource | None = None
                policy = FetchPolicy(gateway_url=base_url, allowed_hosts=frozenset(options.allowed_fetch_hosts))
                normalizer = normalizers.setdefault(profile.id, _normalizer(profile))
                if options.mode == "replay":  # looked up straight from the index: no HTTP client, no httpx
                    index = ReplayIndex(cassettes.values())
                    direct = ReplaySource(index, base_url)
                    clock: Clock = VirtualClock()
                else:
                    import httpx

                    from conformance.harness.one_response import install as one_response_per_request

                    one_response_per_request()  # extra bytes after a response never answer the next request
                    index = None
                    key = keys[profile.id]
                    guarded = (*_secrets(key), *credentials[profile.id].secrets, *url_secrets(base_url))
                    http = httpx.AsyncClient(
                        timeout=httpx.Timeout(options.limits.read_seconds, connect=options.limits.connect_seconds),
                        follow_redirects=True,
                        max_redirects=5,
                        limits=httpx.Limits(max_connections=options.limits.per_gateway_concurrency),
                        event_hooks={"request": [httpx_request_hook(policy, (profile.auth.header,), guarded)]},
                    )
                    clock = (options.clock or SharedVirtualClock()) if options.stable else real_clock
                    await stack.enter_async_context(http)
                client = GatewayClient(
                    gateway=profile.id,
                    base_url=base_url,
                    http=http,
                    clock=clock,
                    key=keys[profile.id],
                    auth=profile.auth,
                    credentials=credentials[profile.id],
                    limits=options.limits,
                    global_slots=global_slots,
                    rng=random.Random(rng.random()),
                    substitutions=tuple(subs),
                    direct=direct,
                    budget=budget,
                    create_answer=_create_answer(normalizer),
                    fetch_policy=policy,
                    meter=meter if options.mode != "replay" else None,
                )
                writer = _cassette_writer(options, root, tokens[profile.id], state)
                executions.append(
                    (
                        profile,
                        GatewayExecution(
                            profile=profile,
                            client=client,
                            clock=clock,
                            normalizer=normalizer,
                            evidence_for=evidence_factory(
                                options,
                                profile,
                                base_url,
                                cassettes,
                                _skipped_ids(plan.gateways[profile.id]),
                            ),
                            settings=_settings(options, is_loopback(base_url), run_deadline_at),
                            replay=index,
                            replay_cassettes=cassettes,
                            receiver=receiver,
                            on_cassette=writer,
                            on_done=_tracker(state, profile.id),
                            progress=progress,
                        ),
                    )
                )
            jobs = [execute_gateway(ex, plan.gateways[p.id]) for p, ex in executions]
            try:
                if options.stable:  # one gateway after the other (deterministic recordings)
                    results = await _in_order(jobs)
                elif run_deadline_at is not None:
                    async with asyncio.timeout(options.deadline):
                        results = list(await asyncio.gather(*jobs))
                else:
                    results = list(await asyncio.gather(*jobs))
                for (profile, _), traces in zip(executions, results, strict=True):
                    state.traces[profile.id] = traces
            except TimeoutError:  # the run deadline
                state.incomplete = True
    except asyncio.CancelledError:
        state.incomplete = True
        state.interrupted = True
        _INTERRUPTED_FILTER.active = True
    state.paid_used = budget.spent
    report: RunReport | None = None
    try:
        report = _build_report(options, profiles, plan, state, specs, started)
    finally:
        if progress is not None:  # after judging, so that the closing line can count the findings
            progress.run_finished(
                findings=None
                if report is None
                else sum(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in report.results)
            )
    state.report = report
    return report


async def run_and_write(options: RunOptions, *, state: RunState | None = None, progress: Any = None) -> RunReport:
    """:func:`execute_run`, then write the reports (also when interrupted: the report is marked incomplete).

    The run directory is left in ``state.report_dir`` so that a caller interrupted by Ctrl-C can name it.
    This convenience for the shells (CLI, pytest plugin) is the harness's one call into the output layer.
    """
    from conformance.reports import write_reports

    state = state if state is not None else RunState()
    report = await execute_run(options, state=state, progress=progress)
    if options.write_report:
        state.report_dir = write_reports(report, options.reports_dir)
    return report


def _skipped_ids(items: Iterable[Any]) -> frozenset[str]:
    """Ids of the planned scenarios that are skipped (they carry no evidence of their own)."""
    return frozenset(i.scenario.id for i in items if i.scenario.skipped_reason)


async def _in_order(jobs: list[Any]) -> list[dict[str, ScenarioTrace]]:
    """Await coroutines one after the other (deterministic recordings)."""
    return [await job for job in jobs]


def _run_budget(options: RunOptions, plan: RunPlan) -> TaskBudget:
    """The run's money guard. A shard may spend only what the plan gave it (the shards of one run together
    never exceed ``--max-paid-tasks``); free create-type probes are announced so paid creates wait for them."""
    cap = plan.max_paid_tasks
    if cap is not None and plan.shard is not None:
        cap = min(cap, plan.paid_planned)
    budget = TaskBudget(cap) if options.budget_store is None else TaskBudget(cap, options.budget_store)
    if not options.stable:  # stable recordings run in catalog order, one scenario at a time: no barrier
        budget.expect_probes(sum(is_probe(p.scenario) for items in plan.gateways.values() for p in items if p.runs))
    return budget


def _callback_substitutions(items: Iterable[Any], receiver: CallbackReceiver, live_base: str) -> list[tuple[str, str]]:
    """(live, recorded) pairs giving each scenario's callback URL its unguessable token on the wire only.

    The scenario sends ``<placeholder>/callback/<gateway>/<scenario>``; the gateway receives
    ``<receiver>/callback/<gateway>/<scenario>/<token>`` and the receiver accepts nothing else. Recorded
    bytes keep the tokenless placeholder (cassettes stay byte-stable; replay matches them). Longest
    first, so that a scenario id that prefixes another never takes its URL.
    """
    urls: set[str] = set()
    for item in items:
        scenario = item.scenario
        for body in (scenario.request_body, *(r.body for r in scenario.requests)):
            url = body.get("callback_url") if isinstance(body, dict) else None
            if isinstance(url, str) and url.startswith(f"{CALLBACK_PLACEHOLDER}/callback/"):
                urls.add(url)
    pairs = [(receiver.url_for(callback_path(url), live_base), url) for url in urls]
    return sorted(pairs, key=lambda pair: len(pair[1]), reverse=True)


def _secrets(key: str | None) -> tuple[str, ...]:
    return (key,) if key else ()


def _create_answer(normalizer: Callable[[Exchange], Any]) -> Callable[[Exchange], tuple[str | None, bool]]:
    """(task id, is error) of an answer to a create-type request, for the budget's settlement."""

    def read(exchange: Exchange) -> tuple[str | None, bool]:
        norm = normalizer(exchange)
        return (norm.task_id or None), bool(norm.is_error)

    return read


def _tracker(state: RunState, gateway: str) -> Callable[[ScenarioTrace], None]:
    def done(trace: ScenarioTrace) -> None:
        state.traces.setdefault(gateway, {})[trace.scenario] = trace
        if not trace.skipped_reason:
            state.done[gateway] = state.done.get(gateway, 0) + 1
        if state.budget is not None:
            state.paid_used = state.budget.spent  # every task created or possibly created, by any request

    return done


def _cassette_writer(options: RunOptions, root: Path, token: str, state: RunState) -> Callable[[Cassette], None] | None:
    if options.mode != "record":
        return None

    def write(cassette: Cassette) -> None:
        if not cassette.interactions:
            return
        cassette.meta["run_token"] = token
        cassette.write(cassette_path(root, cassette.gateway, cassette.scenario))
        state.cassettes_written += 1

    return write


def _selected_checks(options: RunOptions) -> list[CheckSpec]:
    from conformance.checks import load_builtin_checks

    load_builtin_checks()
    if not options.checks:
        return [spec for _, spec in CHECKS.items()]
    for name in options.checks:
        if name not in CHECKS:
            raise UsageError(
                f"unknown check {name!r}.{did_you_mean(name, CHECKS.names())}",
                where="--check",
                fix="list the check ids with `kling-conformance checks`",
            )
    return [CHECKS.get(name) for name in options.checks]


def _build_report(
    options: RunOptions,
    profiles: list[GatewayProfile],
    plan: RunPlan,
    state: RunState,
    specs: list[CheckSpec],
    started: dt.datetime,
) -> RunReport:
    from conformance.spec import spec_hash

    def new_run_id(moment: dt.datetime) -> str:  # reports/writer.py's format: sortable, unique
        return f"{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"

    meta = RunMeta(
        run_id=new_run_id(started) + (f"-shard{options.shard.index}of{options.shard.count}" if options.shard else ""),
        tool_version=__version__,
        spec_hash=spec_hash(),
        mode="emulator" if options.emulator and options.mode == "live" else options.mode,
        started_at=started.isoformat(timespec="seconds"),
        incomplete=state.incomplete,
        gateways=[p.id for p in profiles],
        shard=str(options.shard) if options.shard else "",
        budget={"max_paid_tasks": plan.max_paid_tasks, "paid_tasks_used": state.paid_used},
    )
    report = RunReport(meta=meta)
    for profile in profiles:
        traces = _complete_traces(profile, plan, state, mode_evidence(options, profile))
        normalizer = state.normalizers.get(profile.id) or _normalizer(profile)
        ctx = CheckContext(profile=profile, traces=traces, normalizer=normalizer, mode=options.mode)
        fallback = fallback_evidence(traces, options)
        judged = judge_by_evidence(profile, traces, normalizer, options.mode, specs, fallback)
        # a shard's report holds its own results only: the other shards' stand-ins stay out of it
        report.results.extend(r for r in judged if r.reason != OTHER_SHARD)
        report.observations.extend(derive(ctx))
    # Exchanges the results point at (the report's details view); the rest stay in the cassettes.
    wanted = {r.exchange_ref for r in report.results if r.exchange_ref}
    for gateway_traces in state.traces.values():
        for trace in gateway_traces.values():
            for exchange in trace.exchanges:
                if exchange.ref in wanted and exchange.ref not in report.exchanges:
                    report.exchanges[exchange.ref] = exchange_summary(exchange)
    meta.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return report


def _complete_traces(
    profile: GatewayProfile, plan: RunPlan, state: RunState, evidence: Evidence
) -> dict[str, ScenarioTrace]:
    """Traces in catalog order; scenarios interrupted before finishing are marked as errors."""
    captured = state.traces.get(profile.id, {})
    out: dict[str, ScenarioTrace] = {}
    for item in plan.gateways.get(profile.id, []):
        s = item.scenario
        trace = captured.get(s.id)
        if trace is None:
            trace = ScenarioTrace(
                scenario=s.id,
                operation_id=s.operation_id,
                gateway=profile.id,
                evidence=evidence,
                paid=s.paid,
                skipped_reason=item.skipped_reason,
                error="" if item.skipped_reason else "run interrupted",
                request_body=s.request_body,
                meta=dict(s.meta),
            )
        out[s.id] = trace
    return out


def exchange_summary(exchange: Exchange) -> dict[str, Any]:
    """Redacted, size-capped summary of one exchange for ``report.json``."""

    def text(body: bytes) -> str:
        decoded = body[: _SUMMARY_BODY_CHARS * 4].decode("utf-8", "replace")
        return decoded if len(decoded) <= _SUMMARY_BODY_CHARS else decoded[:_SUMMARY_BODY_CHARS] + "…[cut]"

    req = exchange.request
    out: dict[str, Any] = {
        "scenario": exchange.scenario,
        "operation": exchange.operation_id,
        "purpose": str(exchange.meta.get("purpose", "")),
        "evidence": exchange.evidence.kind.value,
        "request": {"method": req.method, "url": req.url, "headers": dict(req.headers), "body": text(req.body)},
        "response": None,
        "error": exchange.error,
        "elapsed_ms": round(exchange.elapsed_ms, 1),
    }
    if isinstance(exchange.meta.get("seq"), int):
        out["seq"] = exchange.meta["seq"]  # the gateway client's send order
    if exchange.meta.get("body_note"):
        out["body_note"] = str(exchange.meta["body_note"])  # why the body is cut or not as labelled
    if exchange.response is not None:
        resp = exchange.response
        out["response"] = {
            "status": resp.status_code,
            "headers": dict(resp.headers),
            "body": text(resp.body),
            "truncated": resp.truncated,
        }
    return out


def relative(url: str, base_url: str) -> str:
    """Re-export for the plan printer: a URL below its base."""
    return relative_url(url, base_url)


def ensure_key_or_usage(profile: GatewayProfile, options: RunOptions) -> None:
    """Raise the missing-key :class:`UsageError` early (used by ``plan`` to warn)."""
    if options.mode != "replay" and not options.emulator:
        _credentials_for(profile, options, "")


__all__ = ["RunOptions", "RunState", "UsageError", "execute_run", "plan_run"]
