"""``kling_client``: a synchronous httpx client for a user's own tests, on the CLI's cassette machinery.

One cassette per (gateway, test): ``<cassettes>/<gateway>/user.<test>.yaml``, the same vcrpy-compatible
format the harness writes (:class:`~conformance.harness.cassette.Cassette`), replayed through the same
:class:`~conformance.harness.replay.ReplayIndex` (repeated identical polls replay in recorded order).

- ``replay``: answers come from the cassette; no socket is opened; a request the cassette lacks fails
  the test with the nearest recorded request.
- ``record``: real calls; every attempt is redacted (``Authorization`` and key-like query/body values,
  large base64 payloads) before it is kept, and the cassette is written atomically when the test ends.
- ``live``: real calls, nothing written.

The API key is added by the transport (from the profile's environment variable, or the emulator's
key), so test code never handles it and it never reaches a cassette.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx

from conformance import __version__
from conformance.harness.address_guard import FetchPolicy, check_fetch, origin, strip_foreign_credentials
from conformance.harness.cassette import Cassette, Interaction, load_cassette
from conformance.harness.redact import redact_body, redact_headers, redact_url, register_secrets, scrub_text
from conformance.harness.replay import ReplayIndex
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse
from conformance.profiles.auth import Credentials, request_auth
from conformance.profiles.model import GatewayProfile


def scenario_for(nodeid: str) -> str:
    """Cassette scenario id of a test: ``user.<module>-<test>[params]`` made filename-safe."""
    slug = re.sub(r"[^A-Za-z0-9_.\-\[\]]+", "-", nodeid.replace("::", "-").replace("/", "-")).strip("-")
    return f"user.{slug[:150]}"


class KlingClient(httpx.Client):
    """An ``httpx.Client`` bound to one gateway; :meth:`path` gives that gateway's path of an operation."""

    def __init__(self, *, profile: GatewayProfile, base_url: str, transport: httpx.BaseTransport) -> None:
        super().__init__(
            base_url=base_url,
            transport=transport,
            timeout=60.0,
            follow_redirects=True,
            headers={"User-Agent": f"kling-conformance-pytest/{__version__}"},
        )
        self.profile = profile

    def path(self, operation_id: str, **params: str) -> str:
        """``profile`` path of ``operation_id`` (``text2video.get``) with ``{task_id}`` etc. filled in."""
        op = self.profile.operation(operation_id)
        if op is None or not op.supported:
            raise LookupError(f"{self.profile.id} does not support {operation_id}")
        path = op.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        return path


class _Auth:
    """Adds the profile's credentials to each request (``profiles.auth``: header + prefix, query, or AK/SK JWT)."""

    def __init__(self, profile: GatewayProfile, key: str | Credentials | None) -> None:
        self.spec = profile.auth
        self.credentials = key if isinstance(key, Credentials) else Credentials(key=key or "")
        self.secrets: tuple[str, ...] = self.credentials.secrets

    def apply(self, request: httpx.Request) -> None:
        if not self.credentials:
            return
        parts = request_auth(self.spec, self.credentials)
        if self.credentials.signs:  # a fresh JWT per request: keep it out of anything written too
            self.secrets = (*self.credentials.secrets, *(v.rpartition(" ")[2] for _, v in parts.headers))
        for name, value in parts.headers:
            if name not in request.headers:
                request.headers[name] = value
        if parts.query:
            request.url = request.url.copy_merge_params(dict(parts.query))


