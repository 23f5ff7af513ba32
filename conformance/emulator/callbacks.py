"""Callback delivery: POST the official bare task object to ``callback_url`` on every status change."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from conformance.emulator.config import EmulatorConfig
from conformance.emulator.render import RenderContext
from conformance.emulator.state import Task

log = logging.getLogger("conformance.emulator.callbacks")


@dataclass(frozen=True, slots=True)
class RawCallback:
    """A notification sent as these exact bytes with these extra headers (a signed 3.x webhook)."""

    content: bytes
    headers: dict[str, str]


BodyFor = Callable[[Task, RenderContext], "dict[str, object] | RawCallback"]

#: The User-Agent of every callback POST: fixed, so recordings do not change with the HTTP library's version.
CALLBACK_USER_AGENT = "kling-conformance-emulator"


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class CallbackDispatcher:
    """Runs one background delivery job per task that asked for callbacks; bounded retries with backoff."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        self._client: httpx.AsyncClient | None = None
        self._jobs: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Open the HTTP client (called from the app's lifespan)."""
        self._client = httpx.AsyncClient(
            timeout=self._config.callback_timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": CALLBACK_USER_AGENT},  # never the HTTP library's own (versioned) default
        )

    async def stop(self) -> None:
        """Cancel pending deliveries and close the client."""
        for job in list(self._jobs):
            job.cancel()
        if self._jobs:
            await asyncio.gather(*self._jobs, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def pending(self) -> int:
        """Delivery jobs still running."""
        return len(self._jobs)

    def schedule(self, task: Task, origin: str, body_for: BodyFor) -> None:
        """Start delivering ``task``'s status changes to its ``callback_url``."""
        url = task.callback_url
        if not url:
            return
        if not (self._config.callback_allow_remote or is_loopback_url(url)):
            task.callbacks.append("skipped: not a loopback URL (enable callback_allow_remote to deliver)")
            return
        job = asyncio.get_running_loop().create_task(self._deliver_all(task, url, origin, body_for))
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    async def _deliver_all(self, task: Task, url: str, origin: str, body_for: BodyFor) -> None:
        loop = asyncio.get_running_loop()
        clock = self._config.clock
        wall_offset = loop.time() - (clock() if clock is not None else time.time())
        previous = None
        # One generator per task: what a delivery draws never depends on how other tasks' deliveries interleave.
        rng = random.Random(f"callbacks:{self._config.seed}:{task.task_id}")
        for phase in task.timeline:
            if phase.status == previous:
                continue
            previous = phase.status
            due = task.created + phase.at
            delay = due + wall_offset - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            ctx = RenderContext(now=due + 1e-6, origin=origin, rng=rng)
            await self._deliver_one(task, url, body_for(task, ctx), phase.status.value)

    async def _deliver_one(self, task: Task, url: str, body: dict[str, object] | RawCallback, label: str) -> None:
        assert self._client is not None
        attempts = 1 + self._config.callback_retries
        for attempt in range(attempts):
            try:
                if isinstance(body, RawCallback):
                    headers = {"content-type": "application/json", **body.headers}
                    response = await self._client.post(url, content=body.content, headers=headers)
                else:
                    response = await self._client.post(url, json=body)
                outcome = str(response.status_code)
                if 200 <= response.status_code < 300:
                    task.callbacks.append(f"{label}: {outcome}")
                    return
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            task.callbacks.append(f"{label}: attempt {attempt + 1} failed ({outcome})")
            if attempt + 1 < attempts:
                await asyncio.sleep(self._config.callback_backoff * 2**attempt)
        log.warning("callback for task %s (%s) not delivered after %d attempts", task.task_id, label, attempts)
