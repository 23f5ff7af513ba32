"""Fault injection: every registered kind over real HTTP, the --faults grammar, seeded determinism."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from emulator_support import AUTH, I2V, KEY, kling_like

from conformance.emulator import FAULT_HEADER, FAULT_KINDS, EmulatorConfig, FaultPlan, RunningEmulator, start_emulator
from conformance.emulator.faults import FaultRule, FaultSelector
from conformance.errors import UsageError

CREATE = "/kling/v1/videos/image2video"
OWN_MODULES = ("conformance.emulator.fault_kinds", "conformance.emulator.fault_lies")
HEADER = FAULT_HEADER.decode()


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with start_emulator([kling_like(), kling_like("other")], EmulatorConfig(keys=(KEY,), time_scale=0.0001)) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(headers=AUTH, trust_env=False, timeout=10) as session:
        yield session


@pytest.fixture(scope="module")
def task_url(emu: RunningEmulator, client: httpx.Client) -> str:
    base = emu.base_url("kling-like") + CREATE
    task_id = client.post(base, json=I2V).json()["data"]["task_id"]
    time.sleep(0.05)  # succeeded by now
    return f"{base}/{task_id}"


def _fault(kind: str) -> dict[str, str]:
    return {HEADER: kind}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_html_error_pages(status: int, client: httpx.Client, task_url: str) -> None:
    response = client.get(task_url, headers=_fault(f"html{status}"))
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")


def test_latency(client: httpx.Client, task_url: str) -> None:
    started = time.monotonic()
    response = client.get(task_url, headers=_fault("latency:150ms"))
    assert time.monotonic() - started >= 0.15
    assert response.json()["data"]["task_status"] == "succeed"


def test_latency_combines_with_another_fault(client: httpx.Client, task_url: str) -> None:
    started = time.monotonic()
    response = client.get(task_url, headers=_fault("latency:100ms,html503"))
    assert time.monotonic() - started >= 0.1 and response.status_code == 503


def test_truncated_json(client: httpx.Client, task_url: str) -> None:
    whole = client.get(task_url).content
    cut = client.get(task_url, headers=_fault("truncated"))
    assert cut.status_code == 200 and 0 < len(cut.content) < len(whole)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(cut.content)


def test_wrong_content_type(client: httpx.Client, task_url: str) -> None:
    response = client.get(task_url, headers=_fault("wrong-content-type"))
    assert response.headers["content-type"].startswith("text/html")
    assert response.json()["code"] == 0


def test_empty_and_not_json(client: httpx.Client, task_url: str) -> None:
    empty = client.get(task_url, headers=_fault("empty"))
    assert empty.status_code == 200 and empty.content == b""
    text = client.get(task_url, headers=_fault("not-json"))
    assert text.status_code == 200 and text.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        text.json()


def test_connection_reset_mid_body(client: httpx.Client, task_url: str) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(task_url, headers=_fault("reset"))
    assert client.get(task_url).status_code == 200  # the server is still up


def test_slow_drip_is_bounded_and_complete(client: httpx.Client, task_url: str) -> None:
    started = time.monotonic()
    response = client.get(task_url, headers=_fault("slow-drip:300ms"))
    assert 0.25 <= time.monotonic() - started < 3
    assert response.json()["data"]["task_status"] == "succeed"


def test_endless_body_keeps_coming_until_its_bound(client: httpx.Client, task_url: str) -> None:
    # Bytes arrive every 50 ms, so a read timeout never fires; only a total deadline stops a reader.
    received = b""
    started = time.monotonic()
    with client.stream("GET", task_url, headers=_fault("endless:30s")) as response:
        for chunk in response.iter_raw():
            received += chunk
            if time.monotonic() - started > 0.3:
                break
    assert received.startswith(b'{"code":0,"data":[') and not received.endswith(b"]}")
    bounded = client.get(task_url, headers=_fault("endless:200ms"))
    assert bounded.json()["data"] == []
    assert client.get(task_url).status_code == 200


def test_big_body(client: httpx.Client, task_url: str) -> None:
    response = client.get(task_url, headers=_fault("big-body:2MB"))
    assert len(response.content) == 2 * 1024 * 1024
    assert response.json()["code"] == 0


def test_deep_nesting_huge_number_duplicate_keys_array(client: httpx.Client, task_url: str) -> None:
    deep = client.get(task_url, headers=_fault("deep-nesting"))
    assert deep.content.count(b"{") == 10_000
    with pytest.raises(orjson.JSONDecodeError):  # beyond any sane parser's depth limit
        orjson.loads(deep.content)
    huge = client.get(task_url, headers=_fault("huge-number")).content
    assert b"1e400" in huge and json.loads(huge)["data"]["created_at"] == float("inf")
    pairs = json.loads(client.get(task_url, headers=_fault("duplicate-keys")).content, object_pairs_hook=list)
    assert [key for key, _ in pairs].count("code") == 2
    assert isinstance(client.get(task_url, headers=_fault("json-array")).json(), list)


def test_invalid_utf8_and_gzip_without_gzip(client: httpx.Client, task_url: str) -> None:
    raw = client.get(task_url, headers=_fault("invalid-utf8")).content
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with pytest.raises(httpx.DecodingError):
        client.get(task_url, headers=_fault("gzip-plain"))


def test_no_content_still_creates_the_task(emu: RunningEmulator, client: httpx.Client) -> None:
    store = emu.app.state.emulator.store  # type: ignore[attr-defined]
    before = len(store)
    response = client.post(emu.base_url("kling-like") + CREATE, json=I2V, headers=_fault("no-content"))
    assert response.status_code == 204 and response.content == b""
    assert len(store) == before + 1


def test_redirect_loop(client: httpx.Client, task_url: str) -> None:
    response = client.get(task_url, headers=_fault("redirect-loop"))
    assert response.status_code == 302 and task_url.endswith(response.headers["location"])
    with pytest.raises(httpx.TooManyRedirects):
        client.get(task_url, headers=_fault("redirect-loop"), follow_redirects=True)


def test_rate_limit_with_and_without_retry_after(client: httpx.Client, task_url: str) -> None:
    limited = client.get(task_url, headers=_fault("rate-limit"))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json()["code"] == 1302  # the gateway's own shape
    assert "retry-after" not in client.get(task_url, headers=_fault("rate-limit:none")).headers
    assert client.get(task_url, headers=_fault("rate-limit:99999")).headers["retry-after"] == "99999"


def test_lifecycle_lies(client: httpx.Client, task_url: str) -> None:
    truth = client.get(task_url).json()["data"]
    assert client.get(task_url, headers=_fault("status-unseen")).json()["data"]["task_status"] == "paused_by_operator"
    back = client.get(task_url, headers=_fault("backwards")).json()["data"]
    assert back["task_status"] == "processing" and "task_result" not in back
    changed = client.get(task_url, headers=_fault("id-change")).json()["data"]
    assert changed["task_id"] != truth["task_id"] and len(changed["task_id"]) == len(truth["task_id"])
    gone = client.get(task_url, headers=_fault("result-404")).json()["data"]["task_result"]["videos"][0]["url"]
    assert "/_media/gone/" in gone and client.get(gone).status_code == 404
    assert client.get(truth["task_result"]["videos"][0]["url"]).status_code == 200


def test_every_registered_kind_is_exercised_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    own = [name for name, kind in FAULT_KINDS.items() if kind.run.__module__ in OWN_MODULES]
    assert len(own) >= 25  # other modules may register more (the hardening suite tests those)
    missing = [name for name in own if f'"{name}' not in source and "html" not in name]
    assert missing == []


def test_unknown_header_kind_is_a_400(client: httpx.Client, task_url: str) -> None:
    response = client.get(task_url, headers=_fault("explode"))
    assert response.status_code == 400 and "explode" in response.text


def test_plan_triggers_and_gateway_scope() -> None:
    plan = FaultPlan.parse("html502@kling-like=%2, latency=#1:10ms")
    with (
        start_emulator([kling_like(), kling_like("other")], EmulatorConfig(keys=(KEY,), faults=plan)) as emu,
        httpx.Client(headers=AUTH, trust_env=False) as client,
    ):
        statuses = [client.post(emu.base_url("kling-like") + CREATE, json=I2V).status_code for _ in range(6)]
        assert statuses == [200, 502, 200, 502, 200, 502]
        assert all(client.post(emu.base_url("other") + CREATE, json=I2V).status_code == 200 for _ in range(4))
        assert client.get(emu.url + "/healthz").status_code == 200  # never faulted


def test_probabilistic_faults_are_seeded() -> None:
    plan = FaultPlan.parse("html503=0.3")

    def run(seed: int) -> list[int]:
        with (
            start_emulator([kling_like()], EmulatorConfig(keys=(KEY,), faults=plan, seed=seed)) as emu,
            httpx.Client(headers=AUTH, trust_env=False) as client,
        ):
            return [client.post(emu.base_url("kling-like") + CREATE, json=I2V).status_code for _ in range(40)]

    first = run(3)
    assert first == run(3)
    assert 4 <= first.count(503) <= 22
    selector_a, selector_b = FaultSelector(plan, 1), FaultSelector(plan, 2)
    draws_a = [bool(selector_a.select("g")) for _ in range(200)]
    draws_b = [bool(selector_b.select("g")) for _ in range(200)]
    assert draws_a != draws_b


def test_grammar_round_trips_and_explains_errors() -> None:
    plan = FaultPlan.parse("latency=0.2:50ms, html502=0.1,truncated=0.05,reset@newapi=#3,rate-limit=%10:none")
    assert plan.rules[0] == FaultRule(kind="latency", probability=0.2, arg="50ms")
    assert plan.rules[3] == FaultRule(kind="reset", gateway="newapi", nth=3)
    assert FaultPlan.parse(plan.render()) == plan
    assert not FaultPlan.parse("  ")
    for spec, words in (
        ("latncy=0.1", ["latncy", "Did you mean 'latency'", "html502"]),
        ("latency=1.5", ["outside [0, 1]"]),
        ("latency=0.1:fast", ["fast", "duration"]),
        ("html502=#0", ["#0"]),
        ("Bad Token", ["Bad Token", "KIND"]),
    ):
        with pytest.raises(UsageError) as caught:
            FaultPlan.parse(spec)
        text = caught.value.render()
        assert text.startswith("--faults:")
        for word in words:
            assert word in text, (spec, text)


@pytest.mark.parametrize("size", [0, 7, 1024 * 1024, 3 * 1024 * 1024 + 5])
def test_gzip_bomb_inflates_to_exactly_its_size(size: int) -> None:
    import gzip

    from conformance.emulator.faults_hostile import _bomb

    body = _bomb(size)
    assert gzip.decompress(body) == b'{"pad":"' + b"0" * size + b'"}'
    assert len(body) < 2048 + size // 512  # a bomb: a thousand to one
