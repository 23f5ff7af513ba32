"""Executes one gateway's planned scenarios and turns what happened into :class:`ScenarioTrace` objects.

The same code runs in every mode; only the :class:`~conformance.harness.client.GatewayClient`'s
transport and the clock differ. Creates run concurrently (bounded by the client's semaphores); a
query of a created task waits for its create; a lifecycle task is polled until a terminal status, the
per-task deadline or the run deadline. Each finished scenario is handed to ``on_cassette`` (record
mode writes it to disk at once, so an interrupted recording keeps every completed scenario).
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.base import CallbackDelivery, ScenarioTrace
from conformance.harness import driving, media_fetch
from conformance.harness.callback_signatures import META_KEY as SIGNATURES_META
from conformance.harness.callback_signatures import signature_verdicts
from conformance.harness.callbacks import CallbackReceiver
from conformance.harness.cassette import Cassette, Interaction
from conformance.harness.client import Attempted, GatewayClient
from conformance.harness.clock import Clock
from conformance.harness.plan import PlannedScenario, is_probe
from conformance.harness.replay_index import ReplayIndex
from conformance.harness.scenarios import BUDGET, NO_EVIDENCE, RequestSpec, Scenario, callback_path
from conformance.models import Evidence, Exchange
from conformance.normalize.result import NormalizedResponse
from conformance.profiles.model import GatewayProfile, TaskProtocol

Normalizer = Callable[[Exchange], NormalizedResponse]

#: Headers of a received callback worth keeping (the rest is transport noise: host, length, ...).
_CALLBACK_HEADERS = ("content-type", "user-agent", "x-kling-signature", "webhook-signature", "x-signature")
_MAX_POLLS = 500
_TERMINAL_WORD = re.compile(
    rb'"(?:task_status|status)"\s*:\s*"(?:succeed|succeeded|success|completed|failed|failure)"', re.I
)
_MAX_POLL_ERRORS = 5


@dataclass(slots=True, kw_only=True)
class ExecutionSettings:
    """Timing of one gateway's execution (seconds on the run's clock)."""

    poll_interval: float = 10.0
    task_deadline: float = 900.0
    run_deadline: float | None = None  # absolute, on the clock
    callback_grace: float = 5.0  # how long to wait for the final callback after a terminal status
    fetch_results: bool = True
    stable: bool = False  # deterministic recordings: no elapsed times, ordinal callback times
    sequential: bool = False  # one scenario at a time, in catalog order (deterministic recordings)


@dataclass(slots=True, kw_only=True)
class GatewayExecution:
    """Everything needed to run one gateway's scenarios."""

    profile: GatewayProfile
    client: GatewayClient
    clock: Clock
    normalizer: Normalizer
    evidence_for: Callable[[str], Evidence]
    settings: ExecutionSettings = field(default_factory=ExecutionSettings)
    replay: ReplayIndex | None = None
    replay_cassettes: dict[str, Cassette] = field(default_factory=dict)
    receiver: CallbackReceiver | None = None
    on_cassette: Callable[[Cassette], None] | None = None
    on_done: Callable[[ScenarioTrace], None] | None = None
    progress: Any = None  # conformance.reports.progress.ProgressSink


class _BudgetSpent(Exception):
    """The run's budget could not absorb this scenario's create-type request: it was not sent."""


