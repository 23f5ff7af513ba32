"""Secrets never reach disk; large base64 payloads become stable sha256 placeholders."""

from __future__ import annotations

import asyncio
import base64
import urllib.parse
from pathlib import Path

import httpx
from harness_helpers import CANARY, FakeGateway, all_bytes

from conformance.harness.cassette import Cassette, load_cassette
from conformance.harness.clock import VirtualClock
from conformance.harness.images import png_base64, png_data_uri
from conformance.harness.redact import REDACTED, placeholder_for, redact_body, redact_url, scrub_bytes
from conformance.harness.replay import ReplayIndex, ReplayTransport
from conformance.models import Evidence, EvidenceKind


def _forms(secret: str) -> list[bytes]:
    return [secret.encode(), base64.b64encode(secret.encode()), urllib.parse.quote(secret, safe="").encode()]


def _assert_clean(root: Path) -> None:
    found = [(p, f) for p, data in all_bytes(root) for f in _forms(CANARY) if f in data]
    assert found == []


def test_query_and_json_keys_are_redacted() -> None:
    assert "api_key=%5BREDACTED%5D" in redact_url(f"https://x/y?api_key={CANARY}&pageNum=1")
    body = redact_body(f'{{"prompt":"p","access_key":"{CANARY}","nested":{{"token":"{CANARY}"}}}}'.encode())
    assert CANARY.encode() not in body and body.count(REDACTED.encode()) == 2


def test_secret_scrubbed_in_every_encoding() -> None:
    data = b" ".join([*_forms(CANARY), b"Bearer " + CANARY.encode()])
    assert all(form not in scrub_bytes(data, [CANARY]) for form in _forms(CANARY))


