"""Where a normalised body departs from what a gateway's profile expects.

Compared: the shape (the operations' ``response_shape`` for success bodies, the profile's error shapes
for errors), the raw status word (the operations' ``status_vocabulary``), the task id (the operations'
``id_format``), the timestamp unit (``lifecycle.timestamp_unit``), the HTTP status of a success
(``success_status``) and of the errors the profile names by code. Narrowed to one operation when
``operation`` is given. Never raises: a profile that cannot be read becomes a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from conformance.normalize.result import NormalizedResponse

if TYPE_CHECKING:
    from conformance.profiles.model import GatewayProfile, OperationProfile


def resolve_profile(profile: Any) -> tuple[GatewayProfile | None, str]:
    """A :class:`GatewayProfile` from a profile object or id/path, or ``None`` and the reason why not."""
    if isinstance(profile, str):
        try:
            from conformance.profiles import load_profile  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            return None, f"profile {profile!r} not checked: profile loading is not available"
        try:
            return load_profile(profile), ""
        except Exception as exc:
            return None, f"profile {profile!r} could not be loaded: {exc}"
    if hasattr(profile, "operations") and hasattr(profile, "errors") and hasattr(profile, "lifecycle"):
        return profile, ""
    return None, f"profile is a {type(profile).__name__}, not a gateway profile; not checked"


def find_departures(
    result: NormalizedResponse, profile: Any, operation: str | None = None
) -> tuple[list[str], list[str]]:
    """``(departures, notes)`` for ``result`` against ``profile``; never raises."""
    resolved, problem = resolve_profile(profile)
    if resolved is None:
        return [], [problem]
    try:
        return _compare(result, resolved, operation)
    except Exception as exc:  # a malformed profile object must not break normalisation
        return [], [f"profile {getattr(resolved, 'id', '?')!r} could not be compared ({type(exc).__name__})"]


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a profile expects of a success body under one operation filter, worked out once."""

    operations: list[OperationProfile]
    note: str  # "profile has no operation ...", or ""
    shapes: list[str]
    vocabulary: list[str]
    formats: list[str]
    patterns: list[re.Pattern[str]]
    format_notes: list[str]  # unknown id formats, said when a task id is compared


_expected_cache: dict[tuple[int, str | None], tuple[Any, Any, _Expected]] = {}


def _expected(profile: GatewayProfile, operation: str | None) -> _Expected:
    """The expectations of ``profile`` for ``operation`` (cached per profile object and operation)."""
    key = (id(profile), operation)
    found = _expected_cache.get(key)
    if found is not None and found[0] is profile and found[1] is profile.operations:
        return found[2]
    notes: list[str] = []
    operations = _selected_operations(profile, operation, notes)
    formats = list(dict.fromkeys(op.id_format for op in operations))
    patterns = []
    format_notes = []
    for name in formats:
        pattern = _id_pattern(name)
        if pattern is None:
            format_notes.append(f"profile names an unknown id format {name!r}")
        else:
            patterns.append(pattern)
    expected = _Expected(
        operations=operations,
        note=notes[0] if notes else "",
        shapes=list(dict.fromkeys(op.response_shape for op in operations)),
        vocabulary=list(dict.fromkeys(word for op in operations for word in op.status_vocabulary)),
        formats=formats,
        patterns=patterns,
        format_notes=format_notes,
    )
    if len(_expected_cache) > 256:
        _expected_cache.clear()
    _expected_cache[key] = (profile, profile.operations, expected)
    return expected


def _compare(result: NormalizedResponse, profile: GatewayProfile, operation: str | None) -> tuple[list[str], list[str]]:
    departures: list[str] = []
    expected = _expected(profile, operation)
    notes: list[str] = [expected.note] if expected.note else []
    if result.is_error:
        _compare_error(result, profile, departures)
    else:
        _compare_success(result, profile, expected, operation, departures, notes)
    unit = result.timestamp_unit
    expected_unit = profile.lifecycle.timestamp_unit
    if unit is not None and unit != expected_unit:
        departures.append(f"timestamps in {unit}, the profile says {expected_unit}")
    return departures, notes


def _selected_operations(profile: GatewayProfile, operation: str | None, notes: list[str]) -> list[OperationProfile]:
    if operation:
        chosen = profile.operations.get(operation)
        if chosen is not None:
            return [chosen]
        notes.append(f"profile {profile.id!r} has no operation {operation!r}; compared with all its operations")
    supported = [op for op in profile.operations.values() if op.supported]
    return supported or list(profile.operations.values())


def _compare_error(result: NormalizedResponse, profile: GatewayProfile, departures: list[str]) -> None:
    errors = profile.errors
    expected = list(dict.fromkeys((errors.shape, errors.auth_shape, errors.unknown_task_shape)))
    if result.shape.value not in expected:
        departures.append(f"error shape {result.shape.value!r} is not one the profile expects ({', '.join(expected)})")
    code, status = result.error_code, result.status_code
    if not code or status is None:
        return
    situations = (
        ("auth", errors.auth_code, errors.auth_status),
        ("invalid-parameter", errors.invalid_param_code, errors.invalid_param_status),
        ("unknown-task", errors.unknown_task_code, errors.unknown_task_status),
        ("rate-limit", errors.rate_limit_code, errors.rate_limit_status),
    )
    for name, expected_code, expected_status in situations:
        if code == expected_code and status != expected_status:
            departures.append(f"{name} error {code} came with HTTP {status}, the profile says {expected_status}")
            return


def _compare_success(
    result: NormalizedResponse,
    profile: GatewayProfile,
    expected: _Expected,
    operation: str | None,
    departures: list[str],
    notes: list[str],
) -> None:
    operations = expected.operations
    if not operations:
        notes.append(f"profile {profile.id!r} lists no operations; shape not compared")
        return
    shapes = expected.shapes
    if result.shape.value not in shapes:
        departures.append(f"shape {result.shape.value!r} is not one the profile expects ({', '.join(shapes)})")
    raw = result.raw_status
    if raw is not None:
        vocabulary = expected.vocabulary
        if vocabulary and raw not in vocabulary:
            same_word = next((word for word in vocabulary if word.lower() == raw.lower()), None)
            if same_word is not None:
                departures.append(f"status word {raw!r} differs in case from the profile's {same_word!r}")
            else:
                departures.append(f"status word {raw!r} is not in the profile's vocabulary ({', '.join(vocabulary)})")
    if result.task_id is not None:
        _compare_id(result.task_id, expected, departures, notes)
    if operation and len(operations) == 1 and result.status_code is not None:
        expected_status = operations[0].success_status
        if result.status_code != expected_status:
            departures.append(f"HTTP {result.status_code}, the profile says {expected_status} for {operation}")


def _compare_id(task_id: str, expected: _Expected, departures: list[str], notes: list[str]) -> None:
    notes.extend(expected.format_notes)
    patterns = expected.patterns
    if patterns and not any(pattern.fullmatch(task_id) for pattern in patterns):
        formats = expected.formats
        departures.append(f"task id {task_id[:60]!r} does not match the profile's id format ({', '.join(formats)})")


@lru_cache(maxsize=64)
def _id_pattern(name: str) -> re.Pattern[str] | None:
    from conformance.profiles.model import ID_FORMATS

    regex = ID_FORMATS.get(name)
    return re.compile(regex) if regex is not None else None
