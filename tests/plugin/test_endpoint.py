"""``kling_endpoint``: a third-party client pointed at the emulator (root of its own port, http or https)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest import Pytester

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "test_third_party_client.py"

GATEWAY_CLIENT = """
import httpx

def test_a_key_client_on_a_gateway(kling_endpoint):
    assert kling_endpoint.gateway == "yibuapi" and kling_endpoint.path_prefix == "/kling"
    assert kling_endpoint.base_url.count("/") == 2  # the gateway at the root of its own port
    assert kling_endpoint.headers == {"Authorization": "Bearer " + kling_endpoint.api_key}
    assert kling_endpoint.api_key not in repr(kling_endpoint)
    body = {"model_name": "kling-v1", "prompt": "a fox"}
    with httpx.Client(verify=kling_endpoint.verify, trust_env=False) as http:
        ok = http.post(kling_endpoint.url("/v1/videos/text2video"), json=body, headers=kling_endpoint.headers)
        assert ok.status_code == 200 and ok.json()["code"] == 0
        jwt = {"Authorization": "Bearer " + kling_endpoint.jwt()}
        refused = http.post(kling_endpoint.url("/v1/videos/text2video"), json=body, headers=jwt)
        assert refused.status_code == 401  # a reseller does not take Kling-signed JWTs
"""


def test_the_third_party_client_example_passes_through_the_fixture(pytester: Pytester) -> None:
    pytester.makepyfile(test_third_party_client=EXAMPLE.read_text(encoding="utf-8"))
    result = pytester.runpytest("-q", "--kling-gateway", "kling-official", "--kling-emulator", "--kling-no-catalog")
    result.assert_outcomes(passed=2)


def test_the_example_over_https_with_the_local_ca(pytester: Pytester) -> None:
    pytest.importorskip("trustme", reason="trustme is a dependency: pip install -e '.[dev]'")
    pytester.makepyfile(test_third_party_client=EXAMPLE.read_text(encoding="utf-8"))
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = true\ntls = true\n")
    result = pytester.runpytest("-q", "--kling-gateway", "kling-official", "--kling-emulator", "--kling-no-catalog")
    result.assert_outcomes(passed=2)  # --kling-no-catalog wins over catalog = true


def test_a_gateway_key_client_and_the_users_own_ak_sk(pytester: Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KLING_AK", "my-own-access-key")
    monkeypatch.setenv("MY_KLING_SK", "my-own-secret-key")
    pytester.makepyfile(test_gateway_client=GATEWAY_CLIENT)
    pytester.makepyfile(
        test_own_pair="def test_pair(kling_endpoint):\n    assert kling_endpoint.access_key == 'my-own-access-key'\n"
    )
    result = pytester.runpytest(
        "-q",
        "--kling-gateway",
        "yibuapi",
        "--kling-emulator",
        "--kling-no-catalog",
        "--kling-access-key-env",
        "MY_KLING_AK",
        "--kling-secret-key-env",
        "MY_KLING_SK",
    )
    result.assert_outcomes(passed=2)


def test_replay_mode_explains_that_the_endpoint_needs_a_server(pytester: Pytester) -> None:
    pytester.makepyfile(test_third_party_client=EXAMPLE.read_text(encoding="utf-8"))
    result = pytester.runpytest("-q", "--kling-gateway", "kling-official", "--kling-no-catalog", "-k", "credentials")
    result.assert_outcomes(errors=1)  # at fixture setup, with the fix
    result.stdout.fnmatch_lines(["*--kling-emulator*"])


def test_ak_sk_settings_must_name_variables(pytester: Pytester) -> None:
    pytester.makepyprojecttoml('[tool.kling-conformance]\naccess-key-env = "AK123|not a name"\nsecret-key-env = "S"\n')
    result = pytester.runpytest("-q")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*NAME of an environment variable*"])
