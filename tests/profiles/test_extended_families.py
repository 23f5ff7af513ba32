"""``[extended_families]``: which extended families of the spec each gateway documents (issue 17)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance import spec
from conformance.errors import ProfileError
from conformance.profiles import load_builtin_profiles, load_profile_file

SEED_OR_SECTION = re.compile(r"seeds/\d{3}_[0-9a-f]+\.txt:\d+-\d+|reference/[a-z-]+\.md §[0-9.]+|https://")


def test_kling_official_documents_every_extended_family() -> None:
    official = load_builtin_profiles()["kling-official"]
    assert official.extended_families.documented == ("*",)
    assert official.extended_families.families == spec.extended_families()
    assert official.extended_families.documents("omni-video") and official.extended_families.documents("tts")


def test_every_other_builtin_documents_none_and_says_where_that_was_read() -> None:
    for profile_id, profile in load_builtin_profiles().items():
        if profile_id == "kling-official":
            continue
        assert profile.extended_families.families == (), profile_id
        assert SEED_OR_SECTION.search(profile.extended_families.evidence), (profile_id, profile.extended_families)
    assert load_builtin_profiles()["yibuapi"].extends == "kling-official"  # not inherited through extends


def test_names_are_checked_and_star_expands(write_profile: Callable[..., Path]) -> None:
    base = 'id = "x-gw"\nextends = "kling-official"\n[extended_families]\nevidence = "user-supplied"\n'
    some = load_profile_file(write_profile(base + 'documented = ["tts", "omni-video"]\n'))
    assert some.extended_families.families == ("omni-video", "tts")  # in table order
    inherited = load_profile_file(write_profile('id = "y-gw"\nextends = "kling-official"\n', "y.toml"))
    assert inherited.extended_families.families == ()
    with pytest.raises(ProfileError) as caught:
        load_profile_file(write_profile(base + 'documented = ["omni-vidoe"]\n', "bad.toml"))
    assert "omni-video" in caught.value.render() and "extended_families.documented" in caught.value.render()
    with pytest.raises(ProfileError):
        load_profile_file(write_profile(base + "documented = []\nsurprise = 1\n", "closed.toml"))


def test_gateways_command_shows_the_column_and_an_info_finding(run_cli: Callable[..., Any]) -> None:
    result = run_cli("gateways", "--gateway", "kling-official", "--gateway", "yibuapi")
    assert result.exit_code == 0, result.stdout
    total = len(spec.extended_families())
    assert f"all {total}" in result.stdout and f"none of {total}" in result.stdout
    assert f"info: yibuapi documents none of the {total} extended families" in result.stdout
    assert "info: kling-official" not in result.stdout
    document = json.loads(run_cli("gateways", "--json").stdout)
    flagged = {finding["gateway"] for finding in document["extended_family_findings"]}
    assert flagged == {p["id"] for p in document["profiles"]} - {"kling-official"}
    official = next(p for p in document["profiles"] if p["id"] == "kling-official")
    assert official["extended_families"]["documented"] == list(spec.extended_families())
