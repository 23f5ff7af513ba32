"""ARCHITECTURE.md's import rules hold: no module imports from a layer below its own.

Walks every module of the package with ``ast`` (module-level and function-level imports alike), so a
lazy import cannot hide a layering violation.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "conformance"

#: Layer number of every top-level module or subpackage (lower = more basic).
LAYERS: dict[str, int] = {
    "models": 1,
    "runmodel": 1,
    "errors": 1,
    "registry": 1,
    "bounds": 1,
    "inputs": 1,
    "scrub": 1,
    "paths": 1,
    "jsonpath": 1,
    "spec": 2,
    "docs": 2,
    "profiles": 3,
    "normalize": 3,
    "emulator": 4,
    "checks": 4,
    "reports": 5,
    "compare": 5,
    "harness": 6,
    "fuzz": 6,
    "cli": 7,
    "pytest_plugin": 7,
    "pytest_kling": 7,
    "__main__": 7,
    "__init__": 7,
}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_units(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "conformance":
                names = [f"conformance.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "conformance" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_unit_has_a_layer() -> None:
    units = {_unit(path) for path in _modules()}
    assert units <= set(LAYERS), f"add these to LAYERS and ARCHITECTURE.md: {sorted(units - set(LAYERS))}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_layer_or_above(path: Path) -> None:
    unit = _unit(path)
    own = LAYERS[unit]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = _imported_units(tree) - {unit, "__version__"}
    # `from conformance import normalize, load_profile` names public functions of the package root.
    imported -= {"load_profile"}
    below = {name: LAYERS.get(name, 0) for name in imported if LAYERS.get(name, 0) > own}
    assert not below, f"{path.relative_to(PACKAGE)} (layer {own}) imports from lower layers: {below}"


def test_plain_data_imports_nothing_but_plain_data() -> None:
    for path in _modules():
        if LAYERS[_unit(path)] == 1:
            imported = _imported_units(ast.parse(path.read_text(encoding="utf-8")))
            assert all(LAYERS.get(name) == 1 for name in imported), (path, imported)
