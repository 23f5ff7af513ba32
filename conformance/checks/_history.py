"""The observed status history of one created task, across every scenario that looked at it.

A task created by ``<family>.create.minimal`` is seen by the create's own answer and polls (which stop at
the first terminal status), and later by ``<family>.get.known`` (the documented query path) and
``<family>.get.variant`` (the alternative paths). Those queries only start once the create scenario is
done, so every one of their observations comes after the whole poll sequence; among themselves they may
run concurrently, so each later scenario is its own chain after the polls. When every exchange carries
a ``meta["seq"]`` number (a harness-wide send order), the history is one chain in that order instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from conformance.checks._support import family_of, purpose
from conformance.checks.base import CheckContext, ScenarioTrace
from conformance.models import Exchange, TaskStatus

#: The scenarios (after ``<family>.``) that query the task ``<family>.create.minimal`` created.
LATER_QUERIES: tuple[str, ...] = ("get.known", "get.variant")


@dataclass(frozen=True, slots=True)
class Observation:
    """One known status of the task, where it was seen."""

    exchange: Exchange
    status: TaskStatus
    scenario: str


@dataclass(frozen=True, slots=True)
class Backwards:
    """The first observation that breaks forward-only order, and the one it broke from."""

    before: Observation
    after: Observation

    @property
    def what(self) -> str:
        """``terminal 'succeed' changed to 'processing'`` or ``status went back from … to …``."""
        if self.before.status.is_terminal:
            return f"terminal {self.before.status.value!r} changed to {self.after.status.value!r}"
        return f"status went back from {self.before.status.value!r} to {self.after.status.value!r}"


@dataclass(frozen=True, slots=True)
class History:
    """Chains of observations: ``chains[0]`` is the create and its polls; the rest come after it."""

    task_id: str
    chains: tuple[tuple[Observation, ...], ...]

    @property
    def observations(self) -> list[Observation]:
        """Every observation, chain by chain."""
        return [o for chain in self.chains for o in chain]

    def first_backwards(self) -> Backwards | None:
        """The first step that moves backwards or leaves a terminal state, or ``None``."""
        head = self.chains[0] if self.chains else ()
        found = _first_break(head)
        if found is not None:
            return found
        anchor = head[-1:] if head else ()
        for chain in self.chains[1:]:
            found = _first_break((*anchor, *chain))
            if found is not None:
                return found
        return None

    def summary(self) -> str:
        """``submitted → processing → succeed; get.known: succeed; get.variant: processing``."""
        parts: list[str] = []
        for index, chain in enumerate(self.chains):
            words = " → ".join(_dedupe([o.status.value for o in chain]))
            if not words:
                continue
            if index == 0:
                parts.append(words)
            else:
                parts.append(f"then {chain[0].scenario.split('.', 1)[-1]}: {words}")
        return "; ".join(parts)


def _first_break(chain: tuple[Observation, ...]) -> Backwards | None:
    for before, after in itertools.pairwise(chain):
        if (before.status.is_terminal and after.status is not before.status) or after.status.rank < before.status.rank:
            return Backwards(before=before, after=after)
    return None


def _dedupe(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if not out or out[-1] != word:
            out.append(word)
    return out


def _observe(ctx: CheckContext, trace: ScenarioTrace, task_id: str) -> list[Observation]:
    """Known statuses of ``task_id`` in ``trace`` (error bodies, unknown words and other ids left out)."""
    seen: list[Observation] = []
    for exchange in trace.exchanges:
        if exchange.response is None or purpose(exchange) == "result-fetch":
            continue
        norm = ctx.normalized(exchange)
        if norm.is_error or norm.status is None or norm.status is TaskStatus.UNKNOWN:
            continue
        if norm.task_id and norm.task_id != task_id:
            continue  # another task's body (or a swapped id, which task_id_stable reports)
        seen.append(Observation(exchange=exchange, status=norm.status, scenario=trace.scenario))
    return seen


def task_history(ctx: CheckContext, trace: ScenarioTrace, task_id: str) -> History:
    """The status history of ``task_id``, created by ``trace`` (a ``<family>.create.minimal`` trace)."""
    chains: list[tuple[Observation, ...]] = [tuple(_observe(ctx, trace, task_id))]
    family = family_of(trace.operation_id)
    for case in LATER_QUERIES:
        later = ctx.trace(f"{family}.{case}")
        if later is None or later.skipped_reason or later.meta.get("shared_with"):
            continue
        queried = later.meta.get("task_id")
        if queried and str(queried) != task_id:
            continue
        observed = _observe(ctx, later, task_id)
        if observed:
            chains.append(tuple(observed))
    observations = [o for chain in chains for o in chain]
    if observations and all(isinstance(o.exchange.meta.get("seq"), int) for o in observations):
        ordered = sorted(observations, key=lambda o: int(o.exchange.meta["seq"]))
        return History(task_id=task_id, chains=(tuple(ordered),))
    return History(task_id=task_id, chains=tuple(chains))
