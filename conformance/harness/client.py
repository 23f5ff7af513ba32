"""One gateway's HTTP client: auth, bounded concurrency, retries with backoff, body and time caps.

Every mode goes through :class:`GatewayClient`: live and record use a real ``httpx.AsyncClient``;
replay looks each request up in a :class:`~conformance.harness.replay_index.ReplayIndex` directly (a
:class:`~conformance.harness.replay_index.ReplaySource`), so a replay never imports httpx at all. Each HTTP attempt is
turned into a redacted :class:`~conformance.harness.cassette.Interaction` (for the recorder) and the
final attempt into an :class:`~conformance.models.Exchange` (for the checks). The key is put on the
request only here, and scrubbed from everything this module returns.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import orjson

from conformance import __version__
from conformance.harness.address_guard import FETCH, START_URL, FetchPolicy, GuardRefused, check_fetch, origin
from conformance.harness.budget import TaskBudget, could_create, settle_outcome
from conformance.harness.cassette import Interaction
from conformance.harness.clock import Clock
from conformance.harness.redact import (
    REDACTED,
    redact_body,
    redact_headers,
    redact_url,
    register_secrets,
    scrub_text,
    url_secrets,
    without_userinfo,
)
from conformance.harness.replay_index import SCENARIO_EXTENSION, ReplayIndex
from conformance.models import Evidence, Exchange, RecordedRequest, RecordedResponse
from conformance.profiles.auth import AuthParts, Credentials, auth_parts, token_for
from conformance.profiles.model import AuthSpec

if TYPE_CHECKING:
    import httpx

#: A key that no gateway will accept (for ``auth.invalid-key``); it is not a secret.
INVALID_KEY = "kc-invalid-key-00000000000000000000"

RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpLimits:
    """Caps and retry policy (all configurable; defaults suit real gateways)."""

    max_body_bytes: int = 8 * 1024 * 1024
    read_seconds: float = 60.0  # time cap on one response, headers to last byte
    connect_seconds: float = 10.0
    max_retries: int = 4  # extra attempts on 429/503 and on connection failures
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0
    per_gateway_concurrency: int = 4
    global_concurrency: int = 8
    #: Per run, across every gateway: bytes read off the network, and decoded body bytes kept (in the
    #: report, the cassettes and memory). When a cap is hit the bodies are cut, and their note says so.
    max_run_read_bytes: int = 1024 * 1024 * 1024
    max_run_stored_bytes: int = 256 * 1024 * 1024


class _Exhausted(Exception):
    """The run's read cap was spent before this body: it is not read."""


class RunMeter:
    """The per-run caps of :class:`HttpLimits` (``max_run_read_bytes``, ``max_run_stored_bytes``), shared
    by every :class:`GatewayClient` of a run (one event loop: no lock needed)."""

    def __init__(self, limits: HttpLimits) -> None:
        self.read_cap = limits.max_run_read_bytes
        self.store_cap = limits.max_run_stored_bytes
        self.read = 0
        self.stored = 0
        self.read_cut = 0  # bodies cut by the read cap
        self.store_cut = 0  # bodies not kept by the storage cap

    @property
    def exhausted(self) -> bool:
        """Whether the run's read cap is spent."""
        return self.read >= self.read_cap

    def take_read(self, size: int) -> int:
        """How many of ``size`` bytes just read may be kept (all, or what is left under the run's cap)."""
        allowed = max(0, min(size, self.read_cap - self.read))
        self.read += allowed
        return allowed

    def keep(self, size: int) -> bool:
        """Whether a body of ``size`` bytes may still be kept (and count it when so)."""
        if self.stored + size > self.store_cap:
            self.store_cut += 1
            return False
        self.stored += size
        return True

    def read_note(self) -> str:
        """The body note of a body cut by the read cap (counted)."""
        self.read_cut += 1
        return f"run cap: {self.read_cap} bytes already read in this run: body cut"

    def store_note(self) -> str:
        """The body note of a body not kept by the storage cap."""
        return f"run cap: {self.store_cap} body bytes kept in this run: body not kept"


