"""The committed cassettes are exactly what scripts/regenerate_cassettes.py produces (not stale)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conformance.harness.cassette import load_cassette
from conformance.harness.docexamples import doc_cassettes
from conformance.paths import cassettes_dir

ROOT = Path(__file__).resolve().parents[2]
FIX = "run: python scripts/regenerate_cassettes.py (and commit the result)"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("regenerate_cassettes", ROOT / "scripts" / "regenerate_cassettes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_doc_derived_cassettes_are_current() -> None:
    for gateway in ("yibuapi", "apicore", "bynewapi", "n1n", "winfull"):
        expected = doc_cassettes(gateway)
        assert expected, f"{gateway}: the gateway spec documents no example"
        for cassette in expected:
            path = cassettes_dir() / gateway / f"{cassette.scenario}.yaml"
            assert path.is_file(), f"{path} missing; {FIX}"
            assert path.read_text(encoding="utf-8") == cassette.dumps(), f"{path} is stale; {FIX}"
            assert load_cassette(path).evidence.kind.value == "doc-derived"


def test_every_builtin_has_emulator_cassettes_for_its_catalog() -> None:
    from conformance.emulator.coverage import emulable_builtin_ids
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import load_profiles, plan_run

    options = RunOptions(gateways=emulable_builtin_ids())  # doc-only gateways have doc-derived cassettes only
    profiles = load_profiles(options)
    plan, _ = plan_run(options, profiles)
    for profile in profiles:
        for item in plan.gateways[profile.id]:
            s = item.scenario
            if not item.runs or s.shares_task_with or s.depends_on:
                continue
            path = cassettes_dir() / profile.id / f"{s.id}.yaml"
            assert path.is_file(), f"{profile.id}: no cassette for {s.id}; {FIX}"
            assert path.stat().st_size < 64_000, f"{path} is too large for a bundled cassette"


@pytest.mark.slow
@pytest.mark.parametrize("gateway", ["newapi", "yibuapi"])
def test_emulator_cassettes_are_byte_stable(gateway: str, tmp_path: Path) -> None:
    """Regenerating one gateway into a temporary folder gives the committed bytes."""
    module = _script()
    module.regenerate([gateway], tmp_path)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / gateway).glob("*.yaml")}
    committed = {p.name: p.read_bytes() for p in (cassettes_dir() / gateway).glob("*.yaml")}
    assert sorted(fresh) == sorted(committed), f"cassette set changed; {FIX}"
    stale = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not stale, f"{len(stale)} stale cassette(s), e.g. {stale[:3]}; {FIX}"


def test_documented_gateways_have_their_doc_derived_cassettes() -> None:
    """Every built-in profile's [[examples]] is bundled, with the documentation page as its evidence."""
    from conformance.profiles import load_builtin_profiles

    for gateway, profile in load_builtin_profiles().items():
        if not profile.examples:
            continue
        for cassette in doc_cassettes(gateway):
            path = cassettes_dir() / gateway / f"{cassette.scenario}.yaml"
            assert path.is_file(), f"{path} missing; {FIX}"
            assert path.read_text(encoding="utf-8") == cassette.dumps(), f"{path} is stale; {FIX}"
            evidence = load_cassette(path).evidence
            assert evidence.kind.value == "doc-derived" and evidence.source.startswith("https://")
