"""One gateway at the root of its own port, https with a local CA, and GET /account/costs."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import jsonschema
import pytest

from conformance import spec
from conformance.emulator import EmulatorConfig, start_emulator
from conformance.profiles import load_builtin_profiles
from conformance.profiles.auth import sign_jwt

KEY = "kc-root-test-key-000001"
T2V = {"model_name": "kling-v1", "prompt": "a fox", "duration": "5"}


def test_a_gateway_at_the_root_answers_a_client_that_takes_only_a_host() -> None:
    yibuapi = load_builtin_profiles()["yibuapi"]
    config = EmulatorConfig(keys=(KEY,), root="yibuapi")
    with start_emulator([yibuapi], config) as emu, httpx.Client(trust_env=False) as client:
        assert emu.base_url("yibuapi") == emu.url
        headers = {"Authorization": f"Bearer {KEY}"}
        created = client.post(f"{emu.url}/kling/v1/videos/text2video", json=T2V, headers=headers)
        assert created.status_code == 200 and created.json()["code"] == 0
        task_id = created.json()["data"]["task_id"]
        assert client.get(f"{emu.url}/kling/v1/videos/text2video/{task_id}", headers=headers).status_code == 200
        # The official client's path (no /kling) is not a route of this gateway: every call fails.
        assert client.post(f"{emu.url}/v1/videos/text2video", json=T2V, headers=headers).status_code == 404
        assert client.get(f"{emu.url}/healthz").json()["gateways"] == ["yibuapi"]


def test_account_costs_on_the_official_profile_and_not_on_gateways() -> None:
    profiles = load_builtin_profiles()
    config = EmulatorConfig(keys=(KEY, "AK1|SK1"))
    with (
        start_emulator([profiles["kling-official"], profiles["newapi"], profiles["yibuapi"]], config) as emu,
        httpx.Client(trust_env=False) as client,
    ):
        jwt = {"Authorization": f"Bearer {sign_jwt('AK1', 'SK1')}"}
        costs = client.get(emu.base_url("kling-official") + "/account/costs", headers=jwt)
        assert costs.status_code == 200
        body = costs.json()
        assert body["code"] == 0 and body["request_id"]
        entry = spec.load_canonical()["x-kling-endpoints"]["account.costs"]
        assert (entry["method"], entry["path"]) == ("GET", profiles["kling-official"].endpoint("account.costs").path)
        jsonschema.validate(body, entry["response"])  # the emulator answers what the canonical spec says
        packs = body["data"]["resource_pack_subscribe_infos"]
        assert {p["status"] for p in packs} <= {"toBeOnline", "online", "expired", "runOut"}
        assert all(p["remaining_quantity"] <= p["total_quantity"] for p in packs)
        assert client.get(emu.base_url("kling-official") + "/account/costs").status_code == 401
        bad = client.get(emu.base_url("kling-official") + "/account/costs", params={"start_time": "x"}, headers=jwt)
        assert bad.status_code == 400 and bad.json()["code"] == 1201
        key = {"Authorization": f"Bearer {KEY}"}
        for gateway in ("newapi", "yibuapi"):
            answer = client.get(emu.base_url(gateway) + "/kling/account/costs", headers=key)
            assert "resource_pack_subscribe_infos" not in answer.text, gateway


def test_tls_with_a_local_ca_that_a_client_trusts(tmp_path: Path) -> None:
    pytest.importorskip("trustme", reason="trustme is a dependency: pip install -e '.[dev]'")
    from conformance.emulator import local_tls

    tls = local_tls(tmp_path / "tls")
    assert tls.ca_path.is_file() and (tls.key_path.stat().st_mode & 0o077) == 0
    official = load_builtin_profiles()["kling-official"]
    with start_emulator([official], EmulatorConfig(keys=(KEY,), root="kling-official"), tls=tls) as emu:
        assert emu.url.startswith("https://") and emu.ca_path == tls.ca_path
        with httpx.Client(verify=ssl.create_default_context(cafile=str(tls.ca_path)), trust_env=False) as client:
            answer = client.post(
                f"{emu.url}/v1/videos/text2video", json=T2V, headers={"Authorization": f"Bearer {KEY}"}
            )
            assert answer.status_code == 200
        with httpx.Client(trust_env=False) as untrusting, pytest.raises(httpx.ConnectError):
            untrusting.get(f"{emu.url}/healthz")  # the system store does not know the local CA


def test_serve_root_needs_exactly_one_gateway() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "serve", "-g", "yibuapi", "-g", "newapi", "--root", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--root" in result.stderr + result.stdout and "Traceback" not in result.stderr
