"""Reading the ``code`` field that tells the envelope families apart.

Kling sends an integer (0 = success); new-api and one-hub send a string (``"success"``,
``"task_not_exist"``, ``""``). Gateways also send numeric strings (``"0"``), floats and nulls; each of
those is read the way a client would most likely read it, with a note.
"""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass
from typing import Any

from conformance.normalize.fields import json_type


class CodeKind(enum.Enum):
    """How the ``code`` field was sent."""

    MISSING = "missing"
    NULL = "null"
    INT = "int"  # an integer, an integral float, or a numeric string
    STRING = "string"  # a non-numeric string (new-api style)
    OTHER = "other"  # a boolean, object, array or non-integral number


@dataclass(frozen=True, slots=True)
class Code:
    """The ``code`` of a body: its kind, its integer value (``INT``) or text (``STRING``), and a note."""

    kind: CodeKind
    number: int = 0
    text: str = ""
    note: str = ""


_INT64 = 2**63
_MISSING = Code(CodeKind.MISSING)
_NULL = Code(CodeKind.NULL, note="code is null")


@functools.lru_cache(maxsize=512)
def _int_code(value: int) -> Code:
    """The (immutable) reading of an everyday integer code, built once."""
    return Code(CodeKind.INT, number=value)


def read_code(body: dict[str, Any]) -> Code:
    """Classify ``body["code"]``."""
    if "code" not in body:
        return _MISSING
    value = body["code"]
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return Code(CodeKind.OTHER, note="code is a boolean")
    if isinstance(value, int):
        if abs(value) >= _INT64:
            return Code(CodeKind.OTHER, note="code is a number out of range")
        if type(value) is int and -1000 <= value <= 100000:
            return _int_code(value)
        return Code(CodeKind.INT, number=value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return Code(CodeKind.INT, number=int(value), note="code is a float")
        return Code(CodeKind.OTHER, note="code is a non-integral number")
    if isinstance(value, str):
        stripped = value.strip()
        if is_integer_text(stripped):
            return Code(CodeKind.INT, number=int(stripped), note="code is a string")
        return Code(CodeKind.STRING, text=value)
    return Code(CodeKind.OTHER, note=f"code is {json_type(value)}")


def is_integer_text(stripped: str) -> bool:
    """Whether a stripped string is a decimal integer a code may be sent as (``"0"``, ``"-1"``; under 20 chars)."""
    return (
        stripped.isascii()
        and bool(stripped)
        and (stripped.isdigit() or (stripped[0] in "+-" and stripped[1:].isdigit()))
        and len(stripped) < 20
    )
