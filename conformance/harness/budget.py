"""The one money guard: no run creates more tasks than ``--max-paid-tasks``, counting every request that could.

Every request that could create a task (:func:`could_create`: a non-GET call of a create operation,
whether it is a paid create, a documented example, or an invalid probe meant to be rejected) takes a
slot from a :class:`TaskBudget` *before* it is sent, and is sent only when the budget could absorb it
if the gateway accepted it. After the answer the slot is settled by :func:`settle_outcome`:

* ``created``: a task id came back; the slot stays spent (an invalid probe that created one is a finding);
* ``none``: the answer proves no task exists (nothing was sent, or a 4xx rejection other than 408/429
  without a task id, or a 2xx error body without one); the slot is given back;
* ``unknown``: anything else (5xx, 408, 429, a timeout or a dropped connection after sending, a 2xx
  without a task id); the gateway may have acted, so the slot stays spent, and the create is never retried.

The count is therefore an upper bound on the tasks the gateway created, and the report's
``paid_tasks_used`` is exactly that count. :class:`TaskBudget` is used by ``run``, ``fuzz`` and the pytest
plugin alike; across pytest-xdist workers its :class:`SlotStore` is a locked file.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field
from typing import Protocol

#: Largest accepted ``--max-paid-tasks`` (anything above is a typo, not a budget).
MAX_BUDGET = 1_000_000

#: Statuses that do not prove the gateway did nothing (it may have created the task, then answered).
_AMBIGUOUS_4XX = frozenset({408, 425, 429})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Settled(enum.StrEnum):
    """What the answer to a create-type request says about the task it may have created."""

    CREATED = "created"
    NONE = "none"
    UNKNOWN = "unknown"


def could_create(method: str, operation_id: str) -> bool:
    """Whether a request may create a (paid) task: anything but GET/HEAD/OPTIONS on a create operation."""
    return method.upper() not in _SAFE_METHODS and operation_id.endswith(".create")


def settle_outcome(status: int | None, *, sent: bool, task_id: str | None, is_error: bool) -> Settled:
    """Classify an answer (``status`` ``None`` = no response; ``sent`` = request bytes may have left)."""
    if task_id:
        return Settled.CREATED
    if status is None:
        return Settled.UNKNOWN if sent else Settled.NONE
    if 400 <= status < 500 and status not in _AMBIGUOUS_4XX:
        return Settled.NONE
    if 200 <= status < 300 and is_error:
        return Settled.NONE
    return Settled.UNKNOWN


class SlotStore(Protocol):
    """Where spent slots are counted (in memory for one process; a locked file across xdist workers)."""

    def take(self, cap: int | None) -> bool:
        """Atomically count one more slot if fewer than ``cap`` are counted (``None`` = no cap)."""
        ...

    def give_back(self) -> None:
        """Uncount one slot taken by :meth:`take`."""
        ...

    def used(self) -> int:
        """Slots counted now."""
        ...


@dataclass(slots=True)
class MemoryStore:
    """A :class:`SlotStore` for one process."""

    count: int = 0

    def take(self, cap: int | None) -> bool:
        """See :class:`SlotStore`."""
        if cap is not None and self.count >= cap:
            return False
        self.count += 1
        return True

    def give_back(self) -> None:
        """See :class:`SlotStore`."""
        self.count = max(0, self.count - 1)

    def used(self) -> int:
        """See :class:`SlotStore`."""
        return self.count


@dataclass(slots=True)
class Slot:
    """One reserved slot; settle it exactly once."""

    budget: TaskBudget
    label: str = ""
    settled: Settled | None = None


@dataclass(slots=True)
class TaskBudget:
    """The run's cap on tasks created (``cap`` ``None`` = unlimited; everything is still counted)."""

    cap: int | None
    store: SlotStore = field(default_factory=MemoryStore)
    in_flight: int = 0
    created: int = 0
    unknown: int = 0
    refused: int = 0
    probes_pending: int = 0  # free create-type probes still to run: paid creates wait for them
    _settled: asyncio.Event | None = None
    _probes_done: asyncio.Event | None = None

    @property
    def spent(self) -> int:
        """Slots counted: tasks created or possibly created, plus requests in flight."""
        return self.store.used()

    def try_reserve(self, label: str = "") -> Slot | None:
        """A slot if the budget can absorb one more task now, else ``None`` (the request must not be sent)."""
        if not self.store.take(self.cap):
            return None
        self.in_flight += 1
        return Slot(self, label)

    def expect_probes(self, count: int) -> None:
        """``count`` more free create-type probes will run: paid creates wait until they have (free checks
        first, so a budget spent by paid tasks never starves them, and one spent by a lax gateway's probes
        stops the paid ones)."""
        if self.cap is not None:
            self.probes_pending += max(0, count)

    def probe_finished(self) -> None:
        """One expected probe has run (or will not run)."""
        if self.probes_pending > 0:
            self.probes_pending -= 1
            if self.probes_pending == 0 and self._probes_done is not None:
                self._probes_done.set()

    async def reserve(self, label: str = "", *, paid: bool = False) -> Slot | None:
        """Like :meth:`try_reserve`, but waits while this process's in-flight requests may still give slots back.

        A ``paid`` create first waits for the expected free probes (:meth:`expect_probes`).
        """
        if paid and self.probes_pending > 0:
            if self._probes_done is None:
                self._probes_done = asyncio.Event()
            await self._probes_done.wait()
        while True:
            slot = self.try_reserve(label)
            if slot is not None:
                return slot
            if self.in_flight == 0:
                self.refused += 1
                return None
            if self._settled is None:
                self._settled = asyncio.Event()
            event = self._settled
            await event.wait()

    def settle(self, slot: Slot, outcome: Settled) -> None:
        """Keep the slot spent (``created``/``unknown``) or give it back (``none``); idempotent per slot."""
        if slot.settled is not None:
            return
        slot.settled = outcome
        self.in_flight = max(0, self.in_flight - 1)
        if outcome is Settled.NONE:
            self.store.give_back()
        elif outcome is Settled.CREATED:
            self.created += 1
        else:
            self.unknown += 1
        if self._settled is not None:
            self._settled.set()
            self._settled = None

    def refuse(self) -> None:
        """Count a create-type request that was not sent because the budget was spent (sync callers)."""
        self.refused += 1


def check_budget_value(value: object, where: str) -> int | None:
    """``--max-paid-tasks`` as an int in ``0..MAX_BUDGET`` (``None`` stays ``None``), else :class:`UsageError`."""
    from conformance.errors import UsageError

    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(
            f"{where} must be a whole number, got {value!r}",
            where=where,
            fix="give the number of task-creating calls you accept to pay for (0 = only free checks)",
        )
    if value < 0 or value > MAX_BUDGET:
        raise UsageError(
            f"{where} must be between 0 and {MAX_BUDGET}, got {value}",
            where=where,
            fix="give the number of task-creating calls you accept to pay for (0 = only free checks); "
            "leave it out against loopback for no cap",
        )
    return value


__all__ = [
    "MAX_BUDGET",
    "MemoryStore",
    "Settled",
    "Slot",
    "SlotStore",
    "TaskBudget",
    "check_budget_value",
    "could_create",
    "settle_outcome",
]