@dataclass(slots=True)
class _AttemptResult:
    """One HTTP attempt: the response as the checks see it, and as the cassette stores it."""

    response: RecordedResponse | None
    error: str | None
    elapsed_ms: float
    note: str = ""
    stored: RecordedResponse | None = None
    #: Replay: the send counter the recording carried (0 = the recording has none); ``None`` = not replayed.
    seq: int | None = None


@dataclass(slots=True)
class Attempted:
    """What one logical request produced: the exchange plus every attempt made for it."""

    exchange: Exchange
    interactions: list[Interaction] = field(default_factory=list)


def parse_retry_after(value: str | None, now_epoch: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date); ``None`` when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (now_epoch if now_epoch is not None else time.time()))


def _inflate(body: bytes, wbits: int, max_bytes: int | None) -> tuple[bytes, bool]:
    """Decompress ``body``, stopping at ``max_bytes`` of output (a gzip bomb must not exhaust memory)."""
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(body, max_bytes or 0)
    capped = bool(max_bytes) and bool(inflater.unconsumed_tail)
    if not capped and not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return out, capped


def _decode(body: bytes, encoding: str | None, max_bytes: int | None = None) -> tuple[bytes, str]:
    """Body decoded per Content-Encoding (at most ``max_bytes`` of output), with a note when the header
    lies about the body or the decoded body hits the cap."""
    enc = (encoding or "").strip().lower()
    if not body or enc in ("", "identity"):
        return body, ""
    if enc in ("gzip", "x-gzip", "deflate"):
        for wbits in (31, -15) if "gzip" in enc else (15, -15):
            try:
                out, capped = _inflate(body, wbits, max_bytes)
            except zlib.error:
                continue
            note = f"{enc}-decoded body larger than {max_bytes} bytes: cut at the cap" if capped else ""
            return out, note
        return body, f"Content-Encoding: {enc} but the body is not {enc}-encoded"
    return body, f"unsupported Content-Encoding {enc!r}; body kept as received"


