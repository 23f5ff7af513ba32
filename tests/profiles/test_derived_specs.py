"""Seed profiles take their documented facts from specs/gateways/*.yaml: one source of truth."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from conformance import paths
from conformance.errors import ProfileError
from conformance.profiles import load_profile, load_profile_file

SEED_GATEWAYS = ("yibuapi", "apicore", "bynewapi", "n1n", "winfull")


def gateway_spec(gateway_id: str) -> Path:
    """``specs/gateways/<id>.yaml`` of the checkout."""
    return paths.gateway_specs_dir() / f"{gateway_id}.yaml"


def _spec(gateway_id: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(gateway_spec(gateway_id).read_text(encoding="utf-8"))
    return document


def _documented_ops(document: dict[str, Any]) -> dict[str, str]:
    ops: dict[str, str] = {}
    for item in document["paths"].values():
        for method in ("get", "post"):
            operation = item.get(method)
            if isinstance(operation, dict) and operation.get("operationId"):
                ops[operation["operationId"]] = operation.get("x-documented-shape", "")
    return ops


@pytest.mark.parametrize("gateway_id", SEED_GATEWAYS)
def test_seed_profile_takes_base_url_and_departures_from_its_spec(gateway_id: str) -> None:
    document = _spec(gateway_id)
    profile = load_profile(gateway_id)
    assert profile.derived_from == f"specs/gateways/{gateway_id}.yaml"
    servers = document.get("servers") or []
    host = urlsplit(servers[0]["url"]).netloc if servers else ""
    assert urlsplit(profile.base_url).netloc == host
    source_files = {s["file"] if isinstance(s, dict) else str(s) for s in document["x-gateway"]["sources"]}
    assert any(Path(f).name in profile.evidence_source for f in source_files)
    departures = {d.id: d for d in profile.departures}
    for raw in document.get("x-departures") or []:
        assert raw["id"] in departures, raw["id"]
        assert departures[raw["id"]].reason == raw["reason"]
        assert departures[raw["id"]].evidence.startswith("seeds/")
    for op_id, shape in _documented_ops(document).items():
        operation = profile.operation(op_id)
        assert operation is not None and operation.documented, op_id
        assert operation.documented_shape == shape


def _copy_builtin_with_spec(tmp_path: Path, gateway_id: str) -> tuple[Path, Path]:
    toml_copy = tmp_path / f"{gateway_id}.toml"
    shutil.copy(paths.builtin_profiles_dir() / f"{gateway_id}.toml", toml_copy)
    spec_copy = tmp_path / "specs" / "gateways" / f"{gateway_id}.yaml"
    spec_copy.parent.mkdir(parents=True)
    shutil.copy(gateway_spec(gateway_id), spec_copy)
    return toml_copy, spec_copy


def test_changing_the_spec_changes_the_profile(tmp_path: Path) -> None:
    toml_copy, spec_copy = _copy_builtin_with_spec(tmp_path, "yibuapi")
    before = load_profile_file(toml_copy)
    assert before.base_url == load_profile("yibuapi").base_url

    document = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    document["servers"] = [{"url": "https://mirror.yibu.example/kling"}]
    document.setdefault("x-departures", []).append(
        {
            "id": "planted-in-test",
            "kind": "response",
            "operation": "image2video.create",
            "json_path": "$.data",
            "reason": "planted by the test",
            "provenance": {"file": "000_657526c9dea7105f.txt", "lines": [196, 207]},
        }
    )
    spec_copy.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    after = load_profile_file(toml_copy)
    assert after.base_url == "https://mirror.yibu.example"
    planted = [d for d in after.departures if d.id == "planted-in-test"]
    assert planted and planted[0].evidence == "seeds/000_657526c9dea7105f.txt:196-207"
    assert planted[0].operation == "image2video.create" and planted[0].kind == "response"


def test_own_keys_beat_the_spec_and_the_spec_beats_extends(tmp_path: Path, write_profile: Callable[..., Path]) -> None:
    _, spec_copy = _copy_builtin_with_spec(tmp_path, "winfull")
    document = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    spec_host = urlsplit(document["servers"][0]["url"]).netloc
    derived_only = write_profile(
        """
        id = "winfull-copy"
        extends = "kling-official"
        derived_from = "specs/gateways/winfull.yaml"
        """,
        "derived_only.toml",
    )
    profile = load_profile_file(derived_only)
    assert urlsplit(profile.base_url).netloc == spec_host  # spec beats the official host of `extends`
    assert profile.title == document["x-gateway"]["title"]
    overridden = write_profile(
        """
        id = "winfull-copy"
        title = "Mine"
        extends = "kling-official"
        derived_from = "specs/gateways/winfull.yaml"
        base_url = "https://staging.example.net"
        """,
        "overridden.toml",
    )
    profile = load_profile_file(overridden)
    assert profile.base_url == "https://staging.example.net" and profile.title == "Mine"


def test_spec_decides_which_operations_are_documented(tmp_path: Path, write_profile: Callable[..., Path]) -> None:
    _copy_builtin_with_spec(tmp_path, "winfull")
    path = write_profile(
        """
        id = "doc-only"
        extends = "kling-official"
        derived_from = "specs/gateways/winfull.yaml"
        """,
        "doc_only.toml",
    )
    profile = load_profile_file(path)
    documented = {op for op, prof in profile.operations.items() if prof.documented}
    assert documented == set(_documented_ops(_spec("winfull")))
    assert profile.supported_operations() == load_profile("kling-official").supported_operations()


def test_missing_spec_file_is_a_profile_error(write_profile: Callable[..., Path]) -> None:
    path = write_profile(
        """
        id = "ghost"
        extends = "kling-official"
        derived_from = "specs/gateways/ghost.yaml"
        """
    )
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    message = info.value.render()
    assert "gw.toml" in message and "derived_from" in message and "ghost.yaml" in message
    assert "docs extract" in message
