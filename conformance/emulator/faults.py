"""The fault plan: which faults to inject, on which requests, parsed from ``--faults SPEC``.

Grammar (items separated by commas, whitespace ignored)::

    ITEM    := KIND ["@" GATEWAY] ["=" TRIGGER] [":" ARG]
    TRIGGER := P        probability in [0, 1] per request (default 1: every request)
             | "#" N    only the N-th request (1-based) the item applies to
             | "%" N    every N-th request
    ARG     := kind-specific: a duration ("50ms", "0.2s", "2"), a size ("50MB"), a number or "none"

Examples: ``latency=0.2:50ms,html502=0.1,truncated=0.05``, ``reset@newapi=#3``,
``rate-limit=%10:none``. Kinds live in :data:`conformance.emulator.fault_kinds.FAULT_KINDS`; a request
can also ask for one with the header ``X-Emulator-Fault: KIND[:ARG]``. Probabilistic triggers draw
from a generator seeded by the emulator seed, so the same seed and the same request sequence give the
same faults.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from conformance.errors import UsageError, did_you_mean

_ITEM = re.compile(
    r"^(?P<kind>[a-z0-9][a-z0-9-]*)(?:@(?P<gateway>[a-z0-9][a-z0-9-]*))?"
    r"(?:=(?P<trigger>[^:]+))?(?::(?P<arg>.+))?$"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultRule:
    """One item of a fault plan."""

    kind: str
    gateway: str | None = None
    probability: float = 1.0
    nth: int | None = None
    every: int | None = None
    arg: str = ""

    def render(self) -> str:
        """The item in ``--faults`` syntax."""
        text = self.kind + (f"@{self.gateway}" if self.gateway else "")
        if self.nth is not None:
            text += f"=#{self.nth}"
        elif self.every is not None:
            text += f"=%{self.every}"
        elif self.probability != 1.0:
            text += f"={self.probability:g}"
        return text + (f":{self.arg}" if self.arg else "")


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """An ordered set of :class:`FaultRule`; empty means no faults (the fast path)."""

    rules: tuple[FaultRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def render(self) -> str:
        """The whole plan in ``--faults`` syntax."""
        return ",".join(rule.render() for rule in self.rules)

    @classmethod
    def parse(cls, spec: str, *, where: str = "--faults") -> FaultPlan:
        """Parse ``spec``; a bad item raises :class:`UsageError` naming the token and the valid kinds."""
        from conformance.emulator.fault_kinds import FAULT_KINDS

        rules: list[FaultRule] = []
        valid = ", ".join(FAULT_KINDS.names())
        for raw in spec.split(","):
            token = raw.strip()
            if not token:
                continue
            match = _ITEM.match(token)
            if match is None:
                raise UsageError(
                    f"cannot parse fault item {token!r}",
                    where=where,
                    fix=f"write KIND[@GATEWAY][=P|=#N|=%N][:ARG], e.g. latency=0.2:50ms,html502=0.1; kinds: {valid}",
                )
            kind = match["kind"]
            if kind not in FAULT_KINDS:
                raise UsageError(
                    f"unknown fault kind {kind!r} in {token!r}.{did_you_mean(kind, FAULT_KINDS.names())}",
                    where=where,
                    fix=f"use one of: {valid}",
                )
            rule = FaultRule(
                kind=kind, gateway=match["gateway"], arg=match["arg"] or "", **_trigger(token, match["trigger"], where)
            )
            try:
                FAULT_KINDS.get(kind).parse_arg(rule.arg)
            except ValueError as exc:
                raise UsageError(
                    f"bad argument {rule.arg!r} for fault {kind!r} in {token!r}: {exc}",
                    where=where,
                    fix=f"{kind} takes {FAULT_KINDS.get(kind).arg_help}",
                ) from None
            rules.append(rule)
        return cls(tuple(rules))


def _trigger(token: str, trigger: str | None, where: str) -> dict[str, Any]:
    if trigger is None:
        return {}
    fix = "use a probability in [0, 1] (=0.1), the N-th request (=#3) or every N-th request (=%5)"
    try:
        if trigger.startswith("#"):
            nth = int(trigger[1:])
            if nth < 1:
                raise ValueError
            return {"nth": nth}
        if trigger.startswith("%"):
            every = int(trigger[1:])
            if every < 1:
                raise ValueError
            return {"every": every}
        probability = float(trigger)
    except ValueError:
        raise UsageError(f"bad trigger {trigger!r} in {token!r}", where=where, fix=fix) from None
    if not 0.0 <= probability <= 1.0:
        raise UsageError(f"probability {trigger!r} in {token!r} is outside [0, 1]", where=where, fix=fix)
    return {"probability": probability}


class FaultSelector:
    """Decides, request by request, which rules of a plan fire. Deterministic for a given seed."""

    def __init__(self, plan: FaultPlan, seed: int) -> None:
        self._rules = plan.rules
        self._counts = [0] * len(plan.rules)
        self._rng = random.Random(f"faults:{seed}")

    def select(self, gateway: str) -> list[FaultRule]:
        """Rules firing for the next request to ``gateway``, in plan order."""
        fired: list[FaultRule] = []
        for index, rule in enumerate(self._rules):
            if rule.gateway is not None and rule.gateway != gateway:
                continue
            self._counts[index] += 1
            count = self._counts[index]
            if rule.nth is not None:
                hit = count == rule.nth
            elif rule.every is not None:
                hit = count % rule.every == 0
            elif rule.probability >= 1.0:
                hit = True
            else:
                hit = self._rng.random() < rule.probability
            if hit:
                fired.append(rule)
        return fired