class GatewayClient:
    """Sends a scenario's requests to one gateway and captures them."""

    def __init__(
        self,
        *,
        gateway: str,
        base_url: str,
        http: httpx.AsyncClient | None,
        clock: Clock,
        key: str | None,
        auth_header: str = "Authorization",
        auth_scheme: str = "",
        auth: AuthSpec | None = None,
        credentials: Credentials | None = None,
        limits: HttpLimits | None = None,
        global_slots: asyncio.Semaphore | None = None,
        rng: random.Random | None = None,
        substitutions: tuple[tuple[str, str], ...] = (),
        on_attempt: Callable[[str], None] | None = None,
        direct: Any = None,
        budget: TaskBudget | None = None,
        create_answer: Callable[[Exchange], tuple[str | None, bool]] | None = None,
        fetch_policy: FetchPolicy | None = None,
        meter: RunMeter | None = None,
    ) -> None:
        self.gateway = gateway
        # Userinfo in --base-url is a secret: never sent in a URL, never written (it becomes Basic auth only
        # when the profile's own credentials do not use the Authorization header).
        userinfo = urllib.parse.urlsplit(base_url)
        self._basic = ""
        if userinfo.username is not None or userinfo.password is not None:
            import base64

            pair = f"{urllib.parse.unquote(userinfo.username or '')}:{urllib.parse.unquote(userinfo.password or '')}"
            self._basic = "Basic " + base64.b64encode(pair.encode()).decode()
        self.base_url, self._base_query = _split_query(without_userinfo(base_url).rstrip("/"))
        self.http = http
        self.clock = clock
        self._key = key
        # How credentials go on a request: the profile's [auth] (header + prefix, or a query parameter).
        self.auth = auth or AuthSpec(header=auth_header, scheme=auth_scheme)
        self._credentials = credentials or Credentials(key=key or "")
        self._signed: tuple[str, float] = ("", 0.0)  # (JWT, when to sign a fresh one)
        self.limits = limits or HttpLimits()
        self._slots = asyncio.Semaphore(self.limits.per_gateway_concurrency)
        self._global = global_slots
        self._rng = rng or random.Random(0)
        self.secrets = tuple(
            dict.fromkeys(
                (
                    *(s for s in (key,) if s),
                    *self._credentials.secrets,
                    *url_secrets(base_url),
                    *((self._basic,) if self._basic else ()),
                )
            )
        )
        register_secrets(*self.secrets)  # every writer and the terminal scrub them too (last line of defence)
        # (live value, recorded value): e.g. the callback receiver's real address -> its placeholder.
        self.substitutions = substitutions
        self._on_attempt = on_attempt
        # Replay: a ReplaySource (or any object with ``index`` and ``base_url``, e.g. a ReplayTransport) is
        # looked up directly; another in-memory httpx transport is called without the client's redirect,
        # cookie and auth machinery, which costs more than the lookup itself.
        self._direct = direct
        self._sent = 0  # the send counter: exchange.meta["seq"]
        # The money guard: every request that could create a task takes a slot first (see budget.py);
        # ``create_answer`` reads (task id, is error) from an answer to settle it.
        self.budget = budget
        self._create_answer = create_answer
        self.fetch_policy = fetch_policy or FetchPolicy(gateway_url=self.base_url)
        self.meter = meter

    # ------------------------------------------------------------------ building requests

    def url_for(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> str:
        """Absolute URL of ``path`` (below the base URL) or of an absolute result URL; the base URL's own
        query (``?key=...``) goes on every call below it."""
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = f"{self.base_url}{path}"
            if self._base_query:
                url = f"{url}{'&' if '?' in url else '?'}{self._base_query}"
        if query:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(query)}"
        return url

    def auth_for(self, auth: str) -> AuthParts:
        """Headers and query parameters of one request: ``auth`` is ``key``, ``invalid`` or ``none``.

        The one place the harness turns credentials into request parts (``profiles.auth.auth_parts``);
        a Kling AK/SK pair is signed into a JWT, reused until five minutes before it expires.
        """
        if auth == "invalid":
            return auth_parts(self.auth, INVALID_KEY)
        if auth != "key" or not self._credentials:
            return AuthParts()
        if self.auth.credential == "kling-jwt" and self._credentials.signs:
            now = time.time()
            token, renew_at = self._signed
            if not token or now >= renew_at:
                token = token_for(self.auth, self._credentials, now)
                self._signed = (token, now + 1500)
                self.secrets = (*self.secrets, token)
                register_secrets(token)
            return auth_parts(self.auth, token)
        return auth_parts(self.auth, token_for(self.auth, self._credentials))

    def _headers(
        self,
        auth: str | AuthParts,
        body: bytes | None,
        overrides: tuple[tuple[str, str], ...],
        *,
        basic: bool = False,
    ) -> dict[str, str]:
        headers = {"User-Agent": f"kling-conformance/{__version__}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        parts = auth if isinstance(auth, AuthParts) else self.auth_for(auth)
        headers.update(parts.headers)
        if self._basic and (basic or auth == "key") and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = self._basic
        for name, value in overrides:
            headers[name] = value
        return headers

    def _to_live(self, data: bytes) -> bytes:
        for live, recorded in self.substitutions:
            data = data.replace(recorded.encode(), live.encode())
        return data

    def _to_recorded(self, data: bytes) -> bytes:
        for live, recorded in self.substitutions:
            data = data.replace(live.encode(), recorded.encode())
        return data

    # ------------------------------------------------------------------ sending

    async def send(
        self,
        *,
        scenario: str,
        operation_id: str,
        ref: str,
        evidence: Evidence,
        method: str,
        url: str,
        body: Any = None,
        raw_body: bytes | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        auth: str = "key",
        meta: dict[str, Any] | None = None,
        paid: bool = False,
        max_bytes: int | None = None,
    ) -> Attempted:
        """Send one logical request (with retries) and capture it; never raises on gateway misbehaviour.

        A request that could create a task is sent only with a budget slot (else the exchange says
        ``meta["budget"] == "refused"`` and nothing is sent) and is retried only when nothing was sent.
        A result fetch (``purpose`` ``result-fetch``) goes only where :mod:`.address_guard` allows.
        ``max_bytes`` lowers the body cap for this request (a media probe reads only a file's head).
        """
        payload = raw_body if raw_body is not None else (orjson.dumps(body) if body is not None else None)
        live_payload = self._to_live(payload) if payload is not None else None
        live_url = self._to_live(url.encode()).decode()
        parts = self.auth_for(auth)
        if parts.query:  # a query-parameter credential goes on the live URL only, never the recorded one
            live_url = f"{live_url}{'&' if '?' in live_url else '?'}{urllib.parse.urlencode(parts.query)}"
        request_headers = self._headers(parts, payload, headers, basic=auth == "key")
        recorded_request = RecordedRequest(
            method=method,
            url=scrub_text(redact_url(self._to_recorded(url.encode()).decode()), self.secrets),
            headers=redact_headers(
                ((k, REDACTED if k.lower() == self.auth.header.lower() else v) for k, v in request_headers.items()),
                self.secrets,
            ),
            body=redact_body(payload or b"", self.secrets),
        )
        interactions: list[Interaction] = []
        purpose = str((meta or {}).get("purpose", ""))
        fetch = purpose == "result-fetch"
        creates = could_create(method, operation_id)
        slot = None
        if creates and self.budget is not None:
            slot = await self.budget.reserve(f"{self.gateway}/{scenario}", paid=paid)
            if slot is None:
                exchange = Exchange(
                    ref=ref,
                    gateway=self.gateway,
                    operation_id=operation_id,
                    scenario=scenario,
                    request=recorded_request,
                    response=None,
                    evidence=evidence,
                    error="budget: --max-paid-tasks is spent; this request could create a task, so it was not sent",
                    meta={**(meta or {}), "budget": "refused"},
                )
                return Attempted(exchange=exchange)
        attempt = 0
        waits: list[float] = []
        self._sent += 1
        seq = self._sent
        while True:
            attempt += 1
            result = await self._attempt(
                scenario, method, live_url, request_headers, live_payload, fetch=fetch, cap=max_bytes
            )
            response, error, elapsed = result.response, result.error, result.elapsed_ms
            interactions.append(
                Interaction(
                    request=recorded_request,
                    response=result.stored or response,
                    error=error or "",
                    purpose=str((meta or {}).get("purpose", "")),
                    elapsed_ms=elapsed,
                    note=result.note,
                    seq=seq,
                )
            )
            wait = self._retry_wait(method, response, error, attempt, creates=creates)
            if wait is None:
                break
            waits.append(round(wait, 3))
            await self.clock.sleep(wait)
        exchange_meta = dict(meta or {})
        if result.seq is None:
            exchange_meta["seq"] = seq
        elif result.seq:  # replay keeps the order the recording sent in (never mixed with this run's counter)
            exchange_meta["seq"] = result.seq
        if result.note:
            exchange_meta["body_note"] = result.note
        if waits:
            exchange_meta["retries"] = len(waits)
            exchange_meta["retry_waits"] = waits
        exchange = Exchange(
            ref=ref,
            gateway=self.gateway,
            operation_id=operation_id,
            scenario=scenario,
            request=recorded_request,
            response=response,
            evidence=evidence,
            error=error,
            elapsed_ms=elapsed,
            meta=exchange_meta,
        )
        if creates:
            task_id, is_error = self._create_answer(exchange) if self._create_answer and response else (None, False)
            sent = not (error or "").startswith(("connect", "refused", "invalid request"))
            outcome = settle_outcome(
                response.status_code if response else None, sent=sent, task_id=task_id, is_error=is_error
            )
            exchange_meta["budget"] = outcome.value
            if slot is not None and self.budget is not None:
                self.budget.settle(slot, outcome)
        return Attempted(exchange=exchange, interactions=interactions)

    def _retry_wait(
        self, method: str, response: RecordedResponse | None, error: str | None, attempt: int, *, creates: bool = False
    ) -> float | None:
        if attempt > self.limits.max_retries:
            return None
        if creates and not (response is None and error and error.startswith("connect")):
            return None  # the gateway may have acted on a create: only "nothing was sent" allows a retry
        if response is not None and response.status_code in RETRY_STATUSES:
            after = parse_retry_after(response.header("retry-after"))
            if after is not None:
                return min(after, self.limits.retry_after_cap)
            return self._backoff(attempt)
        if response is None and error and error.startswith("connect"):
            return self._backoff(attempt)  # nothing reached the gateway: safe to retry even a create
        return None

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling = min(self.limits.backoff_cap, self.limits.backoff_base * (2 ** (attempt - 1)))
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _attempt(
        self,
        scenario: str,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: bytes | None,
        *,
        fetch: bool = False,
        cap: int | None = None,
    ) -> _AttemptResult:
        if self._on_attempt is not None:
            self._on_attempt(scenario)
        if self._direct is None and not fetch and origin(url) != origin(self.base_url):
            fetch = True  # any URL off the gateway's own origin (a result link, a status URL) is guarded alike
        if fetch and self._direct is None:  # replay fetches nothing; live asks the fetch guard first
            refusal = await asyncio.to_thread(check_fetch, url, self.fetch_policy)
            if refusal is not None:
                return _AttemptResult(None, str(refusal), 0.0)
        async with self._slots:
            if self._global is not None:
                async with self._global:
                    return await self._attempt_unbounded(scenario, method, url, headers, payload, fetch, cap)
            return await self._attempt_unbounded(scenario, method, url, headers, payload, fetch, cap)

    async def _attempt_unbounded(
        self,
        scenario: str,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: bytes | None,
        fetch: bool = False,
        cap: int | None = None,
    ) -> _AttemptResult:
        started = time.perf_counter()
        limits = self.limits
        if cap is not None and cap < limits.max_body_bytes:
            limits = dataclasses.replace(limits, max_body_bytes=max(1, cap))
        chunks: list[bytes] = []
        size = 0
        status: int | None = None
        resp_headers: tuple[tuple[str, str], ...] = ()
        note = ""
        if self._direct is not None:
            return await self._attempt_direct(scenario, method, url, headers, payload, started, limits.max_body_bytes)
        import httpx  # live and record only (already loaded by then: the caller built the client)

        assert self.http is not None, "a live GatewayClient needs an httpx.AsyncClient"
        try:
            async with asyncio.timeout(limits.read_seconds):
                extensions = {SCENARIO_EXTENSION: scenario, START_URL: url, FETCH: fetch}
                async with self.http.stream(
                    method, url, headers=headers, content=payload, extensions=extensions
                ) as resp:
                    status, resp_headers = resp.status_code, tuple(resp.headers.multi_items())
                    try:
                        if self.meter is not None and self.meter.exhausted:
                            note = self.meter.read_note()  # the run's read cap is spent: not one more byte
                            raise _Exhausted
                        async for chunk in resp.aiter_raw():
                            if self.meter is not None:
                                allowed = self.meter.take_read(len(chunk))
                                if allowed < len(chunk):  # the run's read cap: keep what fits, read no more
                                    chunks.append(chunk[:allowed])
                                    note = self.meter.read_note()
                                    break
                            chunks.append(chunk)
                            size += len(chunk)
                            if size > limits.max_body_bytes:
                                note = f"body larger than {limits.max_body_bytes} bytes: cut at the cap"
                                break
                    except httpx.StreamConsumed:  # an in-memory response (mock transports) is already read
                        chunks = [resp.content]
                        if len(resp.content) > limits.max_body_bytes:
                            note = f"body larger than {limits.max_body_bytes} bytes: cut at the cap"
                    except _Exhausted:
                        pass
                    except httpx.TransportError as exc:
                        note = f"connection failed mid-body ({type(exc).__name__})"
        except TimeoutError:
            if status is None:
                return _AttemptResult(None, f"timeout: no response within {limits.read_seconds:g} s", self._ms(started))
            note = f"body still arriving after {limits.read_seconds:g} s: cut at the time cap"
        except GuardRefused as exc:  # a redirect or fetch hop the address guard refused: nothing was sent there
            return _AttemptResult(None, str(exc.refusal), self._ms(started))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            return _AttemptResult(None, f"invalid request URL: {self._clean(exc)}", self._ms(started))
        except httpx.ConnectError as exc:
            return _AttemptResult(None, f"connect: {self._clean(exc)}", self._ms(started))
        except httpx.TooManyRedirects as exc:
            return _AttemptResult(None, f"too many redirects: {self._clean(exc)}", self._ms(started))
        except httpx.TransportError as exc:
            if type(exc).__name__ in ("ReplayMiss", "RecordedTransportError"):
                return _AttemptResult(None, self._clean(exc), self._ms(started))
            return _AttemptResult(None, f"transport: {type(exc).__name__}: {self._clean(exc)}", self._ms(started))
        assert status is not None
        return self._finish(status, resp_headers, chunks, note, started, limits.max_body_bytes)

    async def _attempt_direct(
        self,
        scenario: str,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: bytes | None,
        started: float,
        cap: int | None = None,
    ) -> _AttemptResult:
        assert self._direct is not None
        index = getattr(self._direct, "index", None)
        if isinstance(index, ReplayIndex):  # take the recording straight from the index (no httpx objects)
            try:
                item = index.take(scenario, method, url, self._direct.base_url, payload or b"")
            except LookupError as exc:  # ReplayMiss
                return _AttemptResult(None, self._clean(exc), self._ms(started))
            if item.response is None:
                return _AttemptResult(None, f"recorded transport error: {item.error}", self._ms(started))
            recorded = item.response
            if len(recorded.body) <= self.limits.max_body_bytes:  # stored decoded and redacted: serve as is
                return _AttemptResult(recorded, None, self._ms(started), item.note, recorded, item.seq)
            cut = self._finish(recorded.status_code, recorded.headers, [recorded.body], "", started)
            return _with_recorded(cut, item.note, item.seq)
        import httpx

        request = httpx.Request(
            method, url, headers=headers, content=payload, extensions={SCENARIO_EXTENSION: scenario}
        )
        try:
            response = await self._direct.handle_async_request(request)
        except httpx.TransportError as exc:
            return _AttemptResult(None, self._clean(exc), self._ms(started))
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        except httpx.StreamConsumed:
            raw = response.content
        finished = self._finish(response.status_code, tuple(response.headers.multi_items()), [raw], "", started, cap)
        recorded = response.extensions  # a ReplayTransport passes on what the recording noted
        if "kling_seq" not in recorded:  # another in-memory transport: a send like any live one
            return finished
        return _with_recorded(finished, str(recorded.get("kling_body_note", "")), int(recorded["kling_seq"] or 0))

    def _finish(
        self,
        status: int,
        resp_headers: tuple[tuple[str, str], ...],
        chunks: list[bytes],
        note: str,
        started: float,
        cap: int | None = None,
    ) -> _AttemptResult:
        cap = self.limits.max_body_bytes if cap is None else cap
        raw = b"".join(chunks)[:cap]
        encoding = next((v for k, v in resp_headers if k.lower() == "content-encoding"), None)
        body, decode_note = _decode(raw, encoding, cap)
        clean = self._to_recorded(redact_body(body, self.secrets))
        headers_clean = redact_headers(resp_headers, self.secrets)  # by value too: an echoed key in any header
        if self.meter is not None and not self.meter.keep(len(clean)):
            clean, note = b"", "; ".join(n for n in (note, self.meter.store_note()) if n)
        cut = bool(note) or decode_note.endswith("cut at the cap")
        exchange_response = RecordedResponse(status_code=status, headers=headers_clean, body=clean, truncated=cut)
        if decode_note or body is raw:
            stored = exchange_response
        else:  # the cassette keeps the decoded (and scrubbed) body, so drop the encoding header there
            dropped = ("content-encoding", "content-length")
            stored = RecordedResponse(
                status_code=status,
                headers=tuple((k, v) for k, v in headers_clean if k.lower() not in dropped),
                body=clean,
                truncated=cut,
            )
        notes = "; ".join(n for n in (note, decode_note) if n)
        return _AttemptResult(exchange_response, None, self._ms(started), notes, stored)

    def _clean(self, exc: BaseException) -> str:
        return scrub_text(str(exc) or type(exc).__name__, self.secrets)

    @staticmethod
    def _ms(started: float) -> float:
        return (time.perf_counter() - started) * 1000.0


def _split_query(url: str) -> tuple[str, str]:
    """(``url`` without its query, the query): the base URL's query is appended to each call's URL."""
    base, sep, query = url.partition("?")
    return (base.rstrip("/"), query) if sep else (url, "")


def _with_recorded(result: _AttemptResult, note: str, seq: int) -> _AttemptResult:
    """``result`` of a replayed attempt with the body note and send counter its recording carried."""
    result.note = "; ".join(n for n in (note, result.note) if n)
    result.seq = seq
    return result


def redacted_marker() -> str:
    """The text every redacted value is replaced with (for tests and docs)."""
    return REDACTED
