"""Helpers shared by the harness tests (a scripted fake gateway, byte scanning)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import httpx

CANARY = "kc-canary-7f3a9e21d4c84b0c9a15e6f2b8d3c0aa"


class FakeGateway:
    """A tiny Kling-shaped gateway: create returns a task, polls walk through ``statuses``."""

    def __init__(self, statuses: tuple[str, ...] = ("submitted", "processing", "succeed"), echo_auth: bool = False):
        self.statuses = statuses
        self.echo_auth = echo_auth
        self.polls = 0
        self.requests: list[httpx.Request] = []
        self._ids = itertools.count(100000000000000001)
        self.script: list[httpx.Response] = []  # responses to serve first, in order

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)
        extra = {"echo": request.headers.get("authorization", "")} if self.echo_auth else {}
        if request.method == "POST":
            task = {"task_id": str(next(self._ids)), "task_status": "submitted", "created_at": 1, "updated_at": 1}
            return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "request_id": "r", "data": task, **extra})
        status = self.statuses[min(self.polls, len(self.statuses) - 1)]
        self.polls += 1
        task = {"task_id": request.url.path.rsplit("/", 1)[-1], "task_status": status, "created_at": 1, "updated_at": 2}
        if status == "succeed":
            task["task_result"] = {"videos": [{"id": "v", "url": "https://cdn.example/v.mp4", "duration": "5.1"}]}
        return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "request_id": "r", "data": task, **extra})


def all_bytes(root: Path) -> list[tuple[Path, bytes]]:
    """Every file under ``root`` with its content."""
    return [(p, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def load_json(path: Path) -> object:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))
