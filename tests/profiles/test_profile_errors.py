"""A broken profile is one paragraph naming the file, the key and the fix, and exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import ProfileError, UsageError
from conformance.profiles import load_profile, load_profile_file, resolve_profiles

HEAD = 'id = "broken"\nextends = "kling-official"\n'

# (case id, profile text, what the message must contain: field/key, did-you-mean or valid values, fix)
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("toml-syntax", 'id = "broken"\ntitle = "unterminated\n', ("gw.toml:2", "not valid TOML", "Fix:")),
    ("misspelt-top-key", HEAD + 'titel = "x"\n', ("gw.toml:3", "'titel'", "Did you mean 'title'?", "Fix: use one of")),
    (
        "misspelt-nested-key",
        HEAD + "[errors]\nunknown_task_stauts = 404\n",
        ("gw.toml:4", "errors.unknown_task_stauts", "Did you mean 'unknown_task_status'?"),
    ),
    (
        "misspelt-operation",
        HEAD + '[operations."image2vido.get"]\nsupported = false\n',
        ("gw.toml:3", 'operations."image2vido.get"', "Did you mean 'image2video.get'?"),
    ),
    (
        "unknown-shape",
        HEAD + '[operations."image2video.get"]\nresponse_shape = "newapi_task"\n',
        ("response_shape", "Did you mean 'newapi-task'?", "'openai-video'"),
    ),
    (
        "unknown-id-format",
        HEAD + '[operations."image2video.get"]\nid_format = "uuid"\n',
        ("id_format", "use one of: 'kling-numeric'", "'newapi-task'"),
    ),
    (
        "unknown-check",
        HEAD + '[[departures]]\nid = "d"\nreason = "r"\nevidence = "e"\ncheck = "unknown_task_errors"\n',
        ("departures[0].check", "Did you mean 'unknown_task_error'?", "'response_shape_family'"),
    ),
    (
        "departure-without-evidence",
        HEAD + '[[departures]]\nid = "d"\nreason = "r"\n',
        ("departures[0].evidence", "missing required key 'evidence'", "Fix:"),
    ),
    (
        "unknown-extends",
        'id = "broken"\nextends = "newpai"\n',
        ("field 'extends'", "Did you mean 'newapi'?", "built-in id"),
    ),
    (
        "derived-from-missing",
        HEAD + 'derived_from = "specs/gateways/nowhere.yaml"\n',
        ("field 'derived_from'", "nowhere.yaml", "docs extract"),
    ),
    ("wrong-type", HEAD + '[errors]\nauth_status = "401"\n', ("errors.auth_status", "expected integer, got a string")),
    ("missing-required", 'id = "broken"\ntitle = "t"\nbase_url = "https://x.example"\n', ("field 'family'", "Fix:")),
    (
        "bad-family",
        'id = "broken"\ntitle = "t"\nfamily = "new-api"\nbase_url = "https://x.example"\n',
        ("field 'family'", "Did you mean 'newapi'?"),
    ),
    (
        "drop-unknown-departure",
        'id = "broken"\nextends = "newapi"\ndrop_departures = ["unknown-task-404"]\n',
        ("drop_departures", "Did you mean 'unknown-task-400'?"),
    ),
    (
        "unsorted-schedule",
        HEAD + '[lifecycle]\nschedule = [{status = "b", at = 5}, {status = "a", at = 1}]\n',
        ("lifecycle.schedule", "time order"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_profile_exits_2_with_file_key_and_fix(
    text: str,
    expected: tuple[str, ...],
    write_profile: Callable[..., Path],
    run_cli: Callable[..., Any],
) -> None:
    path = write_profile(text)
    result = run_cli("gateways", "--gateway", "kling-official", "--profile", str(path))
    assert result.exit_code == 2
    message = result.stderr
    assert message.startswith("error: ") and "Traceback" not in message
    assert "gw.toml" in message
    for fragment in expected:
        assert fragment in message, (fragment, message)
    with pytest.raises(ProfileError):
        load_profile_file(path)


def test_extends_loop_is_reported(write_profile: Callable[..., Path]) -> None:
    write_profile('id = "a"\nextends = "b.toml"\n', "a.toml")
    b = write_profile('id = "b"\nextends = "a.toml"\n', "b.toml")
    with pytest.raises(ProfileError, match="loop"):
        load_profile_file(b)


def test_missing_profile_file(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    result = run_cli("gateways", "--profile", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr and "not found" in result.stderr


def test_unknown_gateway_id_did_you_mean(run_cli: Callable[..., Any]) -> None:
    result = run_cli("gateways", "--gateway", "onehb")
    assert result.exit_code == 2
    assert "--gateway" in result.stderr and "Did you mean 'onehub'?" in result.stderr
    with pytest.raises(UsageError, match="yibuapi"):
        resolve_profiles(["yibuap"], [])
    with pytest.raises(ProfileError, match="Did you mean 'kling-official'"):
        load_profile("kling-oficial")


SECRETS = [
    ("auth.env", '[auth]\nenv = "sk-Zq81LmXw0pVt4NfB7cRy2DkA"\n'),
    ("auth.key", '[auth]\nenv = "GW_KEY"\nkey = "plain-words-but-a-key"\n'),
    ("description", 'description = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlX2hlcmU"\n'),
    ("emulator.token", '[emulator]\ntoken = "Zq81LmXw0pVt4NfB7cRy2DkAhJ5sQe9U"\n'),
    ("emulator.upstream", '[emulator]\nupstream = "AKq81LmXw0pVt4NfB|SKcRy2DkAhJ5sQe9U"\n'),
]


@pytest.mark.parametrize(("field", "text"), SECRETS, ids=[s[0] for s in SECRETS])
def test_literal_key_is_refused_without_echoing_it(
    field: str, text: str, write_profile: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    path = write_profile(HEAD + text)
    secret = text.split('"')[-2].split()[-1]
    result = run_cli("gateways", "--gateway", "kling-official", "--profile", str(path))
    assert result.exit_code == 2
    message = result.stderr
    assert field in message and "gw.toml" in message and "auth.env" in message  # names the key and the fix
    assert "withheld" in message
    for fragment in {secret, *secret.split("|"), secret[:12]}:
        assert fragment not in message
        assert fragment not in result.stdout
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    assert secret[:12] not in str(info.value)


def test_placeholders_and_ids_are_not_mistaken_for_keys(write_profile: Callable[..., Path]) -> None:
    path = write_profile(
        HEAD
        + 'description = "send Authorization: Bearer <token>"\n'
        + "[[departures]]\n"
        + 'id = "unknown-task-answers-400-instead-of-404-everywhere"\n'
        + 'reason = "see seeds/000_657526c9dea7105f.txt"\n'
        + 'evidence = "seeds/000_657526c9dea7105f.txt:143-151"\n'
    )
    profile = load_profile_file(path)
    assert profile.departures[-1].id == "unknown-task-answers-400-instead-of-404-everywhere"
