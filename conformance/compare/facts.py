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

from conformance.compare.knowledge import is_placeholder, is_result_path, normalize_path, paths_of_shape
from conformance.models import EvidenceKind
from conformance.profiles.model import ENDPOINTS, PARAM_SCENARIO_NAMES
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
_DOC_RANK = 1

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

        Evidence refines and never narrows: status words and field paths are the profile's (documented)
        ones plus every observed one, so a word or field a run did not happen to see is not removed.
        A doc-derived observation (a document example) does not override what the profile says the
        gateway does, and a placeholder (``"string"``) is never a value. For the gateway-wide operation
        ``""`` without a gateway-wide observation, the most common value observed on the gateway's
        operations stands in (its source says so).
        """
        if key == "status_words":
            return self._union(operation, key, self._words)
        if key == "field_paths":
            return self._union(operation, key, self._create_paths if operation.endswith(".create") else self._paths)
        profile_fact = self._from_profile(operation, key)
        for scope in (operation, ""):
            hit = self._observed.get((scope, key))
            if hit is not None and not (hit[0] <= _DOC_RANK and profile_fact is not None):
                return hit[1]
        if not operation:
            summary = self._most_common(key, skip_documents=profile_fact is not None)
            if summary is not None:
                return summary
        return profile_fact

    def _observed_of(self, operation: str, key: str, *, skip_documents: bool = False) -> Fact | None:
        for scope in (operation, ""):
            hit = self._observed.get((scope, key))
            if hit is not None and not (skip_documents and hit[0] <= _DOC_RANK):
                return hit[1]
        return None

    def _union(self, operation: str, key: str, clean: Any) -> Fact | None:
        """The profile's values for ``key`` plus the observed ones (placeholders dropped), in that order."""
        documented = self._from_profile(operation, key)
        seen = self._observed_of(operation, key, skip_documents=documented is not None)
        if key == "field_paths":  # the paths the best-known shape implies (observed shape over profile)
            shape = self.get(operation, "response_shape")
            kind = operation.rsplit(".", 1)[-1]
            documented = None
            if shape is not None and shape.value:
                documented = Fact(paths_of_shape(str(shape.value), kind), shape.source, shape.observed)
        if seen is None and documented is None:
            return None
        values: list[Any] = list(clean(documented.value if documented else []))
        values += [v for v in clean(seen.value if seen else []) if v not in values]
        sources = [f.source for f in (documented, seen) if f is not None]
        return Fact(values, "; ".join(dict.fromkeys(sources)), seen is not None)

    @staticmethod
    def _words(value: Any) -> list[str]:
        return [str(w) for w in (value or []) if not is_placeholder(w)]

    @staticmethod
    def _paths(value: Any) -> list[str]:
        return [normalize_path(str(p)) for p in (value or [])]

    @staticmethod
    def _create_paths(value: Any) -> list[str]:
        return [p for p in GatewayFacts._paths(value) if not is_result_path(p)]

    def _most_common(self, key: str, *, skip_documents: bool = False) -> Fact | None:
        facts = [
            fact
            for (op, k), (rank, fact) in self._observed.items()
            if k == key and op and not (skip_documents and rank <= _DOC_RANK)
        ]
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
        source = profile.evidence_source or "built-in"
        if key == "auth" and profile.auth.evidence:
            source = profile.auth.evidence
        elif key.startswith("endpoint:") and key.split(":", 1)[1] in ENDPOINTS:
            source = profile.endpoint(key.split(":", 1)[1]).evidence or source
        label = f"profile {profile.id} ({profile.evidence_kind.value}: {source})"
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
            return paths_of_shape(op.response_shape, op.kind)
        if key == "create_refused":
            if op is None or not op.supported or op.kind != "create":
                return _UNKNOWN
            return _minimal_create_refusal(profile, operation)
        if key == "path_prefix":
            return profile.path_prefix
        if key == "auth":
            return profile.auth
        if key == "base_scheme":
            return profile.base_url.split("://", 1)[0] if "://" in profile.base_url else _UNKNOWN
        if key.startswith("endpoint:"):
            endpoint_id = key.split(":", 1)[1]
            return profile.endpoint(endpoint_id).supported if endpoint_id in ENDPOINTS else _UNKNOWN
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

#: The catalog check that says a gateway takes the documented minimal body of a create operation.
_MINIMAL_CHECK = "minimal_request_accepted"


def _minimal_create_refusal(profile: GatewayProfile, operation: str) -> str:
    """Why ``profile`` refuses the minimal documented body of ``operation`` (a departure says so), or ``""``."""
    for departure in profile.departures:
        if departure.check == _MINIMAL_CHECK and departure.operation in ("", operation):
            return departure.reason or departure.id
    return ""


def load_facts(
    gateway: str, reports: Iterable[tuple[str, RunReport]], profiles: Mapping[str, GatewayProfile]
) -> GatewayFacts:
    """The facts of ``gateway`` from labelled reports and the profile of the same id (if any)."""
    return GatewayFacts(gateway, list(reports), profiles.get(gateway))
