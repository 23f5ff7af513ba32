"""Keys by value: a gateway that echoes the key back, in any header and any encoding, gets none of it
written or printed; a key in ``--base-url`` (userinfo, query) is scrubbed the same way; credentials
never go to a second origin on a redirect.

The canary is scanned for with this suite's own scanner (``leak_scan.py``, not the redaction code under
test) in every file the run wrote and in its stdout/stderr.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from conftest import figure_sink_fixture
from hardening_figures import FigureSink
from hardening_live import key_env
from lax_gateway import lax_gateway
from leak_scan import count_leaks, every_file, secret_forms, where_leaked

#: '+', '/' and '=' change under base64 alignment, URL-encoding and JSON escaping.
CANARY = "kc-ECHO+7Qx9/vR2=mZp4LwK8sQ"
USERINFO_SECRET = "pw-ECHO+u5er/Inf0=Zq"
QUERY_SECRET = "qk-ECHO+qu3ry/K3y=Wx"

figures = figure_sink_fixture("canary")


def _cli_run(base_url: str, workdir: Path, *extra: str) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_KEY", "_TOKEN"))}
    env.update(key_env(["kling-official"], CANARY))
    command = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--mode",
        "record",
        "-g",
        "kling-official",
        "--base-url",
        base_url,
        "--cassettes",
        str(workdir / "cassettes"),
        "--reports-dir",
        str(workdir / "reports"),
        "--verbose",
        "--read-timeout",
        "5",
        "--task-deadline",
        "10",
        "--poll-interval",
        "0.02",
        "--deadline",
        "120",
        *extra,
    ]
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False, cwd=workdir)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("variant", ["key", "userinfo+query"])
def test_an_echoing_gateway_gets_no_key_written_or_printed(variant: str, tmp_path: Path, figures: FigureSink) -> None:
    figures.require("runs", 2)
    with lax_gateway("echo") as gw:
        url = gw.url
        secrets: tuple[str, ...] = (CANARY,)
        if variant == "userinfo+query":
            host = url.removeprefix("http://")
            url = f"http://user:{USERINFO_SECRET.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D')}@{host}"
            url += f"/?user_key={QUERY_SECRET.replace('/', '%2F').replace('+', '%2B').replace('=', '%3D')}"
            secrets = (CANARY, USERINFO_SECRET, QUERY_SECRET)
        code, out, err = _cli_run(url, tmp_path, "--max-paid-tasks", "3")
    assert code in (0, 1), err.decode(errors="replace")[-2000:]
    assert b"Traceback" not in err, err.decode(errors="replace")[-2000:]
    seen = [headers for _, _, headers in gw.requests]
    assert seen, "the gateway received nothing"
    assert any(CANARY in h.get("Authorization", "") for h in seen), "the key was never sent: the test is vacuous"
    if variant == "userinfo+query":  # the base URL's own ?user_key= goes on every call
        assert all(f"user_key={QUERY_SECRET}" in urllib.parse.unquote(path) for _, path, _ in gw.requests)
    blobs = every_file(tmp_path)
    assert any(p.endswith(".yaml") for p in blobs) and any(p.endswith("report.json") for p in blobs)
    assert any(p.endswith("index.html") for p in blobs) and any(p.endswith("junit.xml") for p in blobs)
    blobs["stdout"], blobs["stderr"] = out, err
    leaks = count_leaks(blobs, secrets)
    figures.add("runs")
    figures.add("files_scanned", len(blobs))
    figures.add("forms_searched", sum(len(secret_forms(s)) for s in secrets))
    figures.add("hits", sum(leaks.values()))
    assert leaks == {}, f"leaked {leaks} in {where_leaked(blobs, secrets)[:8]}"


def _redirected_run(tmp_path: Path, header: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, str]], int]:
    """A run against a gateway whose task GETs all redirect to a second loopback origin; what the second
    origin received (its request headers) and how many requests the first one got."""
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import execute_run

    monkeypatch.setenv("XKEY_API_KEY", CANARY)
    with lax_gateway("accept") as second, lax_gateway("accept") as first:
        first.redirect_to, first.redirect_gets = second.url, True
        profile = tmp_path / "redirecting.toml"
        profile.write_text(
            f'id = "redirecting"\nextends = "kling-official"\nbase_url = "{first.url}"\n\n'
            f'[auth]\nheader = "{header}"\nscheme = "bearer"\ncredential = "api-key"\nenv = "XKEY_API_KEY"\n',
            encoding="utf-8",
        )
        options = RunOptions(
            gateways=["redirecting"],
            profile_paths=[str(profile)],
            mode="live",
            max_paid_tasks=2,
            poll_interval=0.01,
            task_deadline=3.0,
            write_report=False,
            quiet=True,
        )
        asyncio.run(execute_run(options))
    assert any(CANARY in str(h) for _, _, h in first.requests), "the key never reached the configured origin"
    return [h for _, _, h in second.requests], len(first.requests)


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
def test_a_redirect_to_another_origin_carries_no_credential(
    header: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: FigureSink
) -> None:
    received, _ = _redirected_run(tmp_path, header, monkeypatch)
    assert received, "nothing was redirected to the second origin: the test is vacuous"
    leaked = [
        h for h in received if any(CANARY in v or k.lower() in ("authorization", "x-api-key") for k, v in h.items())
    ]
    figures.add("redirected_requests", len(received))
    figures.add("credentials_to_other_origin", len(leaked))
    assert not leaked, f"{len(leaked)} of {len(received)} redirected requests carried a credential: {leaked[0]}"


def test_the_pytest_plugin_client_sends_no_credential_to_another_origin(tmp_path: Path) -> None:
    """``kling_client`` (the plugin's live transport): a redirect to another (public-looking) origin is
    followed without the key; one into another loopback port is refused before anything is sent."""
    import dataclasses

    import httpx

    from conformance.harness.address_guard import use_resolver
    from conformance.profiles import load_builtin_profiles
    from conformance.profiles.model import AuthSpec
    from conformance.pytest_kling.client import build_client

    profile = dataclasses.replace(
        load_builtin_profiles()["kling-official"], auth=AuthSpec(header="X-Api-Key", env="XKEY_API_KEY")
    )
    public = lambda host: ["93.184.216.34"] if host == "localhost" else []  # noqa: E731
    with lax_gateway("accept") as second, lax_gateway("accept") as first, use_resolver(public):
        first.redirect_gets = True
        for target in (second.url.replace("127.0.0.1", "localhost"), second.url):
            first.redirect_to = target
            client, _, _ = build_client(
                profile=profile,
                mode="live",
                base_url=first.url,
                key=CANARY,
                cassettes_root=tmp_path,
                scenario="user.redirect",
                emulator=False,
            )
            with client:
                try:
                    client.get("/v1/videos/text2video/123")
                except httpx.TransportError as exc:
                    assert "refused" in str(exc) and target == second.url
    assert any(CANARY in str(h) for _, _, h in first.requests), "the key never reached the gateway"
    assert second.requests, "nothing was redirected: vacuous"
    assert len(second.requests) == 1, "the redirect into another loopback port was followed"
    assert not any(CANARY in str(h) or "X-Api-Key" in h for _, _, h in second.requests), second.requests


def test_a_key_in_a_base_url_is_never_printed(tmp_path: Path) -> None:
    """``gateways``, ``plan`` (and their ``--json``) never print a base URL's userinfo or ``?key=``."""
    quoted_pw = urllib.parse.quote(USERINFO_SECRET, safe="")
    quoted_q = urllib.parse.quote(QUERY_SECRET, safe="")
    url = f"https://user:{quoted_pw}@gw.example/?key={quoted_q}"
    profile = tmp_path / "mine.toml"  # a valid profile: userinfo only (no path or query in a profile's base_url)
    profile.write_text(
        f'id = "mine"\nextends = "kling-official"\nbase_url = "https://u:{quoted_pw}@gw.example"\n', encoding="utf-8"
    )
    refused = tmp_path / "refused.toml"  # refused by the schema: the error message quotes the value
    refused.write_text(f'id = "mine"\nextends = "kling-official"\nbase_url = "{url}"\n', encoding="utf-8")
    outputs = {}
    for argv in (
        ["gateways", "--profile", str(refused)],
        ["gateways", "--profile", str(profile)],
        ["gateways", "--profile", str(profile), "--json"],
        ["plan", "--mode", "live", "--profile", str(profile), "-g", "mine"],
        ["plan", "--mode", "live", "-g", "yibuapi", "--base-url", url],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "conformance", *argv], capture_output=True, timeout=120, check=False
        )
        assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")[-1500:]
        outputs[" ".join(argv)] = done.stdout + done.stderr
    assert any(b"gw.example" in out for out in outputs.values()), "the host is not shown at all: vacuous"
    assert count_leaks(outputs, (USERINFO_SECRET, QUERY_SECRET)) == {}
