"""The hostile fault kinds (``conformance/emulator/faults_hostile.py``) do on the wire what they say.

Each kind is requested per call with the ``X-Emulator-Fault`` header against one running emulator.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from hardening_live import CANARY, emulator_for

from conformance.emulator import FAULT_KINDS

GATEWAY = "kling-official"
HOSTILE_KINDS = (
    "echo-auth",
    "html200",
    "json-null",
    "json-string",
    "json-number",
    "lone-surrogate",
    "nan-number",
    "bom-json",
    "trailing-garbage",
    "short-body",
    "gzip-bomb",
    "retry-after-garbage",
    "retry-after-negative",
    "retry-after-far-date",
    "code-as-string",
    "data-null",
    "id-as-number",
    "no-result-urls",
    "seconds-timestamps",
    "huge-header",
    "status-299",
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """A fault-free emulator (faults come per request)."""
    with emulator_for([GATEWAY]) as emu:
        yield f"{emu.url}/{GATEWAY}"


def _ask(base: str, fault: str, method: str = "POST") -> httpx.Response:
    headers = {"Authorization": f"Bearer {CANARY}", "X-Emulator-Fault": fault}
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        if method == "POST":
            return client.post(f"{base}/v1/videos/text2video", json={"prompt": "a cat"}, headers=headers)
        return client.get(f"{base}/v1/videos/text2video", headers=headers)


def test_every_hostile_kind_is_registered() -> None:
    """Registered in the emulator's own registry, so ``--faults`` and the header accept them."""
    assert set(HOSTILE_KINDS) <= set(FAULT_KINDS.names())


CHECKS: dict[str, Callable[[httpx.Response], bool]] = {
    "echo-auth": lambda r: CANARY in r.text and r.status_code == 200,
    "html200": lambda r: r.status_code == 200 and r.headers["content-type"].startswith("text/html"),
    "json-null": lambda r: r.content == b"null",
    "json-string": lambda r: isinstance(r.json(), str),
    "json-number": lambda r: r.content == b"0",
    "lone-surrogate": lambda r: b"\\ud800" in r.content,
    "nan-number": lambda r: b"NaN" in r.content,
    "bom-json": lambda r: r.content.startswith(b"\xef\xbb\xbf{"),
    "trailing-garbage": lambda r: r.content.endswith(b"garbage"),
    "retry-after-garbage": lambda r: r.status_code == 429 and r.headers["retry-after"] == "soon",
    "retry-after-negative": lambda r: r.status_code == 429 and r.headers["retry-after"] == "-5",
    "retry-after-far-date": lambda r: r.status_code == 503 and "2099" in r.headers["retry-after"],
    "code-as-string": lambda r: r.json()["code"] == "0",
    "data-null": lambda r: r.json()["data"] is None,
    "id-as-number": lambda r: isinstance(r.json()["data"]["task_id"], int),
    "seconds-timestamps": lambda r: r.json()["data"]["created_at"] < 100_000_000_000,
    "huge-header": lambda r: len(r.headers["x-padding"]) == 100_000,
    "status-299": lambda r: r.status_code == 299 and "task_id" in r.text,
}


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_kind_on_the_wire(base: str, kind: str) -> None:
    """The answer has the advertised defect."""
    assert CHECKS[kind](_ask(base, kind)), kind


def test_short_body_promises_more_than_it_sends(base: str) -> None:
    """Content-Length larger than the body: the client sees the connection end early."""
    with pytest.raises(httpx.RemoteProtocolError):
        _ask(base, "short-body")


def test_gzip_bomb_inflates_far_beyond_its_size(base: str) -> None:
    """A few KB on the wire, the requested size once inflated."""
    headers = {"Authorization": f"Bearer {CANARY}", "X-Emulator-Fault": "gzip-bomb:4MB"}
    with (
        httpx.Client(timeout=5.0, trust_env=False) as client,
        client.stream("POST", f"{base}/v1/videos/text2video", json={"prompt": "a cat"}, headers=headers) as response,
    ):
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip" and len(raw) < 64 * 1024
    assert len(gzip.decompress(raw)) > 4 * 1024 * 1024


def test_no_result_urls_empties_the_result_lists(base: str) -> None:
    """A succeeded task whose result lists are empty."""
    created = _ask(base, "latency:1ms").json()["data"]["task_id"]
    headers = {"Authorization": f"Bearer {CANARY}", "X-Emulator-Fault": "no-result-urls"}
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        for _ in range(200):
            body = client.get(f"{base}/v1/videos/text2video/{created}", headers=headers).json()
            if body["data"]["task_status"] == "succeed":
                break
    assert body["data"]["task_status"] == "succeed", json.dumps(body)[:300]
    assert body["data"]["task_result"]["videos"] == []
