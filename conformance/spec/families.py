"""The family table of the canonical spec (``x-kling-families``) and the rules ``spec check`` applies to it.

Every family the contract knows has one row: the 8 ``core`` task families the catalog probes and the
``extended`` ones of the official reference (issue 17). A row says how the family is called (``kind``):

- ``task``: ``<family>.create`` then ``.get``/``.list`` polling, like the core families;
- ``sync``: one call answers (``<family>.call``), nothing to poll;
- ``flow``: synchronous ``steps`` (e.g. multi-elements' selection calls) and then a task;
- ``unknown``: the official page could not be read, so no operation is modelled.

It also says what a finished task returns (``result``: video, image, audio, data or unknown), where the
family's sources are (``sources``, ids of ``x-kling-sources`` or reference/kling-contract.md), how sure the
spec is (``confidence``: OFF, GEN, GW, UNC) and what could not be read (``unread``, never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from conformance.errors import SpecError
from conformance.paths import canonical_spec_path
from conformance.spec.loading import load_canonical

TIERS = ("core", "extended")
FAMILY_KINDS = ("task", "sync", "flow", "unknown")
RESULTS = ("video", "image", "audio", "data", "unknown")
CONFIDENCES = ("OFF", "GEN", "GW", "UNC")
TASK_KINDS = ("create", "get", "list")


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """One row of ``x-kling-families``."""

    name: str
    tier: str
    kind: str
    result: str
    path: str | None
    models: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    confidence: str = "UNC"
    operations: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()
    opens_session: bool = False

    @property
    def is_task(self) -> bool:
        """The family ends in a task that is polled (``task`` and ``flow``)."""
        return self.kind in ("task", "flow")

    @property
    def modelled(self) -> bool:
        """The spec models at least one call of the family (``unknown`` families have none)."""
        return bool(self.operations or self.steps or self.endpoints)

    @property
    def all_operations(self) -> tuple[str, ...]:
        """Steps first, then the family's own operations (both operationIds of ``paths``)."""
        return (*self.steps, *self.operations)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def parse_family(name: str, row: Any) -> FamilyInfo:
    """A :class:`FamilyInfo` from one table row; a row that is not a mapping raises ``SpecError``."""
    if not isinstance(row, dict):
        raise SpecError(
            "each family row must be a mapping", where=str(canonical_spec_path()), field=f"x-kling-families.{name}"
        )
    path = row.get("path")
    return FamilyInfo(
        name=str(name),
        tier=str(row.get("tier", "")),
        kind=str(row.get("kind", "")),
        result=str(row.get("result", "")),
        path=str(path) if path else None,
        models=_strings(row.get("models")),
        sources=_strings(row.get("sources")),
        confidence=str(row.get("confidence", "")),
        operations=_strings(row.get("operations")),
        steps=_strings(row.get("steps")),
        needs=_strings(row.get("needs")),
        endpoints=_strings(row.get("endpoints")),
        unread=_strings(row.get("unread")),
        opens_session=bool(row.get("opens_session", False)),
    )


def families_of(document: dict[str, Any]) -> dict[str, FamilyInfo]:
    """Every family row of ``document`` (``{}`` when it has no table)."""
    table = document.get("x-kling-families")
    if not isinstance(table, dict):
        return {}
    return {str(name): parse_family(str(name), row) for name, row in table.items()}


@lru_cache(maxsize=1)
def _canonical_families() -> dict[str, FamilyInfo]:
    return families_of(load_canonical())


def families() -> dict[str, FamilyInfo]:
    """Every family of the canonical spec, core first, in table order."""
    return dict(_canonical_families())


def family(name: str) -> FamilyInfo:
    """The family ``name``; an unknown name raises ``SpecError``."""
    try:
        return _canonical_families()[name]
    except KeyError:
        raise SpecError(
            f"unknown family {name!r}", where=str(canonical_spec_path()), field="x-kling-families"
        ) from None


def core_families() -> tuple[str, ...]:
    """The 8 task families the catalog probes."""
    return tuple(name for name, info in _canonical_families().items() if info.tier == "core")


def extended_families() -> tuple[str, ...]:
    """The families beyond the core ones (issue 17), modelled or not."""
    return tuple(name for name, info in _canonical_families().items() if info.tier == "extended")


def modelled_extended_families() -> tuple[str, ...]:
    """The extended families the spec models at least one call of (``unknown`` ones are left out)."""
    return tuple(name for name in extended_families() if _canonical_families()[name].modelled)


def family_of_operation(op_id: str) -> FamilyInfo | None:
    """The family declaring ``op_id`` as an operation or a step (``None`` when none does)."""
    for info in _canonical_families().values():
        if op_id in info.all_operations:
            return info
    return None


def family_problems(document: dict[str, Any], operation_ids: list[str], endpoint_ids: list[str]) -> list[str]:
    """Why the family table of ``document`` disagrees with its operations (``[]`` when it agrees).

    Rules: every row has a known tier, kind, result and confidence; a ``task``/``flow`` family declares
    ``create``/``get``/``list``; a ``sync`` family declares at least one call and no ``create``; declared
    operations, steps, needs and endpoints exist; every operation of ``paths`` belongs to exactly one family.
    """
    problems: list[str] = []
    table = document.get("x-kling-families")
    if not isinstance(table, dict) or not table:
        return ["missing x-kling-families (the family table)"]
    found = set(operation_ids)
    claimed: dict[str, str] = {}
    for name, row in table.items():
        if not isinstance(row, dict):
            problems.append(f"family {name}: the row must be a mapping")
            continue
        info = parse_family(str(name), row)
        for key, allowed in (
            ("tier", TIERS),
            ("kind", FAMILY_KINDS),
            ("result", RESULTS),
            ("confidence", CONFIDENCES),
        ):
            if getattr(info, key) not in allowed:
                problems.append(f"family {name}: {key} must be one of {', '.join(allowed)}")
        if not info.sources:
            problems.append(f"family {name}: needs sources")
        if info.kind in ("task", "flow"):
            missing = [kind for kind in TASK_KINDS if f"{name}.{kind}" not in info.operations]
            if missing:
                problems.append(
                    f"family {name}: a {info.kind} family needs {', '.join(f'{name}.{k}' for k in missing)}"
                )
        if info.kind == "sync" and (f"{name}.create" in info.operations or not (info.operations or info.endpoints)):
            problems.append(f"family {name}: a sync family has one call (<family>.call or an endpoint), no create")
        if info.kind == "flow" and not info.steps:
            problems.append(f"family {name}: a flow family needs steps")
        if info.kind == "unknown" and (info.operations or not info.unread):
            problems.append(f"family {name}: an unknown family has no operations and says what was not read")
        for op_id in (*info.all_operations, *info.needs):
            if op_id not in found:
                problems.append(f"family {name}: {op_id} is not an operation of paths")
        for endpoint in info.endpoints:
            if endpoint not in endpoint_ids:
                problems.append(f"family {name}: endpoint {endpoint} is not in x-kling-endpoints")
        for op_id in info.all_operations:
            if op_id in claimed:
                problems.append(f"{op_id} is declared by both {claimed[op_id]} and {name}")
            claimed[op_id] = str(name)
    for op_id in sorted(found - set(claimed)):
        problems.append(f"{op_id} is in paths but no family of x-kling-families declares it")
    for endpoint in endpoint_ids:
        if not any(endpoint in parse_family(str(n), r).endpoints for n, r in table.items() if isinstance(r, dict)):
            problems.append(f"endpoint {endpoint} of x-kling-endpoints belongs to no family")
    return problems
