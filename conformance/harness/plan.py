"""Run planning: which scenarios run, which are skipped, what they cost, which shard owns them.

The plan is computed before any call is made and is the same for ``run`` and ``plan``:

* **Budget.** Paid scenarios (task-creating calls) are admitted in priority tiers (every gateway's
  minimal creates first, then documented examples, then the callback task, then the other optional
  parameters), family by family and round-robin across gateways, until ``max_paid_tasks`` is spent.
  The rest are skipped with reason ``budget``. Free scenarios always run.
* **Dependencies.** A query of a created task inherits the skip reason of the create it depends on.
* **Shards.** ``--shard i/n`` keeps the scenarios whose (gateway, family) hash falls in shard ``i``;
  a family's scenarios (create, its queries, its list) stay together so per-operation checks see all
  of their evidence in one shard. The budget is applied to the whole run *before* sharding, so the
  shards of one run never spend more than ``max_paid_tasks`` together.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from conformance.errors import UsageError
from conformance.harness.budget import could_create
from conformance.harness.scenarios import BUDGET, Scenario

OTHER_SHARD = "other shard"


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``i/n`` (1 <= i <= n); bad input raises :class:`UsageError` naming ``--shard``."""
        left, sep, right = text.partition("/")
        if not sep or not left.strip().isdigit() or not right.strip().isdigit():
            raise UsageError(f"{text!r} is not of the form i/n", where="--shard", fix="use e.g. --shard 1/4")
        index, count = int(left), int(right)
        if count < 1 or not 1 <= index <= count:
            raise UsageError(
                f"shard {index}/{count} is out of range",
                where="--shard",
                fix=f"the shard index must be between 1 and the shard count (1..{max(count, 1)})",
            )
        return cls(index, count)

    def owns(self, gateway: str, scenario: Scenario) -> bool:
        """Whether this shard runs ``scenario`` (stable across machines and Python versions)."""
        unit = f"{gateway}/{scenario.family}"
        return zlib.crc32(unit.encode()) % self.count == self.index - 1


@dataclass(slots=True)
class PlannedScenario:
    """A scenario plus the plan's decision about it."""

    scenario: Scenario
    skipped_reason: str = ""

    @property
    def runs(self) -> bool:
        """Whether the scenario makes calls in this run."""
        return not self.skipped_reason

    @property
    def spends(self) -> bool:
        """Whether it creates a paid task in this run."""
        return self.runs and self.scenario.paid


@dataclass(slots=True)
class RunPlan:
    """The plan of a whole run: per gateway, every catalog scenario with its decision."""

    gateways: dict[str, list[PlannedScenario]] = field(default_factory=dict)
    max_paid_tasks: int | None = None
    shard: Shard | None = None

    @property
    def paid_planned(self) -> int:
        """Paid tasks this plan (this shard) will create."""
        return sum(p.spends for items in self.gateways.values() for p in items)

    @property
    def worst_case_tasks(self) -> int:
        """The most tasks this plan can create: its paid creates plus every probe a lax gateway might accept,
        never more than ``max_paid_tasks`` (the run's guard refuses the rest; 0 with a budget of 0)."""
        items = [p for group in self.gateways.values() for p in group]
        worst = sum(p.runs and (p.scenario.paid or is_probe(p.scenario)) for p in items)
        return worst if self.max_paid_tasks is None else min(worst, self.max_paid_tasks)

    def entry(self, gateway: str, scenario_id: str) -> PlannedScenario | None:
        """The planned scenario, if any."""
        return next((p for p in self.gateways.get(gateway, []) if p.scenario.id == scenario_id), None)


def make_plan(
    catalogs: dict[str, Sequence[Scenario]],
    *,
    max_paid_tasks: int | None,
    shard: Shard | None = None,
) -> RunPlan:
    """Apply catalog skips, the budget, dependencies and the shard to every gateway's catalog."""
    plan = RunPlan(max_paid_tasks=max_paid_tasks, shard=shard)
    for gateway, scenarios in catalogs.items():
        plan.gateways[gateway] = [PlannedScenario(s, s.skipped_reason) for s in scenarios]
    _apply_budget(plan)
    for items in plan.gateways.values():
        _apply_dependencies(items)
    if shard is not None:
        for gateway, items in plan.gateways.items():
            for item in items:
                if not shard.owns(gateway, item.scenario):
                    # Whatever the owner decides (budget, not supported, ...) is the owner's to report.
                    item.skipped_reason = OTHER_SHARD
    return plan


def is_probe(scenario: Scenario) -> bool:
    """A free scenario whose request could still create a task (an invalid create, meant to be rejected)."""
    return not scenario.paid and any(
        could_create(r.method, r.operation_id or scenario.operation_id) for r in scenario.requests
    )


def _apply_budget(plan: RunPlan) -> None:
    if plan.max_paid_tasks is None:
        return
    if plan.max_paid_tasks == 0:  # a budget of 0 absorbs no task: not even a probe that a gateway might accept
        for items in plan.gateways.values():
            for item in items:
                if item.runs and is_probe(item.scenario):
                    item.skipped_reason = BUDGET
    # Round-robin: tier by tier, the k-th most telling paid scenario of every gateway before the (k+1)-th.
    ranked: list[tuple[int, int, int, PlannedScenario]] = []
    for gw_index, items in enumerate(plan.gateways.values()):
        paid = sorted((i for i in items if i.runs and i.scenario.paid), key=lambda i: i.scenario.priority)
        rank_in_tier: dict[int, int] = {}
        for item in paid:
            tier = item.scenario.priority[0]
            rank = rank_in_tier.get(tier, 0)
            rank_in_tier[tier] = rank + 1
            ranked.append((tier, rank, gw_index, item))
    ranked.sort(key=lambda entry: entry[:3])
    for position, (_, _, _, item) in enumerate(ranked):
        if position >= plan.max_paid_tasks:
            item.skipped_reason = BUDGET


def _apply_dependencies(items: list[PlannedScenario]) -> None:
    by_id = {p.scenario.id: p for p in items}
    for item in items:
        producer_id = item.scenario.shares_task_with or item.scenario.depends_on
        producer = by_id.get(producer_id) if producer_id else None
        if producer is not None and not item.skipped_reason and producer.skipped_reason:
            item.skipped_reason = producer.skipped_reason
