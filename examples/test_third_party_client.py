# A third-party Kling client tested through `kling_endpoint`: run with
#   pytest examples/test_third_party_client.py --kling-gateway kling-official --kling-emulator --kling-no-catalog
# (add --kling-tls for https with a local CA; --kling-mode live with your own AK/SK via
# access-key-env / secret-key-env to run it against the real API).
"""The client below is written the way SDKs for the official API are: it takes a base URL, an access key
and a secret key, signs its own HS256 JWT for every request, checks its credentials with GET
/account/costs and polls text2video tasks. It knows nothing about kling-conformance: the test only hands
it what `kling_endpoint` says.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx


class TinyKlingClient:
    """A small official-API client: AK/SK in, JWT per request, /v1 paths below a base URL."""

    def __init__(self, base_url: str, access_key: str, secret_key: str, *, verify: object = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key, self.secret_key = access_key, secret_key
        self.http = httpx.Client(timeout=30.0, verify=verify, trust_env=False)

    def _token(self) -> str:
        def b64(raw: bytes) -> str:
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        now = int(time.time())
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = b64(json.dumps({"iss": self.access_key, "exp": now + 1800, "nbf": now - 5}).encode())
        mac = hmac.new(self.secret_key.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
        return f"{head}.{claims}.{b64(mac)}"

    def _call(self, method: str, path: str, **kwargs: object) -> dict:
        response = self.http.request(
            method, self.base_url + path, headers={"Authorization": f"Bearer {self._token()}"}, **kwargs
        )
        body = response.json()
        if response.status_code != 200 or body.get("code") != 0:
            raise RuntimeError(f"Kling error {response.status_code}: {body.get('code')} {body.get('message')}")
        return body["data"]

    def remaining_units(self) -> float:
        """The credential check: units left in online resource packs."""
        packs = self._call("GET", "/account/costs")["resource_pack_subscribe_infos"]
        return sum(p["remaining_quantity"] for p in packs if p["status"] == "online")

    def text2video(self, prompt: str, *, poll_every: float = 0.05, timeout: float = 60.0) -> str:
        """Create a task and wait for its video URL."""
        task = self._call("POST", "/v1/videos/text2video", json={"model_name": "kling-v1", "prompt": prompt})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self._call("GET", f"/v1/videos/text2video/{task['task_id']}")
            if data["task_status"] == "succeed":
                return data["task_result"]["videos"][0]["url"]
            if data["task_status"] == "failed":
                raise RuntimeError(data.get("task_status_msg") or "task failed")
            time.sleep(poll_every)
        raise TimeoutError(task["task_id"])


def test_the_client_checks_its_credentials_and_gets_a_video(kling_endpoint):
    client = TinyKlingClient(
        kling_endpoint.api_base, kling_endpoint.access_key, kling_endpoint.secret_key, verify=kling_endpoint.verify
    )
    assert client.remaining_units() > 0
    url = client.text2video("a red fox running through snow")
    assert url.startswith(kling_endpoint.scheme + "://")


def test_the_client_reports_a_wrong_secret(kling_endpoint):
    client = TinyKlingClient(kling_endpoint.api_base, kling_endpoint.access_key, "not-the-secret")
    client.http = httpx.Client(verify=kling_endpoint.verify, trust_env=False)
    try:
        client.remaining_units()
    except RuntimeError as exc:
        assert "401" in str(exc)
    else:
        raise AssertionError("a wrong secret key was accepted")
