"""Fidelity: how closely the emulator's answers match a real engine's, field by field, scenario by scenario.

Both sides are cassettes of the same catalog: the engine recordings (``cassettes/engines/<engine>/<gateway>/``,
evidence ``engine``) and the emulator recordings of the same profile (``cassettes/<gateway>/``). For each
scenario, each distinct answer the engine gave (one per request purpose and task status, so the fifteen
identical polls of a waiting task count once) is paired with the emulator's answer of the same purpose and
status (else the first of the same purpose) and compared field by field:

- ``$http``: the HTTP status; ``$content``: json, html, text, empty or binary;
- every JSON leaf path of either side (array items as ``[*]``): present on both, same JSON type, and the
  same *value class*: ids, timestamps, URLs and request ids compare by form (``0`` or not, digits as ``#``),
  every other value as it is;
- ``$callbacks``: whether callbacks arrived at all.

A field present on one side only is a difference. ``matched / total`` over every scenario is the figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.harness.cassette import Cassette, Interaction, load_gateway_cassettes

#: Keys whose values differ between any two runs (ids, clocks, hosts); compared by form only.
VOLATILE_KEYS = frozenset(
    {
        "id",
        "task_id",
        "request_id",
        "created_at",
        "updated_at",
        "completed_at",
        "submit_time",
        "start_time",
        "finish_time",
        "url",
        "result_url",
        "user_id",
        "channel_id",
        "quota",
        "external_task_id",
        "username",
        "input",
    }
)
#: Purposes whose answers are not gateway JSON (the video bytes).
SKIPPED_PURPOSES = frozenset({"result-fetch"})
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,}\b")
_STATUS_KEYS = ("status", "task_status")


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One field that differs: where, and what each side had (``None`` = absent)."""

    scenario: str
    answer: str
    path: str
    engine: str | None
    emulator: str | None


@dataclass(slots=True)
class Fidelity:
    """The comparison of one engine's recordings with the emulator's."""

    matched: int = 0
    total: int = 0
    diffs: list[FieldDiff] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # engine scenarios the emulator never recorded

    @property
    def ratio(self) -> float:
        """matched / total (1.0 when there was nothing to compare)."""
        return self.matched / self.total if self.total else 1.0


def value_class(key: str, value: Any) -> str:
    """What is compared of one leaf value."""
    kind = _json_type(value)
    if value is None or isinstance(value, bool):
        return f"{kind}:{value}"
    if key in VOLATILE_KEYS:
        if isinstance(value, int | float):
            return f"{kind}:{'0' if value == 0 else '+'}"
        return f"{kind}:{'empty' if value == '' else 'set'}"
    if isinstance(value, str):
        return f"{kind}:{_DIGITS.sub('#', _TOKEN.sub('*', value))}"
    return f"{kind}:{value}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def flatten(value: Any, path: str = "$", key: str = "") -> Iterator[tuple[str, str]]:
    """(path, value class) of every leaf; empty objects and arrays are leaves too."""
    if isinstance(value, dict) and value:
        for name, inner in value.items():
            yield from flatten(inner, f"{path}.{name}", str(name))
    elif isinstance(value, list) and value:
        seen: dict[str, str] = {}
        for item in value:
            for leaf, cls in flatten(item, f"{path}[*]", key):
                seen.setdefault(leaf, cls)
        yield from seen.items()
    elif isinstance(value, dict | list):
        yield path, f"{_json_type(value)}:empty"
    else:
        yield path, value_class(key, value)


def answer_fields(interaction: Interaction) -> dict[str, str]:
    """The compared fields of one recorded answer."""
    response = interaction.response
    if response is None:
        return {"$http": "transport-error"}
    fields = {"$http": str(response.status_code)}
    body = response.body
    content_type = (response.header("content-type") or "").lower()
    if not body:
        fields["$content"] = "empty"
        return fields
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        fields["$content"] = "html" if "html" in content_type or body.lstrip()[:1] == b"<" else "text"
        return fields
    fields["$content"] = "json"
    fields.update(flatten(parsed))
    return fields


def status_word(interaction: Interaction) -> str:
    """The task status an answer shows (``data.status``, ``data.task_status`` or top-level), or ``""``."""
    response = interaction.response
    if response is None or not response.body:
        return ""
    try:
        parsed = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return ""
    for holder in (parsed.get("data") if isinstance(parsed, dict) else None, parsed):
        if isinstance(holder, dict):
            for key in _STATUS_KEYS:
                if isinstance(holder.get(key), str):
                    return str(holder[key])
    return ""


def distinct_answers(cassette: Cassette) -> list[tuple[str, Interaction]]:
    """One answer per (purpose, status word), in recording order, labelled ``purpose[status]``."""
    out: dict[str, Interaction] = {}
    for interaction in cassette.interactions:
        if interaction.purpose in SKIPPED_PURPOSES:
            continue
        word = status_word(interaction)
        label = f"{interaction.purpose or 'call'}[{word}]" if word else interaction.purpose or "call"
        out.setdefault(label, interaction)
    return list(out.items())


def compare_cassettes(engine: Cassette, emulator: Cassette, result: Fidelity) -> None:
    """Add one scenario's field comparison to ``result``."""
    theirs = distinct_answers(emulator)
    for label, interaction in distinct_answers(engine):
        purpose = label.split("[", 1)[0]
        pair = next((i for lab, i in theirs if lab == label), None)
        if pair is None:
            pair = next((i for lab, i in theirs if lab.split("[", 1)[0] == purpose), None)
        mine = answer_fields(interaction)
        other = answer_fields(pair) if pair is not None else {}
        _tally(engine.scenario, label, mine, other, result)
    cb_mine = {"$callbacks": "yes" if engine.callbacks else "no"}
    cb_other = {"$callbacks": "yes" if emulator.callbacks else "no"}
    _tally(engine.scenario, "callbacks", cb_mine, cb_other, result)


def _tally(scenario: str, label: str, mine: dict[str, str], other: dict[str, str], result: Fidelity) -> None:
    for path in sorted(set(mine) | set(other)):
        result.total += 1
        if mine.get(path) == other.get(path):
            result.matched += 1
        else:
            result.diffs.append(FieldDiff(scenario, label, path, mine.get(path), other.get(path)))


def compare_recordings(engine_root: Path, emulator_root: Path, gateway: str) -> Fidelity:
    """Compare every engine cassette of ``gateway`` under ``engine_root`` with the emulator's."""
    result = Fidelity()
    engine = load_gateway_cassettes(engine_root, gateway)
    emulator = load_gateway_cassettes(emulator_root, gateway)
    for scenario, cassette in sorted(engine.items()):
        if scenario not in emulator:
            result.missing.append(scenario)
            continue
        compare_cassettes(cassette, emulator[scenario], result)
    return result


def format_fidelity(name: str, result: Fidelity, reasons: Iterable[tuple[FieldDiff, str]] = ()) -> str:
    """A short text report: the figure, then each difference (with its reason where one is given)."""
    lines = [f"{name}: {result.matched}/{result.total} fields match ({result.ratio:.1%})"]
    for diff, reason in reasons:
        lines.append(
            f"  {diff.scenario} {diff.answer} {diff.path}: engine {diff.engine!r}, emulator {diff.emulator!r}"
            + (f" -- {reason}" if reason else "")
        )
    lines.extend(f"  {scenario}: no emulator recording" for scenario in result.missing)
    return "\n".join(lines)
