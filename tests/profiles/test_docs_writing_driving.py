"""Every TOML example of the Writing and Driving sections of docs/profiles.md loads as a profile."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conformance.profiles import profile_from_data
from conformance.profiles.writing import map_request

DOC = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"


def _examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("<!-- writing-driving:start -->", 1)[1].split("<!-- writing-driving:end -->", 1)[0]
    return re.findall(r"```toml\n(.*?)```", section, flags=re.S)


def test_the_sections_have_examples() -> None:
    assert len(_examples()) >= 3


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e.split('"')[1])
def test_example_loads_and_maps(example: str) -> None:
    profile = profile_from_data(tomllib.loads(example), source=f"docs/profiles.md ({example.split(chr(34))[1]})")
    create = profile.operation("text2video.create")
    assert create is not None and create.supported
    body = map_request(create.request, {"model_name": "kling-v1-6", "prompt": "p", "duration": "5"})
    assert "model_name" not in body  # every example writes the gateway's own dialect
