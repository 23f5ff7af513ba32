"""The check catalog: pure functions over captured exchanges, registered in :data:`CHECKS`.

``load_builtin_checks()`` imports the built-in check modules (idempotently) and returns the registry.
"""

from __future__ import annotations

import importlib

from conformance.checks.base import CHECKS, Area, CheckContext, CheckSpec, ScenarioTrace, Verdict, check
from conformance.registry import Registry

#: Built-in check modules, one per area, in report order.
BUILTIN_MODULES: tuple[str, ...] = (
    "conformance.checks.acceptance",
    "conformance.checks.media",
    "conformance.checks.invalid",
    "conformance.checks.shape",
    "conformance.checks.wellformed",
    "conformance.checks.lifecycle",
    "conformance.checks.queries",
    "conformance.checks.errors_auth",
    "conformance.checks.callbacks",
)

__all__ = [
    "BUILTIN_MODULES",
    "CHECKS",
    "Area",
    "CheckContext",
    "CheckSpec",
    "ScenarioTrace",
    "Verdict",
    "check",
    "load_builtin_checks",
]


def load_builtin_checks() -> Registry[CheckSpec]:
    """Import every built-in check module (a no-op after the first call) and return :data:`CHECKS`."""
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    return CHECKS