def test_recorded_cassette_has_no_key_even_when_the_gateway_echoes_it(tmp_path: Path, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway(echo_auth=True)
    client = make_client(gateway.handler)

    async def main() -> Cassette:
        attempted = await client.send(
            scenario="s",
            operation_id="image2video.create",
            ref="fake/s#0",
            evidence=Evidence(kind=EvidenceKind.LIVE, source="gw.example"),
            method="POST",
            url=client.url_for("/kling/v1/videos/image2video", (("key", CANARY),)),
            body={"prompt": "x", "api_key": CANARY},
            meta={"purpose": "create"},
        )
        assert attempted.exchange.response is not None
        assert CANARY.encode() not in attempted.exchange.response.body
        return Cassette(
            gateway="fake",
            scenario="s",
            operation="image2video.create",
            evidence=attempted.exchange.evidence,
            base_url=client.base_url,
            interactions=attempted.interactions,
        )

    cassette = asyncio.run(main())
    assert gateway.requests[0].headers["authorization"] == f"Bearer {CANARY}"  # the key was really sent
    cassette.write(tmp_path / "fake" / "s.yaml")
    _assert_clean(tmp_path)


def test_base64_placeholder_on_record_and_lookup_on_replay(tmp_path: Path, make_client) -> None:  # type: ignore[no-untyped-def]
    gateway = FakeGateway()
    client = make_client(gateway.handler)
    image = png_base64()
    evidence = Evidence(kind=EvidenceKind.LIVE, source="gw.example")

    async def record() -> Cassette:
        out = []
        for i, value in enumerate((image, png_data_uri())):
            attempted = await client.send(
                scenario="s",
                operation_id="image2video.create",
                ref=f"fake/s#{i}",
                evidence=evidence,
                method="POST",
                url=client.url_for("/kling/v1/videos/image2video"),
                body={"image": value},
                meta={"purpose": "create"},
            )
            out.extend(attempted.interactions)
        return Cassette(
            gateway="fake",
            scenario="s",
            operation="image2video.create",
            evidence=evidence,
            base_url=client.base_url,
            interactions=out,
        )

    path = tmp_path / "fake" / "s.yaml"
    asyncio.run(record()).write(path)
    text = path.read_text()
    assert image not in text and placeholder_for(image) in text
    assert "data:image/png;base64,sha256:" in text
    assert path.stat().st_size < 4000
    assert gateway.requests[0].content.count(image.encode()) == 1  # the real bytes went over the wire

    index = ReplayIndex([load_cassette(path)])

    async def replay() -> int:
        async with httpx.AsyncClient(transport=ReplayTransport(index, "https://elsewhere.example")) as http:
            from conformance.harness.client import GatewayClient

            replay_client = GatewayClient(
                gateway="fake", base_url="https://elsewhere.example", http=http, clock=VirtualClock(), key=None
            )
            attempted = await replay_client.send(
                scenario="s",
                operation_id="image2video.create",
                ref="fake/s#0",
                evidence=evidence,
                method="POST",
                url=replay_client.url_for("/kling/v1/videos/image2video"),
                body={"image": image},
                meta={"purpose": "create"},
            )
            assert attempted.exchange.error is None, attempted.exchange.error
            assert attempted.exchange.response is not None
            return attempted.exchange.response.status_code

    assert asyncio.run(replay()) == 200


def test_record_run_against_emulator_writes_no_key(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A record run (live HTTP to an emulator that accepts the canary key): cassettes and reports are clean."""
    from conformance.emulator import EmulatorConfig, start_emulator
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import run_and_write
    from conformance.profiles import load_builtin_profiles

    profiles = load_builtin_profiles()
    monkeypatch.setenv("KLING_API_KEY", CANARY)
    with start_emulator([profiles["kling-official"]], EmulatorConfig(keys=(CANARY,), time_scale=0.001)) as emu:
        options = RunOptions(
            gateways=["kling-official"],
            mode="record",
            base_url=emu.base_url("kling-official"),
            cassettes_dir=tmp_path / "cassettes",
            reports_dir=tmp_path / "reports",
            poll_interval=0.01,
            task_deadline=10,
            max_paid_tasks=3,
        )
        report = asyncio.run(run_and_write(options))
    assert report.meta.budget["paid_tasks_used"] == 3
    assert len(list((tmp_path / "cassettes").rglob("*.yaml"))) > 10
    assert (tmp_path / "reports" / report.meta.run_id / "report.json").is_file()
    _assert_clean(tmp_path)


def test_secret_forms_cover_hex_bearer_base64_and_escapes() -> None:
    """Each encoding of a key, and base64 of ``Bearer <key>`` at any offset, is scrubbed."""
    import base64 as b64
    import json as js

    from conformance.harness.redact import scrub_bytes

    key = "kc-UNIT+7Qx9/vR2=mZp4"
    samples = [
        key.encode().hex().encode(),
        key.encode().hex().upper().encode(),
        b64.b64encode(f"Bearer {key}".encode()),
        b64.urlsafe_b64encode(f"x{key}".encode()),
        b64.b64encode(f"xy{key}yz".encode()),
        js.dumps(key).replace("/", "\\/").encode(),
        urllib.parse.quote(key).encode(),
        urllib.parse.quote_plus(f"Bearer {key}").encode(),
    ]
    for sample in samples:
        assert scrub_bytes(b"<" + sample + b">", [key]) != b"<" + sample + b">", sample


def test_base_url_userinfo_and_key_like_query_parameters_are_secrets() -> None:
    from conformance.harness.redact import redact_url, url_secrets, without_userinfo

    url = "https://user:p%2Fw-SECRET@gw.example/v1?user_key=uk-SECRET&page=2&access_token=at-SECRET"
    assert set(url_secrets(url)) >= {"p/w-SECRET", "uk-SECRET", "at-SECRET"}
    redacted = redact_url(url)
    assert "SECRET" not in redacted and "page=2" in redacted and "gw.example" in redacted
    assert without_userinfo(url).startswith("https://gw.example/v1?")


def test_the_terminal_wrapper_scrubs_registered_secrets() -> None:
    import io

    from conformance.cli._scrub import ScrubbingStream
    from conformance.harness.redact import register_secrets

    register_secrets("kc-TERMINAL-secret-123")
    raw = io.StringIO()
    ScrubbingStream(raw).write("error: bad key kc-TERMINAL-secret-123\n")
    assert "kc-TERMINAL" not in raw.getvalue() and "[REDACTED]" in raw.getvalue()
