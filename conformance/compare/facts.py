"""What each gateway does, per operation, from reports first and from profiles where no report says.

A :class:`Fact` is one value with its provenance: which report (and evidence kind) observed it, or which
profile documents it. Observation keys are the ones of :class:`~conformance.runmodel.Observation`;
when several reports observed the same thing the strongest evidence wins (live, then user-supplied,
then emulator and fuzz, then doc-derived), later reports winning ties.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance.compare.knowledge import paths_of_shape
from conformance.models import EvidenceKind
from conformance.profiles.model import PARAM_SCENARIO_NAMES
from conformance.runmodel import RunReport

if TYPE_CHECKING:
    from conformance.profiles.model import GatewayProfile

_EVIDENCE_RANK = {
    EvidenceKind.LIVE: 4,
    EvidenceKind.USER_SUPPLIED: 3,
    EvidenceKind.ENGINE: 3,
    EvidenceKind.EMULATOR: 2,
    EvidenceKind.FUZZ: 2,
    EvidenceKind.DOC_DERIVED: 1,
}

#: Situations of ``error_status:<situation>`` and the profile field holding each.
ERROR_SITUATIONS = {
    "auth": "auth_status",
    "invalid_param": "invalid_param_status",
    "unknown_task": "unknown_task_status",
    "type_mismatch": "type_mismatch_status",
}

#: Request parameters the catalog probes (``<family>.create.param.<name>`` scenarios).
PARAMS = PARAM_SCENARIO_NAMES


@dataclass(frozen=True, slots=True)
class Fact:
    """One known value and where it comes from (``source`` is shown next to every difference)."""

    value: Any
    source: str
    observed: bool  # True: a report saw it; False: a profile documents it


class GatewayFacts:
    """Facts about one gateway, looked up by (operation, key); ``""`` is the gateway-wide operation."""

    def __init__(self, gateway: str, reports: Iterable[tuple[str, RunReport]], profile: GatewayProfile | None) -> None:
        self.gateway = gateway
        self.profile = profile
        self._observed: dict[tuple[str, str], tuple[int, Fact]] = {}
        for label, report in reports:
            for obs in report.observations:
                if obs.gateway != gateway:
                    continue
                rank = _EVIDENCE_RANK.get(obs.evidence.kind, 0)
                key = (obs.operation, obs.key)
                current = self._observed.get(key)
                if current is None or rank >= current[0]:
                    fact = Fact(obs.value, f"{label}, {obs.evidence.label()}", True)
                    self._observed[key] = (rank, fact)

    @property
    def known(self) -> bool:
        """Whether any report or profile says anything about this gateway."""
        return bool(self._observed) or self.profile is not None

    def get(self, operation: str, key: str) -> Fact | None:
        """The fact for ``key`` on ``operation``: observed on it, observed gateway-wide, else from the profile.

        For the gateway-wide operation ``""`` without a gateway-wide observation, the most common value
        observed on the gateway's operations stands in (its source says so).
        """
        for scope in (operation, ""):
            hit = self._observed.get((scope, key))
            if hit is not None:
                return hit[1]
        if not operation:
            summary = self._most_common(key)
            if summary is not None:
                return summary
        return self._from_profile(operation, key)

    def _most_common(self, key: str) -> Fact | None:
        facts = [fact for (op, k), (_, fact) in self._observed.items() if k == key and op]
        if not facts:
            return None
        counts = Counter(repr(f.value) for f in facts)
        top, votes = counts.most_common(1)[0]
        chosen = next(f for f in facts if repr(f.value) == top)
        scope = f"{votes} of {len(facts)} operations" if votes < len(facts) else f"all {len(facts)} operations"
        return Fact(chosen.value, f"{chosen.source}; {scope}", True)

    def operations(self) -> list[str]:
        """Operations this gateway supports according to its best facts."""
        names = {op for op, key in self._observed if op} | set(self.profile.operations if self.profile else ())
        supported = []
        for op in names:
            fact = self.get(op, "operation_supported")
            if fact is None or fact.value is not False:
                supported.append(op)
        return sorted(supported)

    def param_names(self, operation: str) -> list[str]:
        """Parameter names with an ``accepted_param`` fact on ``operation``."""
        names = {
            k.split(":", 1)[1] for op, k in self._observed if op in (operation, "") and k.startswith("accepted_param:")
        }
        if self.profile is not None and operation.endswith(".create"):
            names.update(PARAMS)
        return sorted(names)

    def error_situations(self) -> list[str]:
        """Situations with an ``error_status`` fact."""
        names = {k.split(":", 1)[1] for _, k in self._observed if k.startswith("error_status:")}
        if self.profile is not None:
            names.update(ERROR_SITUATIONS)
        return sorted(names)

    # -- profile fallback -------------------------------------------------------------------------

    def _from_profile(self, operation: str, key: str) -> Fact | None:
        profile = self.profile
        if profile is None:
            return None
        label = f"profile {profile.id} ({profile.evidence_kind.value}: {profile.evidence_source or 'built-in'})"
        value = self._profile_value(profile, operation, key)
        return None if value is _UNKNOWN else Fact(value, label, False)

    @staticmethod
    def _profile_value(profile: GatewayProfile, operation: str, key: str) -> Any:
        op = profile.operation(operation) if operation else None
        if key == "operation_supported":
            return bool(op and op.supported) if operation else _UNKNOWN
        if key in ("response_shape", "status_words", "id_format", "field_paths"):
            if op is None or not op.supported:
                return _UNKNOWN
            if key == "response_shape":
                return op.response_shape
            if key == "status_words":
                return list(op.status_vocabulary)
            if key == "id_format":
                return op.id_format
            return paths_of_shape(op.response_shape)
        if key == "timestamp_unit":
            return profile.lifecycle.timestamp_unit
        if key == "error_shape":
            return profile.errors.shape
        if key == "callback":
            return profile.lifecycle.callback
        if key.startswith("error_status:"):
            attribute = ERROR_SITUATIONS.get(key.split(":", 1)[1])
            return getattr(profile.errors, attribute) if attribute else _UNKNOWN
        if key.startswith("accepted_param:"):
            if op is None or not op.supported or op.kind != "create":
                return _UNKNOWN
            name = key.split(":", 1)[1]
            if name == "image-data-uri":
                return "accepted" if profile.accepts_data_uri else "rejected"
            return "dropped" if name in profile.drops_fields else "accepted"
        return _UNKNOWN


_UNKNOWN: Any = object()


def load_facts(
    gateway: str, reports: Iterable[tuple[str, RunReport]], profiles: Mapping[str, GatewayProfile]
) -> GatewayFacts:
    """The facts of ``gateway`` from labelled reports and the profile of the same id (if any)."""
    return GatewayFacts(gateway, list(reports), profiles.get(gateway))
