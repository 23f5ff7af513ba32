"""The README's set-up promise, the CI script and the dependency bounds agree with each other.

The README opens with exactly two commands for a fresh machine; `.ci/run` runs the second one verbatim
and then proves the lower bounds with a lowest-direct install. Runtime dependencies are what
`conformance/` imports; everything else is an extra.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Import name -> distribution name, where they differ.
_DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "jsonschema_rs": "jsonschema-rs",
    "jsonpath_rfc9535": "jsonpath-rfc9535",
    "openapi_spec_validator": "openapi-spec-validator",
    "av": "av",
}

#: Imported only by the pytest plugin, which pytest itself loads: pytest is present whenever it runs.
_PROVIDED_BY_HOST = {"pytest", "_pytest"}

#: Declared without being imported, with the reason (kept short and explicit).
_DECLARED_WITHOUT_IMPORT = {"sniffio"}  # httpcore looks it up on every async primitive; slow without


def _opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block is not None, "README.md has no opening code block"
    assert text.index(block.group(0)) < text.index("\n## "), "the set-up commands must open the README"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower()


def _project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imported_distributions() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "conformance").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "conformance" or top in _PROVIDED_BY_HOST:
                    continue
                found.add(_DISTRIBUTION_OF.get(top, top.replace("_", "-")).lower())
    return found


def test_readme_opens_with_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    commands = _opening_commands()
    assert len(commands) == 2, commands
    assert "kling-conformance run" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), "the CI script must run the README's test command verbatim"


def test_ci_proves_the_lower_bounds_with_a_lowest_direct_install() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--resolution lowest-direct" in ci
    assert re.search(r'lowest/bin/python" -m pytest', ci), "the lowest-version environment must run the tests"


def test_runtime_dependencies_are_what_the_package_imports() -> None:
    project = _project()
    declared = [str(r) for r in project["dependencies"]]  # type: ignore[union-attr]
    names = [_requirement_name(r) for r in declared]
    assert len(names) == len(set(names)), f"a dependency is declared twice: {sorted(names)}"
    imported = _imported_distributions()
    assert imported - set(names) == set(), "imported by conformance/ but not declared"
    assert set(names) - imported - _DECLARED_WITHOUT_IMPORT == set(), "declared but not imported (make it an extra)"
    for requirement in declared:
        assert ">=" in requirement, f"{requirement}: every runtime dependency needs a lower bound"
