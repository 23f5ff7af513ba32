"""Fault kinds that bend the real answer's content: odd JSON, wrong encodings, lifecycle lies.

The transport-level kinds (HTML errors, truncation, resets, drips, redirects, 429) live in
:mod:`conformance.emulator.fault_kinds`; these parse or rewrite the emulator's real body.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from conformance.emulator.fault_kinds import FaultCall, _rewrite_json, fault_kind


@fault_kind("huge-number", "the real body with a timestamp (or the code) replaced by 1e400")
async def _huge_number(call: FaultCall) -> None:
    captured = await call.capture()
    body, count = re.subn(rb'"(created_at|submit_time)":\d+', rb'"\1":1e400', captured.body, count=1)
    if not count:
        body = re.sub(rb'"code":[^,}]+', b'"code":1e400', captured.body, count=1)
    await call.respond_captured(captured, body)


@fault_kind("duplicate-keys", 'the real JSON object with a conflicting duplicate "code" key in front')
async def _duplicate_keys(call: FaultCall) -> None:
    captured = await call.capture()
    body = captured.body
    if body.startswith(b"{"):
        body = b'{"code":5000,"message":"duplicate",' + body[1:] if len(body) > 2 else b'{"code":5000,"code":0}'
    await call.respond_captured(captured, body)


@fault_kind("json-array", "the real JSON body wrapped in an array")
async def _json_array(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, b"[" + captured.body + b"]")


@fault_kind("invalid-utf8", "the real body with invalid UTF-8 bytes inside a string")
async def _invalid_utf8(call: FaultCall) -> None:
    captured = await call.capture()
    body = captured.body.replace(b'"message":"', b'"message":"\xff\xfe\xc3', 1)
    if body == captured.body:
        body = b'{"message":"\xff\xfe"}'
    await call.respond_captured(captured, body)


@fault_kind("gzip-plain", "the real body uncompressed but labelled Content-Encoding: gzip")
async def _gzip_plain(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, content_encoding=b"gzip")


_STATUS_KEYS = ("task_status", "status")
_SUCCESS_WORDS = {
    "succeed": "processing",
    "succeeded": "processing",
    "completed": "in_progress",
    "SUCCESS": "IN_PROGRESS",
    "success": "processing",
}


@fault_kind("status-unseen", "the real body with every status word replaced by one never seen before")
async def _status_unseen(call: FaultCall) -> None:
    def change(node: dict[str, Any]) -> None:
        for key in _STATUS_KEYS:
            if isinstance(node.get(key), str):
                node[key] = "paused_by_operator"

    captured = await call.capture()
    await call.respond_captured(captured, _rewrite_json(captured.body, change))


@fault_kind("backwards", "a succeeded task reported as still processing (the task goes backwards)")
async def _backwards(call: FaultCall) -> None:
    def change(node: dict[str, Any]) -> None:
        for key in _STATUS_KEYS:
            word = node.get(key)
            if isinstance(word, str) and word in _SUCCESS_WORDS:
                node[key] = _SUCCESS_WORDS[word]
                node.pop("task_result", None)
                node.pop("result_url", None)

    captured = await call.capture()
    await call.respond_captured(captured, _rewrite_json(captured.body, change))


def _other_id(value: str) -> str:
    if value.isdigit():
        return str(10 ** (len(value) - 1) + secrets.randbelow(9 * 10 ** (len(value) - 1)))
    prefix, _, rest = value.rpartition("_")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    fresh = "".join(secrets.choice(alphabet) for _ in rest)
    return f"{prefix}_{fresh}" if prefix else fresh


@fault_kind("id-change", "the real body with every task id replaced by a different one")
async def _id_change(call: FaultCall) -> None:
    replaced: dict[str, str] = {}

    def change(node: dict[str, Any]) -> None:
        for key in ("task_id", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                node[key] = replaced.setdefault(value, _other_id(value))

    captured = await call.capture()
    await call.respond_captured(captured, _rewrite_json(captured.body, change))


@fault_kind("result-404", "the real body with result URLs pointing at media that answer 404")
async def _result_404(call: FaultCall) -> None:
    captured = await call.capture()
    await call.respond_captured(captured, captured.body.replace(b"/_media/", b"/_media/gone/"))
