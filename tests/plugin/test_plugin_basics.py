"""The plugin's options, its silence in unrelated sessions, config precedence and the catalog as tests."""

from __future__ import annotations

from pytest import Pytester

PLAIN = """
import pytest

@pytest.mark.parametrize("x", [1, 2])
def test_plain(x, request):
    assert "kling" not in request.node.keywords
    assert x in (1, 2)
"""


def test_options_are_registered(pytester: Pytester) -> None:
    result = pytester.runpytest("--help")
    for option in (
        "--kling-gateway",
        "--kling-mode",
        "--kling-base-url",
        "--kling-profile",
        "--kling-max-paid-tasks",
        "--kling-emulator",
    ):
        result.stdout.fnmatch_lines([f"*{option}*"])


def test_unrelated_tests_are_untouched_without_kling_settings(pytester: Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest("--collect-only", "-q")
    assert "kling" not in result.stdout.str()
    result.stdout.fnmatch_lines(["test_plain.py::test_plain[1]", "test_plain.py::test_plain[2]"])
    assert pytester.runpytest("-q").ret == 0


def test_unrelated_tests_keep_their_ids_when_the_catalog_is_collected(pytester: Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest("--collect-only", "-q", "--kling-gateway", "yibuapi")
    out = result.stdout.str()
    assert "test_plain.py::test_plain[1]" in out and "test_plain.py::test_plain[2]" in out
    assert "test_plain.py::test_plain[1-yibuapi]" not in out


def test_catalog_is_collected_with_the_agreed_ids(pytester: Pytester) -> None:
    from conformance.checks import load_builtin_checks

    checks = [spec.id for _, spec in load_builtin_checks().items()]
    result = pytester.runpytest("--collect-only", "-q", "--kling-gateway", "yibuapi")
    lines = [ln for ln in result.stdout.lines if "test_conformance[" in ln]
    assert lines == [f"kling-conformance::test_conformance[yibuapi-{check}]" for check in checks]
    assert "kling-conformance::test_conformance[yibuapi-doc_example_accepted]" in lines


def test_pyproject_settings_apply_and_flags_override_them(pytester: Pytester) -> None:
    pytester.makepyprojecttoml('[tool.kling-conformance]\ngateway = "yibuapi"\nmode = "replay"\n')
    from_file = pytester.runpytest("--collect-only", "-q")
    assert any("test_conformance[yibuapi-" in ln for ln in from_file.stdout.lines)
    overridden = pytester.runpytest("--collect-only", "-q", "--kling-gateway", "apicore")
    ids = [ln for ln in overridden.stdout.lines if "test_conformance[" in ln]
    assert ids and all("[apicore-" in ln for ln in ids)


def test_catalog_can_be_switched_off_in_pyproject(pytester: Pytester) -> None:
    pytester.makepyprojecttoml('[tool.kling-conformance]\ngateway = "yibuapi"\ncatalog = false\n')
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest("--collect-only", "-q")
    assert "test_conformance[" not in result.stdout.str()


def test_bad_settings_are_usage_errors(pytester: Pytester) -> None:
    pytester.makepyprojecttoml('[tool.kling-conformance]\nmode = "sometimes"\n')
    result = pytester.runpytest("-q")
    assert result.ret == 4  # pytest: usage error
    assert "sometimes" in result.stderr.str()
    pytester.makepyprojecttoml('[tool.kling-conformance]\ngatewey = "yibuapi"\n')
    result = pytester.runpytest("-q")
    assert result.ret == 4 and "unknown key" in result.stderr.str()


def test_unknown_gateway_is_a_usage_error(pytester: Pytester) -> None:
    result = pytester.runpytest("-q", "--kling-gateway", "yibuap")
    assert result.ret == 4
    assert "yibuapi" in result.stderr.str()  # did you mean


def test_replayed_catalog_runs_as_tests(pytester: Pytester) -> None:
    result = pytester.runpytest("-q", "--kling-gateway", "yibuapi", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 30
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0
    assert result.ret == 0


def test_other_tools_sections_in_pyproject_are_ignored(pytester: Pytester) -> None:
    pytester.makepyprojecttoml('[tool.ruff]\nline-length = 100\n[tool.kling]\ngateway = "yibuapi"\n')
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest("--collect-only", "-q")
    assert "test_conformance[" not in result.stdout.str()
    assert pytester.runpytest("-q").ret == 0
