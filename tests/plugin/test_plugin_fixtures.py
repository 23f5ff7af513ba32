"""The kling fixtures: the README example, record/replay through cassettes, the budget, the normalizer."""

from __future__ import annotations

import re

import pytest
import yaml
from pytest import Pytester

FIXTURES = """
def test_gateway_and_normalizer(kling_gateway, kling_normalize):
    assert kling_gateway.id == "kling-official"
    norm = kling_normalize(b'{"code":1201,"message":"bad duration","request_id":"r"}', status_code=400)
    assert norm.is_error and norm.error_code == "1201"

def test_client_speaks_to_the_gateway(kling_client, kling_normalize):
    response = kling_client.get(kling_client.path("image2video.get", task_id="000000000000000001"))
    norm = kling_normalize(response)
    assert response.status_code == 404 and norm.is_error
"""


def test_readme_example_passes_against_the_emulator(pytester: Pytester, example_text: str) -> None:
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = false\n")
    pytester.makepyfile(test_my_integration=example_text)
    result = pytester.runpytest("-q", "--kling-gateway", "kling-official", "--kling-emulator")
    result.assert_outcomes(passed=1)


def test_readme_example_is_ten_lines_of_code(example_text: str) -> None:
    code = [ln for ln in example_text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert len(code) <= 10


def test_readme_shows_the_example_verbatim(example_text: str) -> None:
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "examples/test_my_integration.py" in text
    assert f"```python\n{example_text.strip()}\n```" in text


def test_fixtures_against_the_emulator(pytester: Pytester) -> None:
    pytester.makepyfile(test_fixtures=FIXTURES)
    result = pytester.runpytest(
        "-q",
        "-p",
        "no:randomly",
        "--kling-gateway",
        "kling-official",
        "--kling-emulator",
        "-k",
        "test_gateway or test_client",
    )
    result.assert_outcomes(passed=2)


def test_a_kling_fixture_without_a_gateway_explains_what_to_set(pytester: Pytester) -> None:
    pytester.makepyfile(test_fixtures=FIXTURES)
    result = pytester.runpytest("-q", "-k", "test_gateway")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--kling-gateway*"])


def test_record_then_replay_offline_without_the_key_on_disk(pytester: Pytester, example_text: str) -> None:
    pytester.makepyprojecttoml('[tool.kling-conformance]\ncatalog = false\ncassettes = "recorded"\n')
    pytester.makepyfile(test_my_integration=example_text)
    recorded = pytester.runpytest(
        "-q", "--kling-gateway", "kling-official", "--kling-emulator", "--kling-mode", "record"
    )
    recorded.assert_outcomes(passed=1)
    cassettes = list((pytester.path / "recorded" / "kling-official").glob("user.*.yaml"))
    assert len(cassettes) == 1
    text = cassettes[0].read_text(encoding="utf-8")
    document = yaml.safe_load(text)  # vcrpy's format (written as JSON, which is YAML)
    assert document["version"] == 1 and document["interactions"] and document["kling_conformance"]["evidence"]
    assert "kc-pytest-" not in text and not re.search(r"Bearer [A-Za-z0-9]", text)
    replayed = pytester.runpytest("-q", "--kling-gateway", "kling-official")  # replay: no emulator, no key
    replayed.assert_outcomes(passed=1)


def test_replay_without_a_cassette_fails_with_the_fix(pytester: Pytester, example_text: str) -> None:
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = false\n")
    pytester.makepyfile(test_my_integration=example_text)
    result = pytester.runpytest("-q", "--kling-gateway", "kling-official")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no cassette*--kling-mode record*"])


def test_kling_task_skips_when_the_budget_is_spent(
    pytester: Pytester, example_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLING_API_KEY", "test-key-not-real")
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = false\n")
    pytester.makepyfile(test_my_integration=example_text)
    # A non-loopback host with a zero budget: the task is never created, so nothing is sent.
    result = pytester.runpytest(
        "-q",
        "-rs",
        "--kling-gateway",
        "kling-official",
        "--kling-mode",
        "live",
        "--kling-base-url",
        "https://kling.example.invalid",
        "--kling-max-paid-tasks",
        "0",
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*budget*"])


def test_several_gateways_parametrize_kling_tests(pytester: Pytester) -> None:
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = false\n")
    pytester.makepyfile(test_gw="def test_gw(kling_gateway):\n    assert kling_gateway.id in ('yibuapi', 'apicore')\n")
    result = pytester.runpytest("--collect-only", "-q", "--kling-gateway", "yibuapi", "--kling-gateway", "apicore")
    result.stdout.fnmatch_lines(["test_gw.py::test_gw[[]yibuapi[]]", "test_gw.py::test_gw[[]apicore[]]"])
