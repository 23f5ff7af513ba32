"""Secrets never touch disk: a canary key, set through the environment for every profile, must not
appear in any byte a record run writes (cassettes, the four reports, verbose progress, error output),
in plain text, base64 or URL-encoded form, even when a gateway echoes the Authorization header back
in its body and when requests fail with exceptions.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import figure_sink_fixture
from hardening_figures import FigureSink
from hardening_live import emulator_for, free_port, key_env
from leak_scan import secret_forms

from conformance.emulator.coverage import emulable_builtin_ids
from conformance.harness.cassette import Cassette, load_cassette
from conformance.harness.client import Attempted, GatewayClient, HttpLimits
from conformance.harness.clock import RealClock
from conformance.models import Evidence, EvidenceKind
from conformance.profiles import builtin_profile_ids

#: Characters that change under base64 alignment, URL-encoding and JSON escaping ('+', '/', '=').
CANARY = "kc-CANARY+7Qx9/vR2=mZp4LwK8sQ"
#: Faults per gateway: echo the Authorization header back, or break the connection / the answer.
FAULTS = (
    "echo-auth@kling-official,echo-auth@yibuapi=0.5,echo-auth@newapi=%3,echo-auth@onehub,"
    "reset@apicore=%7,html502@n1n=%5,echo-auth@winfull=%2,truncated@bynewapi=%4"
)
#: Runs whose requests fail with an exception (TLS to a plain port, a closed port).
BROKEN_TARGETS = {"tls": "https://127.0.0.1:{port}/yibuapi", "refused": "http://127.0.0.1:{closed}/yibuapi"}

figures = figure_sink_fixture("secrets")


def count_leaks(blobs: dict[str, bytes], secret: str = CANARY) -> dict[str, int]:
    """How often each form of ``secret`` occurs in ``blobs`` (name -> bytes)."""
    found: dict[str, int] = {}
    for form, needle in secret_forms(secret).items():
        hits = sum(blob.count(needle) for blob in blobs.values())
        if hits:
            found[form] = hits
    return found


def every_file(root: Path) -> dict[str, bytes]:
    """Every regular file below ``root``, hidden ones and temporaries included."""
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def test_the_scanner_finds_each_form() -> None:
    """Self-test: each encoding of the canary is found when it is there."""
    for form, needle in secret_forms(CANARY).items():
        assert count_leaks({"x": b"..." + needle + b"..."}).get(form, 0) >= 1, form
    samples = {
        "plain": CANARY.encode(),
        "b64": base64.b64encode(f"Bearer {CANARY}".encode()),
        "b64-shifted": base64.b64encode(f"xx{CANARY}yy".encode()),
        "url": urllib.parse.quote(f"api_key={CANARY}").encode(),
    }
    for name, blob in samples.items():
        assert count_leaks({name: blob}), name


def _record(gateway: str, base_url: str, workdir: Path, deadline: float) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(key_env(builtin_profile_ids(), CANARY))
    command = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--mode",
        "record",
        "-g",
        gateway,
        "--base-url",
        base_url,
        "--cassettes",
        str(workdir / "cassettes"),
        "--reports-dir",
        str(workdir / "reports"),
        "--verbose",
        "--read-timeout",
        "3",
        "--task-deadline",
        "10",
        "--poll-interval",
        "0.02",
        "--deadline",
        str(deadline),
    ]
    done = subprocess.run(command, env=env, capture_output=True, timeout=240, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.slow
def test_a_full_record_run_never_writes_the_key(tmp_path: Path, figures: FigureSink) -> None:
    """Record every built-in gateway (echoing and failing ones included), then scan every byte."""
    gateways = emulable_builtin_ids()  # every gateway the emulator serves as itself
    jobs: dict[str, tuple[str, Path]] = {}
    with emulator_for(gateways, FAULTS, key=CANARY) as emu:
        for gateway in gateways:
            jobs[gateway] = (f"{emu.url}/{gateway}", tmp_path / gateway)
        for name, template in BROKEN_TARGETS.items():
            jobs[name] = (template.format(port=emu.port, closed=free_port()), tmp_path / name)
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {
                name: pool.submit(
                    _record,
                    "yibuapi" if name in BROKEN_TARGETS else name,
                    url,
                    workdir,
                    4.0 if name in BROKEN_TARGETS else 60.0,
                )
                for name, (url, workdir) in jobs.items()
            }
            outcomes = {name: future.result() for name, future in futures.items()}

    blobs = every_file(tmp_path)
    for name, (code, out, err) in outcomes.items():
        assert code in (0, 1), f"{name}: exit {code}: {err.decode(errors='replace')[-800:]}"
        assert b"Traceback" not in err, f"{name}: {err.decode(errors='replace')[-800:]}"
        blobs[f"{name}:stdout"], blobs[f"{name}:stderr"] = out, err
    cassettes = [p for p in blobs if p.endswith(".yaml")]
    reports = [p for p in blobs if p.endswith(("report.json", "junit.xml", "summary.md", "index.html"))]
    assert len(cassettes) > 50 and len(reports) >= 4 * len(jobs)
    echoed = [
        p
        for p in cassettes
        if "[REDACTED]" in blobs[p].decode(errors="replace") and "debug" in blobs[p].decode(errors="replace")
    ]
    assert echoed, "no cassette holds an echoed (and redacted) Authorization header: the echo fault did not fire"
    assert any(
        b"connect" in blobs[f"{n}:stdout"] + blobs[f"{n}:stderr"]
        or b"connect" in b"".join(v for k, v in blobs.items() if k.startswith(str(tmp_path / n)))
        for n in BROKEN_TARGETS
    )

    leaks = count_leaks(blobs)
    figures.require("record_runs", len(jobs))
    figures.add("files_scanned", len(blobs))
    figures.add("forms_searched", len(secret_forms(CANARY)))
    figures.add("secrets_found", sum(leaks.values()))
    figures.add("record_runs", len(jobs))
    assert leaks == {}, f"the key leaked: {leaks}"


def test_keys_in_query_strings_and_json_bodies_are_redacted(tmp_path: Path) -> None:
    """A key sent as ``?api_key=`` or in a JSON body (``api_key``, nested ``token``) is redacted before
    the exchange, the interaction and the cassette exist; an exception naming the key is scrubbed too."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/boom"):
            raise httpx.ConnectError(f"cannot reach {request.url} with key {CANARY}")
        return httpx.Response(200, json={"code": 0, "echo": {"api_key": CANARY, "note": f"key={CANARY}"}})

    async def scenario() -> list[Attempted]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            client = GatewayClient(
                gateway="kling-official",
                base_url="http://127.0.0.1:9",
                http=http,
                clock=RealClock(),
                key=CANARY,
                limits=HttpLimits(max_retries=0),
            )
            evidence = Evidence(kind=EvidenceKind.LIVE, source="127.0.0.1")
            sent = []
            for path in ("/v1/videos/text2video", "/v1/boom"):
                sent.append(
                    await client.send(
                        scenario="text2video.create.minimal",
                        operation_id="text2video.create",
                        ref=f"r{path}",
                        evidence=evidence,
                        method="POST",
                        url=client.url_for(path, (("api_key", CANARY), ("access_token", CANARY), ("page", "1"))),
                        body={"prompt": "a cat", "api_key": CANARY, "options": {"token": CANARY, "secret": CANARY}},
                    )
                )
            return sent

    attempts = asyncio.run(scenario())
    assert seen and urllib.parse.quote(CANARY, safe="") in str(seen[0].url)  # the key really was sent
    cassette = Cassette(
        gateway="kling-official",
        scenario="text2video.create.minimal",
        operation="text2video.create",
        evidence=Evidence(kind=EvidenceKind.LIVE),
        base_url="http://127.0.0.1:9",
        interactions=[i for a in attempts for i in a.interactions],
    )
    path = tmp_path / "c.yaml"
    cassette.write(path)
    text = path.read_text(encoding="utf-8")
    assert count_leaks({"cassette": text.encode(), "repr": repr(attempts).encode()}) == {}
    assert "page=1" in text and "a cat" in text  # redaction is targeted, not wholesale
    assert load_cassette(path).interactions
