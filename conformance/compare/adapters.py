"""The adapter section: for each breaking difference, the mapping a client needs to work with B.

Each entry has a sentence for people (``read data.status instead of data.task_status``) and a small
machine-readable mapping; :func:`adapter_spec` folds the mappings into one JSON object a client could
load (``fields``, ``status_map``, ``timestamp_factor``, ``error_fields``, ``error_status``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from conformance.compare.knowledge import canonical_status, shape_fields

if TYPE_CHECKING:
    from conformance.compare.model import Difference

_KLING_WORDS = ("submitted", "processing", "succeed", "failed")

_ID_HINTS = {
    "kling-numeric": "numeric strings of 15-20 digits",
    "kling-legacy": "20-24 character alphanumeric strings",
    "newapi-task": "task_ followed by 32 letters and digits",
    "prefixed-ulid": "a prefix, an underscore and a ULID",
}


def callback_impact(to_value: str, b: str) -> str:
    """What a client relying on callbacks sees on B."""
    if to_value in ("none", "None", ""):
        return f"{b} sends no callbacks: a client waiting for them waits forever"
    if to_value == "upstream-id":
        return f"{b}'s callbacks carry the upstream Kling task id, which the client never saw"
    return f"callbacks on {b} behave as {to_value}"


def status_map(from_words: Iterable[str], to_words: Iterable[str]) -> dict[str, str]:
    """B word → the A word with the same canonical meaning (``SUCCESS`` → ``succeed``); ``""`` when none."""
    from_list = list(from_words)
    by_meaning: dict[str, str] = {}
    for word in from_list:
        meaning = canonical_status(word)
        if meaning is not None:
            by_meaning.setdefault(meaning, word)
    kling_vocabulary = all(w in _KLING_WORDS for w in from_list)  # A speaks Kling: its unseen words are Kling's too
    mapping = {}
    for word in to_words:
        meaning = canonical_status(word) or ""
        fallback = meaning if kling_vocabulary and meaning in _KLING_WORDS else ""
        mapping[word] = by_meaning.get(meaning, fallback)
    return mapping


def _error_fields(a_shape: str, b_shape: str) -> dict[str, str]:
    fa, fb = shape_fields(a_shape), shape_fields(b_shape)
    return {fa[role].path: fb[role].path for role in ("error_code", "error_message") if role in fa and role in fb}


def adapter_for(diff: Difference, a: str, b: str, extra: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(sentence, mapping) for one difference."""
    from conformance.compare.model import Kind

    kind, subject = diff.kind, diff.subject
    if kind is Kind.BASE_PATH:
        new = diff.to_value or ""
        return (
            f"point the client at {b}'s host with the path prefix {new or '(none)'} (base URL https://<host>{new}); "
            f"a client that takes only a host needs its /v1 paths rewritten to {new}/v1",
            {"path_prefix": {"from": diff.from_value, "to": new}},
        )
    if kind is Kind.AUTH_SCHEME:
        send = str(extra.get("send", diff.to_value))
        if subject == "credential":
            return f"send {b}'s own key as {send} instead of a {diff.from_value} credential", {
                "auth": {"credential": diff.to_value, "send": send}
            }
        return f"send the credential as {send} (not {diff.from_value})", {"auth": {"send": send}}
    if kind is Kind.TLS:
        return f"{b} is plain http: allow http for it, or put a TLS proxy in front", {"tls": False}
    if kind is Kind.ENDPOINT_MISSING:
        return f"{subject} has no equivalent on {b}: skip that call (e.g. a credential or balance check)", {
            "unsupported": [subject]
        }
    if kind is Kind.OPERATION_MISSING:
        return f"{subject} has no equivalent on {b}: keep {a} for it or drop the feature", {"unsupported": [subject]}
    if kind is Kind.CREATE_REFUSED:
        return f"{b} refuses {subject} as {a}'s clients send it: keep {a} for it until {b} accepts it", {
            "refused": [subject]
        }
    if kind is Kind.PARAM_REJECTED:
        return f"do not send {subject} to {b} (it is rejected)", {"omit_params": [subject]}
    if kind is Kind.PARAM_DROPPED:
        hint = "; keep your own id mapping" if subject == "external_task_id" else ""
        if subject == "callback_url":
            hint = "; poll for the result instead"
        return f"{b} ignores {subject}: do not rely on it{hint}", {"ignored_params": [subject]}
    if kind is Kind.FIELD_MOVED:
        return f"read {diff.to_value} instead of {diff.from_value}", {"fields": {diff.from_value: diff.to_value}}
    if kind is Kind.FIELD_MISSING:
        return f"{diff.from_value} is not returned by {b}: no equivalent, make it optional", {
            "missing": [diff.from_value]
        }
    if kind is Kind.FIELD_TYPE_CHANGED:
        return (
            f"{subject} is of type {diff.to_value} on {b}: convert it to {diff.from_value}",
            {"types": {subject: {"from": diff.to_value, "to": diff.from_value}}},
        )
    if kind is Kind.RESPONSE_SHAPE:
        return f"parse the {diff.to_value} envelope of {b} (see the field mappings)", {
            "shape": {subject: diff.to_value}
        }
    if kind is Kind.STATUS_VOCABULARY:
        mapping = status_map(extra.get("from_words", []), extra.get("to_words", []))
        parts = [f"{w} → {m}" if m else f"{w} → (no equivalent: keep polling)" for w, m in mapping.items() if w != m]
        if not parts:  # the same words (one side names more of them): nothing to map
            return "", {}
        return "map " + ", ".join(parts), {"status_map": {w: m for w, m in mapping.items() if w != m}}
    if kind is Kind.ID_FORMAT:
        hint = _ID_HINTS.get(str(diff.to_value), str(diff.to_value))
        return f"store task ids as opaque strings: {b} ids are {hint}", {"id_format": diff.to_value}
    if kind is Kind.TIMESTAMP_UNIT:
        factor = 1000 if (diff.from_value, diff.to_value) == ("ms", "s") else 0.001
        verb = "multiply" if factor == 1000 else "divide"
        return f"{verb} {b}'s timestamps by 1000 ({diff.to_value} → {diff.from_value})", {"timestamp_factor": factor}
    if kind is Kind.ERROR_SHAPE:
        fields = _error_fields(str(diff.from_value), str(diff.to_value))
        parts = [f"{new} instead of {old}" for old, new in fields.items() if old != new]
        text = f"read errors from the {diff.to_value} body: " + (
            "; ".join(parts) if parts else "same paths, other types"
        )
        return text, {"error_fields": fields}
    if kind is Kind.ERROR_STATUS:
        return (
            f"treat HTTP {diff.to_value} as '{subject.replace('_', ' ')}' (was {diff.from_value})",
            {"error_status": {subject: {"from": diff.from_value, "to": diff.to_value}}},
        )
    if kind is Kind.CALLBACK:
        if diff.to_value == "upstream-id":
            return (
                "match callbacks by external_task_id (or poll): their task_id is the upstream Kling id",
                {"callback": "upstream-id"},
            )
        return f"poll {b} for task results instead of waiting for callbacks", {"callback": diff.to_value}
    return "", {}


def adapter_spec(differences: Iterable[Difference]) -> dict[str, Any]:
    """All adapter mappings merged into one object, per operation where they are per operation."""
    spec: dict[str, Any] = {}
    for diff in differences:
        target = spec.setdefault(diff.operation, {}) if diff.operation else spec.setdefault("gateway", {})
        for key, value in diff.mapping.items():
            if isinstance(value, dict):
                target.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                target.setdefault(key, [])
                target[key] += [v for v in value if v not in target[key]]
            else:
                target[key] = value
    return spec