class ReplayClientTransport(httpx.BaseTransport):
    """Serves a test's cassette (never opens a socket)."""

    def __init__(self, cassette_file: Path, scenario: str, base_url: str) -> None:
        self.cassette_file = cassette_file
        self.scenario = scenario
        self.base_url = base_url
        cassettes = [load_cassette(cassette_file)] if cassette_file.is_file() else []
        self.index = ReplayIndex(cassettes)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Next recorded answer for ``request``."""
        if self.scenario not in self.index:
            raise httpx.TransportError(
                f"replay: no cassette {self.cassette_file} for this test; record it once with "
                f"--kling-mode record (and a key, or --kling-emulator)",
                request=request,
            )
        body = request.read()
        item = self.index.take(self.scenario, request.method, str(request.url), self.base_url, body)
        if item.response is None:
            raise httpx.TransportError(f"recorded transport error: {item.error}", request=request)
        return httpx.Response(
            item.response.status_code, headers=list(item.response.headers), content=item.response.body, request=request
        )


class LiveClientTransport(httpx.BaseTransport):
    """Real calls with the key added; in record mode every attempt is kept (redacted) for the cassette."""

    def __init__(self, auth: _Auth, *, recording: Cassette | None = None, base_url: str = "") -> None:
        self.auth = auth
        from conformance.harness.one_response import install as one_response_per_request

        one_response_per_request()  # extra bytes after a response never answer the next request
        self.inner = httpx.HTTPTransport(retries=0)
        self.recording = recording
        self.policy = FetchPolicy(gateway_url=base_url)
        register_secrets(*auth.secrets)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` (with auth) and record it when recording.

        The credentials go only to the gateway's own origin: a request elsewhere (a redirect hop, a
        result URL) is sent without them, and only where :mod:`~conformance.harness.address_guard`
        allows (never to a private address, another loopback port or a non-http URL).
        """
        url = str(request.url)
        if self.policy.gateway_url and origin(url) != origin(self.policy.gateway_url):
            strip_foreign_credentials(request.headers, url, self.policy, (self.auth.spec.header,), self.auth.secrets)
            refusal = check_fetch(url, self.policy)
            if refusal is not None:
                raise httpx.TransportError(str(refusal), request=request)
        else:
            self.auth.apply(request)
            register_secrets(*self.auth.secrets)
        body = request.read()
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
            content = response.read()
        except httpx.TransportError as exc:
            self._keep(request, body, None, scrub_text(str(exc), self.auth.secrets), started)
            raise
        self._keep(request, body, (response, content), "", started)
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
        ]
        return httpx.Response(response.status_code, headers=headers, content=content, request=request)

    def _keep(
        self,
        request: httpx.Request,
        body: bytes,
        answer: tuple[httpx.Response, bytes] | None,
        error: str,
        started: float,
    ) -> None:
        if self.recording is None:
            return
        secrets = self.auth.secrets
        recorded = RecordedRequest(
            method=request.method,
            url=redact_url(_without_param(request.url, self.auth.spec.query)),
            headers=redact_headers(
                (
                    (k, "[REDACTED]" if k.lower() == self.auth.spec.header.lower() else v)
                    for k, v in request.headers.multi_items()
                ),
                secrets,
            ),
            body=redact_body(body, secrets),
        )
        stored = None
        if answer is not None:
            response, content = answer
            kept = [
                (k, v)
                for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            ]
            stored = RecordedResponse(
                status_code=response.status_code,
                headers=redact_headers(tuple(kept), secrets),
                body=redact_body(content, secrets),
            )
        purpose = "create" if request.method == "POST" else "poll"
        self.recording.interactions.append(
            Interaction(
                request=recorded,
                response=stored,
                error=error,
                purpose=purpose,
                elapsed_ms=(time.perf_counter() - started) * 1000.0,
            )
        )

    def close(self) -> None:
        """Close the inner transport."""
        self.inner.close()


def build_client(
    *,
    profile: GatewayProfile,
    mode: str,
    base_url: str,
    key: str | Credentials | None,
    cassettes_root: Path,
    scenario: str,
    emulator: bool,
) -> tuple[KlingClient, Cassette | None, Path]:
    """The client for one test; returns it with the cassette being recorded (record mode) and its file."""
    cassette_file = cassettes_root / profile.id / f"{scenario}.yaml"
    recording: Cassette | None = None
    transport: httpx.BaseTransport
    if mode == "replay":
        transport = ReplayClientTransport(cassette_file, scenario, base_url)
    else:
        if mode == "record":
            host = urllib.parse.urlsplit(base_url).hostname or base_url
            evidence = (
                Evidence(
                    kind=EvidenceKind.EMULATOR,
                    source=f"emulator profile {profile.id}",
                    recorded_at=dt.date.today().isoformat(),
                    tool_version=__version__,
                )
                if emulator
                else Evidence(
                    kind=EvidenceKind.LIVE,
                    source=host,
                    recorded_at=dt.date.today().isoformat(),
                    tool_version=__version__,
                )
            )
            recording = Cassette(
                gateway=profile.id,
                scenario=scenario,
                operation="",
                evidence=evidence,
                base_url=base_url,
                meta={"kind": "user-test"},
            )
        transport = LiveClientTransport(_Auth(profile, key), recording=recording, base_url=base_url)
    client = KlingClient(profile=profile, base_url=base_url, transport=transport)
    return client, recording, cassette_file


def _without_param(url: httpx.URL, name: str) -> str:
    """``url`` as text without the query parameter that carries the credential."""
    return str(url.copy_remove_param(name)) if name else str(url)


def finish_recording(recording: Cassette | None, cassette_file: Path) -> None:
    """Write the recorded cassette atomically (only when something was recorded)."""
    if recording is not None and recording.interactions:
        recording.write(cassette_file)


def describe(value: Any) -> str:
    """Short text of a response for assertion messages (never contains the key: it is not in bodies)."""
    if isinstance(value, httpx.Response):
        return f"HTTP {value.status_code} {value.text[:300]}"
    return repr(value)[:300]
