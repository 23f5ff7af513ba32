"""Driving: follow a created task the way its gateway's profile says (``[operations."<op>".task]``).

Without a :class:`~conformance.profiles.model.TaskProtocol` the harness does what Kling does: POST,
then GET the get operation's path with ``{task_id}``. With one, the id, the poll target, the status
word, the terminal words and a separate result endpoint come from the profile. Pure functions over
parsed bodies; the executor does the sending (every create still goes through the run's budget).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import orjson

from conformance.models import Exchange
from conformance.normalize.result import NormalizedResponse
from conformance.profiles.expressions import search
from conformance.profiles.model import OperationProfile, TaskProtocol


@dataclass(frozen=True, slots=True)
class Target:
    """Where to send a poll or result request: a path below the base URL or an absolute URL; or why not."""

    path: str = ""
    error: str = ""


def body_json(exchange: Exchange) -> Any:
    """The parsed JSON body of ``exchange``'s response (``None`` when there is none or it is not JSON)."""
    if exchange.response is None or not exchange.response.body:
        return None
    try:
        return orjson.loads(exchange.response.body)
    except orjson.JSONDecodeError:
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def task_id_of(task: TaskProtocol | None, norm: NormalizedResponse, body: Any) -> str | None:
    """The created task's id: the profile's ``task_id`` expression, else the reading's task id."""
    if task is not None and task.task_id:
        found = _text(search(task.task_id, body))
        if found:
            return found
    return norm.task_id


def segment(value: str) -> str:
    """A task id as one URL path segment (or query value): any id (CR, LF, NUL, ``/``, ``..``) is sent escaped."""
    return urllib.parse.quote(value, safe="")


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _resolve(url: str, base_url: str, what: str) -> Target:
    """A URL a body named, checked: the gateway's own origin (the key is never sent elsewhere) or a path."""
    if url.startswith("/"):
        return Target(path=url)
    if not url.startswith(("http://", "https://")):
        return Target(error=f"{what} {url[:120]!r} is neither an absolute http(s) URL nor a path")
    if _origin(url) != _origin(base_url):
        return Target(
            error=f"{what} {url[:120]!r} is on another origin than {base_url}; not followed (the key stays with "
            "the gateway's own host)"
        )
    parts = urllib.parse.urlsplit(url)
    return Target(path=urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")) or "/")


def poll_target(
    task: TaskProtocol | None, get_op: OperationProfile | None, created: Any, task_id: str, base_url: str
) -> Target:
    """Where the created task is polled: ``poll_url`` from the create body, ``poll_path``, or the get path."""
    if task is not None and task.poll_url:
        url = _text(search(task.poll_url, created))
        if url is None:
            return Target(error=f"the create body has no poll URL at {task.poll_url!r}")
        return _resolve(url, base_url, "poll URL")
    if task is not None and task.poll_path:
        return Target(path=task.poll_path.replace("{task_id}", segment(task_id)))
    if get_op is None or not get_op.supported:
        return Target(error="the gateway has no get operation to poll")
    return Target(path=get_op.path.replace("{task_id}", segment(task_id)))


def result_target(task: TaskProtocol | None, created: Any, last: Any, task_id: str, base_url: str) -> Target | None:
    """The separate result endpoint of a terminal task (``None``: the poll body is the result)."""
    if task is None:
        return None
    if task.result_url:
        url = _text(search(task.result_url, created)) or _text(search(task.result_url, last))
        if url is None:
            return Target(
                error=f"neither the create body nor the last poll body has a result URL at {task.result_url!r}"
            )
        return _resolve(url, base_url, "result URL")
    if task.result_path:
        return Target(path=task.result_path.replace("{task_id}", segment(task_id)))
    return None


def status_word(task: TaskProtocol | None, norm: NormalizedResponse, body: Any) -> str | None:
    """The raw status word of a poll: the profile's ``status`` expression, else the reading's raw status."""
    if task is not None and task.status:
        return _text(search(task.status, body))
    return norm.raw_status


def is_terminal(task: TaskProtocol | None, norm: NormalizedResponse, body: Any) -> bool:
    """Whether a poll answer ends polling: a canonical terminal status, or a terminal word of the profile."""
    if norm.status is not None and norm.status.is_terminal and (task is None or not task.status):
        return True
    if task is None:
        return False
    word = status_word(task, norm, body)
    return word is not None and word in task.terminal


def poll_answered(task: TaskProtocol | None, norm: NormalizedResponse | None, exchange: Exchange, body: Any) -> bool:
    """Whether a poll got a usable answer (else it counts towards the consecutive-failure limit)."""
    if norm is None or exchange.response is None:
        return False
    if task is not None and task.status:  # the profile says where the word is: trust it over the reading
        return 200 <= exchange.response.status_code < 300 and status_word(task, norm, body) is not None
    return not norm.is_error
