"""A user adds a gateway with a TOML file and no code; `kling-conformance gateways` lists profiles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.models import EvidenceKind
from conformance.paths import PACKAGE_DIR
from conformance.profiles import load_profile, load_profile_file, profile_to_dict, resolve_profiles

EXAMPLE = PACKAGE_DIR.parent / "examples" / "my-gateway.toml"

STANDALONE = """
id = "acme-video"
title = "ACME video gateway"
family = "custom"
base_url = "https://video.acme.example"
path_prefix = "/api/kling"

[auth]
scheme = "bearer"
env = "ACME_VIDEO_KEY"

[operations."text2video.*"]
documented = true

[operations."text2video.list"]
supported = false

[errors]
unknown_task_status = 404
unknown_task_code = 1203

[[departures]]
id = "seconds-timestamps"
kind = "response"
check = "field_types_canonical"
json_path = "$.data.created_at"
reason = "Timestamps are seconds."
evidence = "user-supplied: ticket ACME-12"
"""


def test_standalone_user_profile_needs_no_code(write_profile: Callable[..., Path]) -> None:
    profile = load_profile_file(write_profile(STANDALONE))
    assert profile.id == "acme-video" and profile.family == "custom"
    assert profile.evidence_kind is EvidenceKind.USER_SUPPLIED and profile.evidence_source == "user-supplied"
    assert profile.supported_operations() == ["text2video.create", "text2video.get"]
    get = profile.operation("text2video.get")
    assert get is not None and get.path == "/api/kling/v1/videos/text2video/{task_id}" and get.documented
    assert profile.errors.unknown_task_code == "1203"  # ints are read as code strings
    assert profile.departures_for("field_types_canonical", "text2video.get")[0].id == "seconds-timestamps"
    assert load_profile(str(write_profile(STANDALONE, "again.toml"))).id == "acme-video"


def test_user_profile_through_the_cli(write_profile: Callable[..., Path], run_cli: Callable[..., Any]) -> None:
    path = write_profile(STANDALONE)
    table = run_cli("gateways", "--profile", str(path))
    assert table.exit_code == 0, table.stderr
    assert "acme-video" in table.stdout and "user-supplied" in table.stdout
    assert "kling-official" in table.stdout  # built-ins are listed alongside
    as_json = run_cli("gateways", "--json", "--gateway", "newapi", "--profile", str(path))
    document = json.loads(as_json.stdout)
    assert [p["id"] for p in document["profiles"]] == ["newapi", "acme-video"]
    acme = document["profiles"][1]
    assert acme["evidence"] == {"kind": "user-supplied", "source": "user-supplied"}
    assert acme["auth"]["env"] == "ACME_VIDEO_KEY"
    assert acme["supported_operations"] == ["text2video.create", "text2video.get"]


def test_example_profile_in_the_repository_loads() -> None:
    profile = load_profile_file(EXAMPLE)
    assert profile.id == "my-gateway" and profile.extends == "newapi"
    assert profile.errors.unknown_task_status == 404  # its own key beats the newapi base
    assert profile.errors.type_mismatch_status == 400  # inherited from newapi
    assert "unknown-task-400" not in {d.id for d in profile.departures}  # dropped by id
    assert "unknown-task-404-patched" in {d.id for d in profile.departures}
    assert "sound" not in profile.drops_fields
    assert profile.extra == {
        "emulator": {"relax_fields": [], "requires_model_field": "model", "media": {"aspect_ratio": "1:1"}}
    }  # merged with newapi
    assert profile_to_dict(profile)["extra"]["emulator"] == profile.extra["emulator"]


def test_resolve_profiles_selection_rules(write_profile: Callable[..., Path]) -> None:
    everything = [p.id for p in resolve_profiles([], [])]
    assert everything == [p.id for p in resolve_profiles(["all"], [])]
    assert len(everything) == 18  # the agreed eight, nine from public documentation and the 3.x contract
    assert [p.id for p in resolve_profiles(["onehub", "newapi", "onehub"], [])] == ["onehub", "newapi"]
    override = write_profile('id = "newapi"\nextends = "newapi"\nbase_url = "https://my-newapi.example"\n')
    chosen = resolve_profiles(["all"], [str(override)])
    assert [p.id for p in chosen] == everything  # replaced in place, not appended
    assert next(p for p in chosen if p.id == "newapi").base_url == "https://my-newapi.example"
    assert [p.id for p in resolve_profiles([], [str(write_profile(STANDALONE, "acme.toml"))])] == ["acme-video"]


def test_gateways_lists_every_builtin_with_evidence(run_cli: Callable[..., Any]) -> None:
    result = run_cli("gateways")
    assert result.exit_code == 0
    out = result.stdout
    for gateway_id in ("kling-official", "yibuapi", "apicore", "bynewapi", "n1n", "winfull", "newapi", "onehub"):
        assert gateway_id in out
    assert "seeds/000_657526c9dea7105f" in out and "engine" in out  # newapi/onehub: recorded through the engine
    assert "text2video(create,get)" in out and "all families" in out
    document = json.loads(run_cli("gateways", "--json").stdout)
    by_id = {p["id"]: p for p in document["profiles"]}
    assert by_id["yibuapi"]["evidence"]["source"] == "seeds/000_657526c9dea7105f.txt"
    assert by_id["newapi"]["operations"]["image2video.get"]["response_shape"] == "newapi-task"
