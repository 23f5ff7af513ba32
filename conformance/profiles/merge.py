"""Layer profile data: base profile (``extends``) < gateway spec (``derived_from``) < the file's own keys.

Layers are plain dicts in the TOML form. Tables merge key by key, arrays and scalars are replaced,
``[operations]`` merge per operation id (patterns such as ``"*.list"`` are expanded first), and
``[[departures]]`` accumulate by ``id`` (a later layer's departure with the same id replaces it).
"""

from __future__ import annotations

import copy
from typing import Any

from conformance.profiles.validate import OPERATION_IDS, expand_operation_key

#: Keys never inherited: examples and the extended families' documentation describe this gateway only.
_OWN_ONLY = ("id", "extends", "derived_from", "examples", "extended_families")


def _merge_tables(lower: dict[str, Any], upper: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(lower)
    for key, value in upper.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge_tables(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def expand_operations(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Concrete per-operation tables from ``[operations]``: patterns first (file order), then exact ids."""
    expanded: dict[str, dict[str, Any]] = {}
    patterns = [(key, value) for key, value in raw.items() if key not in OPERATION_IDS]
    exact = [(key, value) for key, value in raw.items() if key in OPERATION_IDS]
    for key, value in [*patterns, *exact]:
        for op_id in expand_operation_key(key):
            expanded[op_id] = _merge_tables(expanded.get(op_id, {}), value)
    # keep canonical order so listings are stable
    return {op: expanded[op] for op in OPERATION_IDS if op in expanded}


def _merge_operations(lower: dict[str, Any], upper: dict[str, Any]) -> dict[str, Any]:
    merged = {op: copy.deepcopy(fields) for op, fields in lower.items()}
    for op_id, fields in upper.items():
        merged[op_id] = _merge_tables(merged.get(op_id, {}), fields)
    return {op: merged[op] for op in OPERATION_IDS if op in merged}


def _merge_departures(lower: list[dict[str, Any]], upper: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {str(d["id"]): copy.deepcopy(d) for d in lower}
    for departure in upper:
        by_id[str(departure["id"])] = copy.deepcopy(departure)
    return list(by_id.values())


def _forget_documentation(operations: dict[str, Any], base_id: str) -> dict[str, Any]:
    """Inherited operations are not documented by *this* gateway until its own document says so."""
    out: dict[str, Any] = {}
    for op_id, fields in operations.items():
        fields = dict(fields)
        fields["documented"] = False
        fields.pop("documented_shape", None)
        fields["evidence"] = f"undocumented here; behaviour assumed from {base_id}" if base_id else ""
        out[op_id] = fields
    return out


def merge_layers(base: dict[str, Any], derived: dict[str, Any] | None, own: dict[str, Any]) -> dict[str, Any]:
    """Merge the three layers of one profile; see the module docstring for the rules."""
    own = dict(own)
    own["operations"] = expand_operations(own.get("operations", {}))
    # Precedence, lowest first: the base profile named by `extends`, then the gateway document named by
    # `derived_from` (base URL, documented operations and shapes, departures, doc-derived evidence),
    # then this file's own keys. A document, when given, decides which operations are documented.
    layers: list[dict[str, Any]] = [{k: v for k, v in base.items() if k not in _OWN_ONLY}]
    if derived is not None:
        layers[0]["operations"] = _forget_documentation(layers[0].get("operations", {}), str(base.get("id", "")))
        layers.append(derived)
    layers.append(own)
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "operations":
                merged[key] = _merge_operations(merged.get(key, {}), value)
            elif key == "departures":
                merged[key] = _merge_departures(merged.get(key, []), value)
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merge_tables(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
    return merged
