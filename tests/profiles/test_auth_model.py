"""The ``[auth]`` model: what a client sends per profile, and what each emulated gateway accepts."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import httpx
import pytest

from conformance.emulator import EmulatorConfig, start_emulator
from conformance.errors import ProfileError
from conformance.profiles import load_builtin_profiles, load_profile_file
from conformance.profiles.auth import (
    Credentials,
    auth_parts,
    credentials_from_env,
    jwt_claims,
    read_token,
    request_auth,
    sign_jwt,
    verify_jwt,
)
from conformance.profiles.model import AuthSpec

T2V = {"model_name": "kling-v1", "prompt": "a fox", "duration": "5"}


def test_a_custom_header_carries_the_bare_key_not_a_bearer_prefix() -> None:
    assert auth_parts(AuthSpec(header="x-api-key"), "k1").headers == (("x-api-key", "k1"),)
    assert auth_parts(AuthSpec(), "k1").headers == (("Authorization", "Bearer k1"),)
    assert auth_parts(AuthSpec(scheme="key"), "k1").headers == (("Authorization", "Key k1"),)
    assert auth_parts(AuthSpec(scheme="raw"), "k1").headers == (("Authorization", "k1"),)
    assert auth_parts(AuthSpec(header="x-api-key", scheme="bearer"), "k1").headers == (("x-api-key", "Bearer k1"),)
    query = auth_parts(AuthSpec(query="key"), "k1")
    assert query.headers == () and query.query == (("key", "k1"),)
    assert auth_parts(AuthSpec(), "") == auth_parts(AuthSpec(query="key"), "")


def test_kling_jwt_is_signed_per_request_from_ak_sk() -> None:
    spec = AuthSpec(credential="kling-jwt")
    now = 1_800_000_000
    parts = request_auth(spec, Credentials(access_key="AK1", secret_key="SK1"), now=now)
    ((name, value),) = parts.headers
    assert name == "Authorization" and value.startswith("Bearer ")
    token = value.removeprefix("Bearer ")
    assert jwt_claims(token) == {"iss": "AK1", "exp": now + 1800, "nbf": now - 5}
    assert verify_jwt(token, "SK1") and not verify_jwt(token, "SK2")
    # Without AK/SK the variable's value is a pre-signed token, sent as is.
    assert request_auth(spec, Credentials(key="pre.signed.jwt")).headers == (
        ("Authorization", "Bearer pre.signed.jwt"),
    )


def test_credentials_come_from_the_variables_the_profile_names() -> None:
    spec = AuthSpec(credential="kling-jwt", env="K", access_key_env="A", secret_key_env="S")
    assert credentials_from_env(spec, {"A": "ak", "S": "sk"}) == Credentials(access_key="ak", secret_key="sk")
    assert not credentials_from_env(spec, {"A": "ak"})  # half a pair is no credential
    assert credentials_from_env(AuthSpec(env="K"), {"K": "v", "A": "x"}) == Credentials(key="v")


def test_read_token_finds_it_where_the_profile_puts_it() -> None:
    headers = httpx.Headers({"authorization": "Bearer t1", "x-api-key": "t2"})
    assert read_token(AuthSpec(), headers, {}) == "t1"
    assert read_token(AuthSpec(header="x-api-key"), headers, {}) == "t2"
    assert read_token(AuthSpec(scheme="key"), headers, {}) == ""  # wrong prefix: malformed
    assert read_token(AuthSpec(query="key"), headers, {"key": "t3"}) == "t3"
    assert read_token(AuthSpec(query="key"), headers, {}) is None
    assert read_token(AuthSpec(header="x-other"), headers, {}) is None


def test_a_profile_with_a_custom_header_and_query_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'id = "mine"\nextends = "yibuapi"\n[auth]\nheader = "x-api-key"\nenv = "MINE_KEY"\n', encoding="utf-8"
    )
    profile = load_profile_file(path)
    assert profile.auth.header == "x-api-key" and profile.auth.prefix == ""  # not "Bearer" from yibuapi
    assert profile.auth.describe() == "x-api-key: <api-key>"
    path.write_text('id = "mine"\nextends = "yibuapi"\n[auth]\ncredential = "oauth"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    assert "credential" in info.value.render()


def test_builtin_profiles_say_who_accepts_kling_signed_jwts() -> None:
    profiles = load_builtin_profiles()
    assert profiles["kling-official"].auth.credential == "kling-jwt"
    assert "kling-jwt" in profiles["kling-official"].auth.accepted
    for gateway in ("newapi", "onehub", "bynewapi", "yibuapi", "apicore", "n1n", "winfull"):
        assert profiles[gateway].auth.accepted == ("api-key",), gateway


def _status(client: httpx.Client, url: str, headers: dict[str, str], params: dict[str, str] | None = None) -> int:
    return client.post(url, json=T2V, headers=headers, params=params).status_code


@pytest.mark.parametrize("keys", [(), ("gw-key", "AK9|SK9")], ids=["open", "keys"])
def test_new_api_and_one_hub_refuse_kling_signed_jwts_while_official_takes_them(keys: tuple[str, ...]) -> None:
    profiles = load_builtin_profiles()
    chosen = [profiles[g] for g in ("kling-official", "newapi", "onehub", "yibuapi")]
    jwt = sign_jwt("AK9", "SK9")
    with start_emulator(chosen, EmulatorConfig(keys=keys)) as emu, httpx.Client(trust_env=False) as client:

        def url(gateway: str) -> str:
            prefix = profiles[gateway].path_prefix
            return f"{emu.base_url(gateway)}{prefix}/v1/videos/text2video"

        assert _status(client, url("kling-official"), {"Authorization": f"Bearer {jwt}"}) == 200
        for gateway in ("newapi", "onehub", "yibuapi"):
            assert _status(client, url(gateway), {"Authorization": f"Bearer {jwt}"}) == 401, gateway
            assert _status(client, url(gateway), {"Authorization": "Bearer gw-key"}) != 401, gateway  # past auth
        expired = sign_jwt("AK9", "SK9", now=time.time() - 3600)
        response = client.post(url("kling-official"), json=T2V, headers={"Authorization": f"Bearer {expired}"})
        assert response.status_code == 401 and response.json()["code"] == 1004


def test_serve_overrides_and_custom_placements_are_honoured() -> None:
    base = load_builtin_profiles()["yibuapi"]
    in_query = dataclasses.replace(base, id="in-query", auth=dataclasses.replace(base.auth, query="key"))
    in_header = dataclasses.replace(base, id="in-header", auth=AuthSpec(header="x-api-key", env="X"))
    config = EmulatorConfig(keys=("gw-key",), auth_accepts={"yibuapi": ("api-key", "kling-jwt")})
    jwt_key = "AK|SK"
    config = dataclasses.replace(config, keys=("gw-key", jwt_key))
    with (
        start_emulator([base, in_query, in_header], config) as emu,
        httpx.Client(trust_env=False) as client,
    ):
        path = "/kling/v1/videos/text2video"
        assert (
            _status(client, emu.base_url("yibuapi") + path, {"Authorization": f"Bearer {sign_jwt('AK', 'SK')}"}) == 200
        )
        assert _status(client, emu.base_url("in-query") + path, {}, {"key": "gw-key"}) == 200
        assert _status(client, emu.base_url("in-query") + path, {"Authorization": "Bearer gw-key"}) == 401
        assert _status(client, emu.base_url("in-header") + path, {"x-api-key": "gw-key"}) == 200
        assert _status(client, emu.base_url("in-header") + path, {"x-api-key": "Bearer gw-key"}) == 401
