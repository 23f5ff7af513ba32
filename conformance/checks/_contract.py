"""Late-bound access to the contract layer (canonical validators, the error-code table, gateway specs).

Checks read the contract through these functions so that (a) the import happens when a check runs,
not when the catalog is listed, and (b) a missing or broken contract layer becomes an ``error``
verdict naming the cause instead of an exception in the middle of a run.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ContractUnavailable(Exception):
    """The contract layer could not answer (module missing, function missing, or it raised)."""


def _function(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ContractUnavailable(f"{module}.{name} is not available ({exc})") from exc


def validate_response(operation_id: str, status_code: int, body: Any) -> list[Any]:
    """Canonical schema issues of ``body`` (objects with ``.json_path`` and ``.message``)."""
    function = _function("conformance.spec", "validate_response")
    try:
        return list(function(operation_id, status_code, body))
    except Exception as exc:  # a contract-layer failure must not abort the check run
        raise ContractUnavailable(
            f"canonical validator failed for {operation_id} HTTP {status_code}: {exc.__class__.__name__}: {exc}"
        ) from exc


def validate_task_object(body: Any) -> list[Any]:
    """Canonical schema issues of a bare task object (callback body)."""
    function = _function("conformance.spec", "validate_task_object")
    try:
        return list(function(body))
    except Exception as exc:
        raise ContractUnavailable(f"task-object validator failed: {exc.__class__.__name__}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One row of the Kling error-code table."""

    http_status: int
    definition: str


def error_codes() -> dict[str, CodeEntry]:
    """The Kling error-code table keyed by code (as a string)."""
    function = _function("conformance.spec", "error_codes")
    try:
        table = function()
    except Exception as exc:
        raise ContractUnavailable(f"error-code table failed to load: {exc.__class__.__name__}: {exc}") from exc
    result: dict[str, CodeEntry] = {}
    for code, entry in dict(table).items():
        status = entry.get("http_status") if isinstance(entry, Mapping) else getattr(entry, "http_status", None)
        definition = entry.get("definition", "") if isinstance(entry, Mapping) else getattr(entry, "definition", "")
        if isinstance(status, int):
            result[str(code)] = CodeEntry(status, str(definition or ""))
    return result


def gateway_spec(gateway_id: str) -> Any | None:
    """The gateway's derived document spec (``specs/gateways/<id>.yaml``), or ``None`` when it has none.

    Raises :class:`ContractUnavailable` when the docs layer is missing or the gateway's file is broken.
    """
    known = _function("conformance.docs", "gateway_spec_ids")
    load = _function("conformance.docs", "load_gateway_spec")
    try:
        if gateway_id not in known():
            return None
        return load(gateway_id)
    except Exception as exc:
        raise ContractUnavailable(f"gateway spec for {gateway_id!r} failed to load: {exc}") from exc
