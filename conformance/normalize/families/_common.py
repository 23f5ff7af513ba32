"""Reading steps the task families share: the ``code`` note, the status word, a task's URLs and error."""

from __future__ import annotations

from typing import Any

from conformance.models import TaskStatus
from conformance.normalize.codes import read_code
from conformance.normalize.fields import (
    Draft,
    read_common_urls,
    read_error_object,
    read_legacy_fail_reason,
    read_status,
    text,
)


def note_code(draft: Draft, body: dict[str, Any]) -> None:
    """Note what is odd about the body's ``code`` field (a string code, a float, …), if anything."""
    code = read_code(body)
    if code.note:
        draft.note(code.note)


def read_task_status(draft: Draft, value: Any, name: str = "status") -> None:
    """Read the task's status word, noting a task that has none."""
    if value is None:
        draft.note("no task status")
    else:
        read_status(draft, value, name)


def read_task_outcome(draft: Draft, task: dict[str, Any]) -> None:
    """Read a non-Kling task object's result URLs, ``error`` object and legacy ``fail_reason``.

    An error message on a task that has not failed is noted.
    """
    read_common_urls(draft, task)
    error = read_error_object(draft, task.get("error"))
    if error and text(error.get("message")) and draft.status is not TaskStatus.FAILED:
        draft.note("error object on a task that has not failed")
    read_legacy_fail_reason(draft, task.get("fail_reason"))
