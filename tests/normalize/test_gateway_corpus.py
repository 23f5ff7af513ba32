"""Issue 13 acceptance: documented bodies of 10 gateways outside the built-ins, read exactly with a profile
written from their documentation, and without a profile read exactly or honestly left out (never wrong)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.normalize import normalize
from conformance.profiles import load_profile_file

CORPUS = Path(__file__).parent / "corpus"
DATA = json.loads((CORPUS / "gateways.json").read_text(encoding="utf-8"))
CASES = [(gateway, body) for gateway in DATA["gateways"] for body in gateway["bodies"]]
_ABSENT = (None, [], "unknown")


def _reading(body: dict[str, Any], profile: Any = None) -> dict[str, Any]:
    raw = json.dumps(body["body"], ensure_ascii=False).encode("utf-8")
    result = normalize(raw, status_code=body["status_code"], profile=profile, operation=body["operation"])
    return result.to_dict()


def test_the_corpus_covers_at_least_eight_gateways_with_sources() -> None:
    assert len(DATA["gateways"]) >= 8
    for gateway in DATA["gateways"]:
        assert gateway["source"].startswith("https://"), gateway["gateway"]
        assert (CORPUS / "profiles" / f"{gateway['gateway']}.toml").is_file()


@pytest.mark.parametrize(("gateway", "body"), CASES, ids=[body["id"] for _, body in CASES])
def test_read_exactly_with_the_profile(gateway: dict[str, Any], body: dict[str, Any]) -> None:
    profile = load_profile_file(CORPUS / "profiles" / f"{gateway['gateway']}.toml")
    reading = _reading(body, profile)
    assert {key: reading[key] for key in body["expected"]} == body["expected"], reading["notes"]


@pytest.mark.parametrize(("gateway", "body"), CASES, ids=[body["id"] for _, body in CASES])
def test_zero_config_is_exact_or_honestly_absent(gateway: dict[str, Any], body: dict[str, Any]) -> None:
    profile = load_profile_file(CORPUS / "profiles" / f"{gateway['gateway']}.toml")
    exact = _reading(body, profile)
    guess = _reading(body)
    assert {key: guess[key] for key in body["zero_config"]} == body["zero_config"], guess["notes"]
    for key in ("status", "task_id", "video_urls", "image_urls", "failure_reason", "created_at", "updated_at"):
        assert guess[key] in _ABSENT or guess[key] == exact[key], (key, guess[key], exact[key])
    assert guess["is_error"] == exact["is_error"]  # a body whose code says success is never an error
