"""``kling_task``: create a task through ``kling_client`` and poll it to a terminal state, within the budget.

The factory returns the normalized final state (:class:`~conformance.normalize.result.NormalizedResponse`:
``status``, ``task_id``, ``video_urls``, ``failure_reason``...), read the same way for every gateway
envelope. A create the gateway rejects raises :class:`TaskRejected` (an ``AssertionError``, so the test
fails with the gateway's error code and message); a task that does not reach a terminal state within the
deadline raises :class:`TaskTimeout`. When the session's paid-task budget is spent, the test is skipped
with reason ``budget``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.normalize import normalize
from conformance.normalize.result import NormalizedResponse
from conformance.pytest_kling.client import KlingClient

#: Polls per task at most (replay mode does not sleep, so this bounds a cassette that never ends).
MAX_POLLS = 2000


class TaskRejected(AssertionError):
    """The gateway refused the create request."""


class TaskTimeout(AssertionError):
    """The task did not reach a terminal state within the deadline."""


@dataclass(slots=True, kw_only=True)
class PollPolicy:
    """How long to wait: ``interval`` seconds between polls, ``deadline`` seconds per task (0 = no sleeping)."""

    interval: float
    deadline: float
    sleep: Callable[[float], None] = time.sleep


@dataclass(slots=True)
class TaskFactory:
    """Callable behind the ``kling_task`` fixture; ``history`` keeps every state seen, per created task."""

    client: KlingClient
    policy: PollPolicy
    spend: Callable[[], bool]
    history: dict[str, list[NormalizedResponse]] = field(default_factory=dict)

    def __call__(self, family: str, body: dict[str, Any], *, deadline: float | None = None) -> NormalizedResponse:
        """Create a ``family`` task (``"text2video"`` or ``"text2video.create"``) with ``body``; poll to the end."""
        family = family.removesuffix(".create")
        profile = self.client.profile
        if not self.spend():
            import pytest

            pytest.skip("budget: the session's --kling-max-paid-tasks cap is spent (this test creates a paid task)")
        response = self.client.post(self.client.path(f"{family}.create"), json=body)
        created = normalize(response.content, status_code=response.status_code, profile=profile)
        if response.status_code >= 300 or created.is_error or not created.task_id:
            raise TaskRejected(
                f"{profile.id} rejected the {family} create: HTTP {response.status_code}, code "
                f"{created.error_code!r}, message {created.error_message!r} (shape {created.shape.value})"
            )
        task_id = created.task_id
        seen = self.history.setdefault(task_id, [created])
        if created.status is not None and created.status.is_terminal:
            return created
        limit = self.policy.deadline if deadline is None else deadline
        started = time.monotonic()
        while True:
            if self.policy.interval:
                self.policy.sleep(self.policy.interval)
            polled = self.client.get(self.client.path(f"{family}.get", task_id=task_id))
            state = normalize(polled.content, status_code=polled.status_code, profile=profile)
            seen.append(state)
            if state.status is not None and state.status.is_terminal:
                return state
            if (self.policy.interval and time.monotonic() - started > limit) or len(seen) > MAX_POLLS:
                raise TaskTimeout(
                    f"{profile.id} task {task_id} still {state.raw_status or state.status} after {limit:g} s"
                )
