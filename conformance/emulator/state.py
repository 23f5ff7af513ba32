"""Emulated tasks and the bounded, concurrency-safe store that keeps them."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from conformance.emulator.media import MediaPlan
from conformance.models import TaskStatus


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of a task's life: the gateway's raw word, its canonical status, and when it starts.

    ``at`` is seconds after submission, already multiplied by the time scale.
    """

    word: str
    status: TaskStatus
    at: float


@dataclass(slots=True, kw_only=True)
class Task:
    """One emulated task as the gateway stores it."""

    gateway: str
    task_id: str
    upstream_id: str
    operation: str
    created: float
    timeline: tuple[Phase, ...]
    request_id: str
    row: int
    model_name: str = ""
    duration: str = "5"
    image_count: int = 1
    has_image: bool = False
    external_task_id: str | None = None
    callback_url: str | None = None
    failure_reason: str = ""
    callbacks: list[str] = field(default_factory=list)  # delivery log, for tests and debugging
    media: MediaPlan = field(default_factory=MediaPlan)  # what its result media are (emulator/media_plan.py)

    @property
    def family(self) -> str:
        """Task family (``image2video``)."""
        return self.operation.rsplit(".", 1)[0]

    @property
    def is_image(self) -> bool:
        """Whether the task produces images rather than videos."""
        return self.family in ("generations", "kolors-virtual-try-on")

    def phase_index(self, now: float) -> int:
        """Index into :attr:`timeline` of the phase the task is in at wall time ``now``."""
        elapsed = now - self.created
        index = 0
        for position, phase in enumerate(self.timeline):
            if phase.at <= elapsed:
                index = position
            else:
                break
        return index

    def phase(self, now: float) -> Phase:
        """The phase the task is in at wall time ``now``."""
        return self.timeline[self.phase_index(now)]

    def entered_at(self, now: float) -> float:
        """Wall time at which the current phase began."""
        return self.created + self.phase(now).at

    @property
    def finishes_at(self) -> float:
        """Wall time of the terminal phase."""
        return self.created + self.timeline[-1].at

    def is_running(self, now: float) -> bool:
        """Whether the task still holds a concurrency slot."""
        return not self.phase(now).status.is_terminal


class TaskStore:
    """Tasks in memory, oldest evicted beyond ``max_tasks``; mutations hold an asyncio lock."""

    def __init__(self, max_tasks: int) -> None:
        self.max_tasks = max_tasks
        self._tasks: OrderedDict[tuple[str, str], Task] = OrderedDict()
        self._external: dict[tuple[str, str], str] = {}
        self._upstream: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def lock(self) -> asyncio.Lock:
        """The lock callers hold while they check-then-add (id uniqueness, limits)."""
        return self._lock

    def contains(self, gateway: str, task_id: str) -> bool:
        """Whether ``task_id`` is taken on ``gateway`` (as a gateway or upstream id)."""
        return (gateway, task_id) in self._tasks or (gateway, task_id) in self._upstream

    def add_locked(self, task: Task) -> None:
        """Insert ``task``, evicting the oldest; the caller holds :attr:`lock`."""
        self._tasks[(task.gateway, task.task_id)] = task
        if task.upstream_id != task.task_id:
            self._upstream[(task.gateway, task.upstream_id)] = task.task_id
        if task.external_task_id:
            self._external[(task.gateway, task.external_task_id)] = task.task_id
        while len(self._tasks) > self.max_tasks:
            (_, _), old = self._tasks.popitem(last=False)
            self._upstream.pop((old.gateway, old.upstream_id), None)
            if old.external_task_id and self._external.get((old.gateway, old.external_task_id)) == old.task_id:
                del self._external[(old.gateway, old.external_task_id)]
            self.evicted += 1

    def get(self, gateway: str, task_id: str) -> Task | None:
        """The task ``task_id`` of ``gateway``."""
        return self._tasks.get((gateway, task_id))

    def get_upstream(self, gateway: str, upstream_id: str) -> Task | None:
        """The task whose upstream (Kling) id is ``upstream_id``."""
        own = self._upstream.get((gateway, upstream_id))
        return self._tasks.get((gateway, own)) if own is not None else None

    def by_external(self, gateway: str, external_task_id: str) -> Task | None:
        """The latest task created with ``external_task_id``."""
        own = self._external.get((gateway, external_task_id))
        return self._tasks.get((gateway, own)) if own is not None else None

    def of_gateway(self, gateway: str, family: str | None = None) -> Iterator[Task]:
        """Tasks of ``gateway`` (and ``family``), newest first."""
        for task in reversed(self._tasks.values()):
            if task.gateway == gateway and (family is None or task.family == family):
                yield task

    def running(self, gateway: str, now: float) -> list[Task]:
        """Non-terminal tasks of ``gateway``."""
        return [t for t in self._tasks.values() if t.gateway == gateway and t.is_running(now)]

    def find_media(self, gateway: str, task_id: str) -> Task | None:
        """The task whose result media is requested (gateway or upstream id)."""
        return self.get(gateway, task_id) or self.get_upstream(gateway, task_id)
