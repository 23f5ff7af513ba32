"""The harness sends credentials exactly where and how each profile's ``[auth]`` says, and records none."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from conformance.harness.client import INVALID_KEY, GatewayClient
from conformance.harness.clock import VirtualClock
from conformance.models import Evidence, EvidenceKind
from conformance.profiles.auth import Credentials, jwt_claims, verify_jwt
from conformance.profiles.model import AuthSpec

KEY = "kc-test-canary-key-0123456789"


def _send(spec: AuthSpec, creds: Credentials, auth: str = "key") -> tuple[httpx.Request, str]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    async def main() -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = GatewayClient(
                gateway="fake",
                base_url="https://gw.example",
                http=http,
                clock=VirtualClock(),
                key=creds.key or None,
                auth=spec,
                credentials=creds,
            )
            attempted = await client.send(
                scenario="s",
                operation_id="text2video.create",
                ref="fake/s#0",
                evidence=Evidence(kind=EvidenceKind.LIVE, source="gw.example"),
                method="POST",
                url=client.url_for("/kling/v1/videos/text2video"),
                body={"prompt": "x"},
                auth=auth,
            )
            recorded = attempted.interactions[0].request
            return repr((recorded.url, recorded.headers, recorded.body))

    recorded = asyncio.run(main())
    return seen[0], recorded


@pytest.mark.parametrize(
    ("spec", "header", "value"),
    [
        (AuthSpec(), "authorization", f"Bearer {KEY}"),
        (AuthSpec(header="x-api-key"), "x-api-key", KEY),  # not "Bearer <key>"
        (AuthSpec(scheme="key"), "authorization", f"Key {KEY}"),
        (AuthSpec(header="X-Gateway-Auth", scheme="raw"), "x-gateway-auth", KEY),
    ],
)
def test_the_key_goes_in_the_profiles_header_with_its_prefix(spec: AuthSpec, header: str, value: str) -> None:
    request, recorded = _send(spec, Credentials(key=KEY))
    assert request.headers[header] == value
    assert KEY not in recorded


def test_a_query_parameter_credential_is_sent_but_never_recorded() -> None:
    request, recorded = _send(AuthSpec(query="k"), Credentials(key=KEY))
    assert request.url.params["k"] == KEY and "authorization" not in request.headers
    assert KEY not in recorded and "k=" not in recorded


def test_ak_sk_profiles_sign_a_kling_jwt_and_the_invalid_key_uses_the_same_placement() -> None:
    spec = AuthSpec(credential="kling-jwt")
    request, recorded = _send(spec, Credentials(access_key="AK-test", secret_key="SK-test-secret"))
    token = request.headers["authorization"].removeprefix("Bearer ")
    assert verify_jwt(token, "SK-test-secret")
    assert (jwt_claims(token) or {})["iss"] == "AK-test"
    assert token not in recorded and "SK-test-secret" not in recorded
    invalid, _ = _send(AuthSpec(header="x-api-key"), Credentials(key=KEY), auth="invalid")
    assert invalid.headers["x-api-key"] == INVALID_KEY