class _Recorder:
    """Collects one scenario's exchanges and interactions."""

    def __init__(self, ex: GatewayExecution, scenario: Scenario, clock: Clock) -> None:
        self.ex = ex
        self.scenario = scenario
        self.clock = clock
        self.evidence = ex.evidence_for(scenario.id)
        self.exchanges: list[Exchange] = []
        self.interactions: list[Interaction] = []

    async def send(
        self,
        spec: RequestSpec,
        *,
        path: str | None = None,
        auth: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        meta: dict[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> Exchange:
        client = self.ex.client
        query = tuple((k, v) for k, v in spec.query)
        target = path if path is not None else spec.path
        # A result URL is the gateway's word: fetched as given (a relative or file: one is refused, never
        # resolved against the gateway's base URL).
        url = target if spec.purpose == "result-fetch" else client.url_for(target, query)
        raw = spec.body.encode() if isinstance(spec.body, str) else None
        attempted = await client.send(
            scenario=self.scenario.id,
            operation_id=spec.operation_id or self.scenario.operation_id,
            ref=f"{self.ex.profile.id}/{self.scenario.id}#{len(self.exchanges)}",
            evidence=self.evidence,
            method=spec.method,
            url=url,
            body=None if raw is not None else spec.body,
            raw_body=raw,
            headers=spec.headers + extra_headers,
            auth=auth or spec.auth,
            meta={"purpose": spec.purpose, **spec.meta, **(meta or {})},
            paid=self.scenario.paid,
            max_bytes=max_bytes,
        )
        if attempted.exchange.meta.get("budget") == "refused":
            raise _BudgetSpent
        if spec.purpose == "result-fetch":  # the file's bytes are not kept, its probed facts are (meta["media"])
            full = attempted.exchange
            attempted = media_fetch.without_bodies(attempted)
            self.exchanges.append(attempted.exchange)
            self._keep(attempted)
            return full
        self.exchanges.append(attempted.exchange)
        self._keep(attempted)
        return attempted.exchange

    def _keep(self, attempted: Attempted) -> None:
        if self.ex.settings.stable:
            self.interactions.extend(
                Interaction(
                    request=i.request, response=i.response, purpose=i.purpose, error=i.error, note=i.note, seq=i.seq
                )
                for i in attempted.interactions  # stable (byte-identical) cassettes drop only the timing
            )
        else:
            self.interactions.extend(attempted.interactions)


async def execute_gateway(ex: GatewayExecution, planned: list[PlannedScenario]) -> dict[str, ScenarioTrace]:
    """Run ``planned`` for one gateway; returns a trace per scenario (skipped ones included), in catalog order."""
    futures: dict[str, asyncio.Future[ScenarioTrace]] = {
        p.scenario.id: asyncio.get_running_loop().create_future() for p in planned
    }

    async def runner(item: PlannedScenario) -> None:
        scenario = item.scenario
        if ex.progress is not None and item.runs:
            ex.progress.task_started(ex.profile.id, scenario.id)
        probe = ex.client.budget is not None and item.runs and is_probe(scenario)
        try:
            trace = await _run_one(ex, item, futures)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a harness bug must not take the other scenarios down
            trace = _trace(ex, scenario, error=f"harness error: {type(exc).__name__}: {exc}")
        finally:
            if probe and ex.client.budget is not None:
                ex.client.budget.probe_finished()
        if not futures[scenario.id].done():
            futures[scenario.id].set_result(trace)
        if ex.on_done is not None:
            ex.on_done(trace)
        if ex.progress is not None and item.runs:
            outcome = (
                f"skipped: {trace.skipped_reason}"
                if trace.skipped_reason
                else f"error: {trace.error}"
                if trace.error
                else "done"
            )
            ex.progress.task_finished(ex.profile.id, scenario.id, outcome)

    if ex.settings.sequential:  # producers precede their dependents in catalog order
        for item in planned:
            await runner(item)
        return {sid: fut.result() for sid, fut in futures.items()}
    tasks = [asyncio.create_task(runner(p), name=f"{ex.profile.id}/{p.scenario.id}") for p in planned]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return {sid: fut.result() for sid, fut in futures.items() if fut.done() and not fut.cancelled()}


def _trace(ex: GatewayExecution, scenario: Scenario, **kwargs: Any) -> ScenarioTrace:
    meta = dict(scenario.meta)
    meta.update(kwargs.pop("meta", {}))
    return ScenarioTrace(
        scenario=scenario.id,
        operation_id=scenario.operation_id,
        gateway=ex.profile.id,
        evidence=kwargs.pop("evidence", None) or ex.evidence_for(scenario.id),
        paid=scenario.paid,
        request_body=scenario.request_body,
        meta=meta,
        **kwargs,
    )


async def _run_one(
    ex: GatewayExecution, item: PlannedScenario, futures: dict[str, asyncio.Future[ScenarioTrace]]
) -> ScenarioTrace:
    scenario = item.scenario
    if item.skipped_reason:
        return _trace(ex, scenario, skipped_reason=item.skipped_reason)
    if ex.replay is not None and scenario.id not in ex.replay and not scenario.shares_task_with:
        return _trace(ex, scenario, skipped_reason=NO_EVIDENCE, meta={"why": "no cassette for this scenario"})
    if scenario.shares_task_with:
        producer = await futures[scenario.shares_task_with]
        return ScenarioTrace(
            scenario=scenario.id,
            operation_id=scenario.operation_id,
            gateway=ex.profile.id,
            evidence=producer.evidence,
            exchanges=producer.exchanges,
            paid=False,
            skipped_reason=producer.skipped_reason,
            error=producer.error,
            deadline_exceeded=producer.deadline_exceeded,
            callbacks=producer.callbacks,
            request_body=scenario.request_body,
            meta={**producer.meta, **scenario.meta, "shared_with": producer.scenario},
        )
    placeholders: dict[str, str] = {}
    if scenario.depends_on:
        producer = await futures[scenario.depends_on]
        task_id = producer.meta.get("task_id")
        if not task_id:
            why = producer.skipped_reason or NO_EVIDENCE
            return _trace(
                ex, scenario, skipped_reason=why, meta={"why": f"{producer.scenario} produced no task id to query"}
            )
        placeholders = {"task_id": str(task_id), "external_task_id": str(scenario.meta.get("external_task_id", ""))}
    clock = ex.clock.fork()
    rec = _Recorder(ex, scenario, clock)
    error = ""
    deadline_exceeded = False
    meta: dict[str, Any] = {}
    try:
        try:
            if scenario.requests and scenario.requests[0].purpose == "create":
                deadline_exceeded, error, meta = await _run_create(ex, scenario, rec)
            else:
                for spec in scenario.requests:
                    filled = _fill(spec, placeholders)
                    exchange = await rec.send(filled)
                    if exchange.error and exchange.error.startswith("replay:"):
                        error = exchange.error
                    _extract(spec, exchange, placeholders)  # a flow's later calls use what this one answered
                if "task_id" in placeholders:
                    meta["task_id"] = placeholders["task_id"]
        except _BudgetSpent:
            if not rec.exchanges:
                why = "the run's --max-paid-tasks was spent before this request, which could create a task, was sent"
                return _trace(ex, scenario, skipped_reason=BUDGET, meta={"why": why})
    except TimeoutError:
        error = "run deadline reached"
    if ex.replay is None and _callback_expected(ex, scenario, meta):
        path = callback_path(str(scenario.request_body["callback_url"]))
        await _await_final_callback(ex, path, ex.settings.callback_grace)
    callbacks = _collect_callbacks(ex, scenario)
    signatures = _callback_signatures(ex, scenario, rec, callbacks)
    if signatures is not None:
        meta[SIGNATURES_META] = signatures
    trace = _trace(
        ex,
        scenario,
        exchanges=tuple(rec.exchanges),
        error=error,
        deadline_exceeded=deadline_exceeded,
        callbacks=callbacks,
        meta=meta,
    )
    if ex.on_cassette is not None and ex.replay is None:
        ex.on_cassette(_cassette(ex, scenario, rec, trace))
    return trace


def _fill(spec: RequestSpec, values: dict[str, str]) -> RequestSpec:
    if not values:
        return spec
    path = spec.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", _segment(value))
    query = tuple((k, v.format(**values) if "{" in v else v) for k, v in spec.query)
    body = spec.body
    if spec.meta.get("fill_body") and isinstance(body, dict):  # a flow's body takes the earlier answer's values
        body = {
            k: values.get(v[1:-1], v) if isinstance(v, str) and v[:1] + v[-1:] == "{}" else v for k, v in body.items()
        }
    return RequestSpec(
        method=spec.method,
        path=path,
        purpose=spec.purpose,
        body=body,
        query=query,
        headers=spec.headers,
        auth=spec.auth,
        operation_id=spec.operation_id,
        meta=spec.meta,
    )


def _placeholder(value: Any, values: dict[str, str]) -> Any:
    """``values[name]`` for a value written ``"{name}"`` (when known), else the value itself."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return values.get(value[1:-1], value)
    return value


def _extract(spec: RequestSpec, exchange: Exchange, values: dict[str, str]) -> None:
    """Fill ``values`` from ``spec.meta["extract"]`` ({name: dotted path}) in the exchange's JSON answer."""
    wanted = spec.meta.get("extract")
    if not isinstance(wanted, dict) or exchange.response is None:
        return
    body = driving.body_json(exchange)
    for name, dotted in wanted.items():
        value: Any = body
        for part in str(dotted).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            values[str(name)] = str(value)


def _segment(value: str) -> str:
    """A task id as one URL path segment: any id (CR, LF, NUL, ``/``, ``..``) is sent escaped, never raw."""
    return urllib.parse.quote(value, safe="")


def _accepted(norm: NormalizedResponse, exchange: Exchange) -> bool:
    return exchange.response is not None and 200 <= exchange.response.status_code < 300 and not norm.is_error


async def _run_create(ex: GatewayExecution, scenario: Scenario, rec: _Recorder) -> tuple[bool, str, dict[str, Any]]:
    meta: dict[str, Any] = {}
    spec = scenario.requests[0]
    created = await rec.send(spec)
    if created.meta.get("budget") in ("created", "unknown") and ex.progress is not None and ex.replay is None:
        ex.progress.paid_task_used(ex.profile.id)
    if created.error:
        return False, created.error if created.error.startswith("replay:") else "", meta
    create_op = ex.profile.operation(scenario.operation_id)
    task = create_op.task if create_op is not None else None  # driving: None = Kling's POST-then-GET
    norm = ex.normalizer(created)
    created_body = driving.body_json(created) if task is not None else None
    task_id = driving.task_id_of(task, norm, created_body) if _accepted(norm, created) else None
    if not task_id:
        return False, "", meta
    meta["task_id"] = task_id
    if scenario.meta.get("field_path"):  # an invalid request that created a task: a finding
        meta["created_task_id"] = task_id
    get_op = ex.profile.operation(f"{scenario.family}.get")
    if task is None and (get_op is None or not get_op.supported):
        return False, "", meta
    target = driving.poll_target(task, get_op, created_body, task_id, ex.client.base_url)
    if target.error:
        return False, target.error if scenario.polled else "", meta
    # Polls and queries of the created task are calls of the get operation (their exchanges say so).
    query = RequestSpec(method="GET", path=target.path, purpose="query", operation_id=f"{scenario.family}.get")
    if scenario.polled:
        return await _poll(ex, scenario, rec, query, meta, task=task, created_body=created_body)
    if scenario.follow_up_query and (
        ex.replay is None or ex.replay.pending(scenario.id, "GET", ex.client.url_for(query.path), ex.client.base_url)
    ):
        await rec.send(query)
    return False, "", meta


def describe_answer(exchange: Exchange, norm: NormalizedResponse | None) -> str:
    """A failed poll's answer in one phrase: ``HTTP 404 kling-error (code 1203: task not found)``.

    Names the transport error when no response came, else the HTTP status, the shape the normalizer
    recognised, and the gateway's error code and message (cut at 80 characters) where it gave them.
    """
    if exchange.response is None:
        return exchange.error or "no response"
    text = f"HTTP {exchange.response.status_code}"
    if norm is None:
        return text
    text = f"{text} {norm.shape.value}"
    bits = [f"code {norm.error_code}"] if norm.error_code is not None else []
    message = " ".join((norm.error_message or "").split())
    if message:
        bits.append(message if len(message) <= 80 else message[:79] + "…")
    return f"{text} ({': '.join(bits)})" if bits else text


async def _poll(
    ex: GatewayExecution,
    scenario: Scenario,
    rec: _Recorder,
    query: RequestSpec,
    meta: dict[str, Any],
    *,
    task: TaskProtocol | None = None,
    created_body: Any = None,
) -> tuple[bool, str, dict[str, Any]]:
    settings = ex.settings
    clock = rec.clock
    started = clock.now()
    poll = RequestSpec(method="GET", path=query.path, purpose="poll", operation_id=query.operation_id)
    errors = 0
    last: NormalizedResponse | None = None
    last_body: Any = None
    for _ in range(_MAX_POLLS):
        if ex.replay is not None:
            if not ex.replay.pending(scenario.id, "GET", ex.client.url_for(poll.path), ex.client.base_url):
                recorded = ex.replay_cassettes.get(scenario.id)
                return bool(recorded and recorded.deadline_exceeded), (recorded.error if recorded else ""), meta
        elif clock.now() - started >= settings.task_deadline:
            return True, "", meta
        if settings.run_deadline is not None and clock.now() >= settings.run_deadline:
            return True, "run deadline reached before the task finished", meta
        await clock.sleep(settings.poll_interval)
        exchange = await rec.send(poll)
        if exchange.error and exchange.error.startswith("replay:"):
            return False, exchange.error, meta
        norm = ex.normalizer(exchange) if exchange.response is not None else None
        body = driving.body_json(exchange) if task is not None else None
        if norm is None or not driving.poll_answered(task, norm, exchange, body):
            errors += 1
            if errors >= _MAX_POLL_ERRORS:
                return False, f"{errors} consecutive polls failed; last: {describe_answer(exchange, norm)}", meta
            continue
        errors = 0
        last, last_body = norm, body
        if driving.is_terminal(task, norm, body):
            break
    else:
        return True, f"no terminal status after {_MAX_POLLS} polls", meta
    meta["terminal_status"] = last.status.value if last and last.status else ""
    if task is not None and last is not None:
        meta["terminal_word"] = driving.status_word(task, last, last_body) or ""
    result = driving.result_target(task, created_body, last_body, str(meta.get("task_id", "")), ex.client.base_url)
    if result is not None:
        if result.error:
            return False, result.error, meta
        if ex.replay is None or ex.replay.pending(
            scenario.id, "GET", ex.client.url_for(result.path), ex.client.base_url
        ):
            fetched = await rec.send(
                RequestSpec(method="GET", path=result.path, purpose="result", operation_id=query.operation_id)
            )
            if fetched.response is not None:
                last = ex.normalizer(fetched)
    urls = (last.video_urls + last.image_urls) if last else ()
    if urls and _should_fetch(ex, scenario):
        meta["media"] = await _probe_results(ex, scenario, rec, urls, query.operation_id)
    return False, "", meta


async def _probe_results(
    ex: GatewayExecution, scenario: Scenario, rec: _Recorder, urls: tuple[str, ...], operation_id: str
) -> dict[str, Any]:
    """Probe the result files (live, record) or re-send the recorded reads and take the recorded facts (replay)."""

    def fetcher(url: str) -> media_fetch.Fetch:
        async def fetch(start: int, end: int, cap: int) -> media_fetch.Read:
            spec = RequestSpec(method="GET", path=url, purpose="result-fetch", auth="none", operation_id=operation_id)
            exchange = await rec.send(
                spec, extra_headers=(("Range", f"bytes={start}-{end}"),), meta={"url": url}, max_bytes=cap
            )
            return media_fetch.read_of(exchange)

        return fetch

    picked = urls[: media_fetch.MAX_PROBED]
    if ex.replay is None:
        return await media_fetch.probe_all(picked, fetcher)
    for url in picked:
        spec = RequestSpec(method="GET", path=url, purpose="result-fetch", auth="none", operation_id=operation_id)
        for _ in range(media_fetch.MAX_READS):
            if not ex.replay.pending(scenario.id, "GET", ex.client.url_for(url), ex.client.base_url):
                break
            await rec.send(spec, meta={"url": url})
    recorded = ex.replay_cassettes.get(scenario.id)
    facts = recorded.meta.get("media") if recorded is not None else None
    return facts if isinstance(facts, dict) else {}


def _should_fetch(ex: GatewayExecution, scenario: Scenario) -> bool:
    if ex.replay is not None:
        return "result-fetch" in ex.replay.purposes(scenario.id)
    return ex.settings.fetch_results


def _collect_callbacks(ex: GatewayExecution, scenario: Scenario) -> tuple[CallbackDelivery, ...]:
    body = scenario.request_body
    if not isinstance(body, dict) or "callback_url" not in body:
        return ()
    if ex.replay is not None:
        recorded = ex.replay_cassettes.get(scenario.id)
        return tuple(
            CallbackDelivery(
                received_at_ms=float(c.get("received_at_ms", 0.0)),
                headers=tuple((str(k), str(v)) for k, v in (c.get("headers") or {}).items()),
                body=str(c.get("body", "")).encode("utf-8", "surrogateescape"),
            )
            for c in (recorded.callbacks if recorded else [])
        )
    if ex.receiver is None:
        return ()
    return ex.receiver.deliveries(callback_path(str(body["callback_url"])))


def _callback_expected(ex: GatewayExecution, scenario: Scenario, meta: dict[str, Any]) -> bool:
    """Whether a terminal callback can still arrive for ``scenario``: it asked for one and a task was made.

    A refused create makes no task, so nothing will call back. Stable recordings run against the in-process
    emulator, which sends callbacks exactly as the profile says, so a profile that drops ``callback_url``
    (or whose lifecycle sends none) has nothing to wait for either. Live runs still wait their short grace
    even then: a gateway that calls back against its profile's word is evidence worth catching.
    """
    body = scenario.request_body
    if not (isinstance(body, dict) and "callback_url" in body and meta.get("task_id")):
        return False
    if ex.settings.stable:
        profile = ex.profile
        return "callback_url" not in profile.drops_fields and profile.lifecycle.callback != "none"
    return True


def _callback_signatures(
    ex: GatewayExecution, scenario: Scenario, rec: _Recorder, callbacks: tuple[CallbackDelivery, ...]
) -> list[dict[str, Any]] | None:
    """The signature verdict of each delivery: judged now while recording, read back in replay."""
    if ex.replay is not None:
        recorded = ex.replay_cassettes.get(scenario.id)
        found = recorded.meta.get(SIGNATURES_META) if recorded is not None else None
        return list(found) if isinstance(found, list) else None
    return signature_verdicts(ex.profile, callbacks, emulator=rec.evidence.kind.value == "emulator")


async def _await_final_callback(ex: GatewayExecution, path: str, grace: float) -> None:
    """Give the callback of the terminal status up to ``grace`` (real) seconds to land (live runs only)."""
    if ex.receiver is None or grace <= 0:
        return
    loop = asyncio.get_running_loop()
    end = loop.time() + grace
    while loop.time() < end:
        for delivery in ex.receiver.deliveries(path):
            if _TERMINAL_WORD.search(delivery.body):
                return
        await asyncio.sleep(min(0.02, grace))


def _unkept(ex: GatewayExecution, header: str) -> bool:
    """A standard-webhooks signature signs the exact bytes, which the cassette maps (origins): its verdict
    is kept in meta instead of a value nothing could check again."""
    return ex.profile.lifecycle.callback_signature == "standard-webhooks" and header.lower() == "webhook-signature"


def _cassette(ex: GatewayExecution, scenario: Scenario, rec: _Recorder, trace: ScenarioTrace) -> Cassette:
    stable = ex.settings.stable
    callbacks = [
        {
            "received_at_ms": float(index) if stable else round(c.received_at_ms, 1),
            "headers": {k: v for k, v in c.headers if k.lower() in _CALLBACK_HEADERS and not _unkept(ex, k)},
            "body": ex.client._to_recorded(c.body).decode("utf-8", "replace"),
        }
        for index, c in enumerate(trace.callbacks)
    ]
    kept = ("task_id", "terminal_status", "run_token", SIGNATURES_META, "media")
    meta = {k: v for k, v in trace.meta.items() if k in kept}
    return Cassette(
        gateway=ex.profile.id,
        scenario=scenario.id,
        operation=scenario.operation_id,
        evidence=rec.evidence,
        base_url=ex.client._to_recorded(ex.client.base_url.encode()).decode(),
        interactions=rec.interactions,
        callbacks=callbacks,
        error=trace.error,
        deadline_exceeded=trace.deadline_exceeded,
        meta=meta,
    )
