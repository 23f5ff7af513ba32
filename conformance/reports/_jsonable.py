"""Turn whatever a harness put into ``expected``/``actual`` into plain JSON values, fast (orjson)."""

from __future__ import annotations

import base64
import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(value: Any) -> Any:
    """What orjson cannot serialise natively: sets, bytes, dataclasses with ``to_dict``, anything else."""
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(raw).decode("ascii")
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return str(value)


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """UTF-8 JSON of ``value`` (any of the above), indented by two spaces when asked."""
    options = _OPTIONS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, default=_default, option=options)
    except (orjson.JSONEncodeError, TypeError):  # e.g. integers beyond 64 bits: take the slow, total path
        return orjson.dumps(_slow(value), option=options)


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of ``value``: tuples and sets become lists, bytes text, enums their values."""
    if value is None or (isinstance(value, str | int | float | bool) and not isinstance(value, enum.Enum)):
        return value
    return orjson.loads(dumps(value))


def _slow(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return _slow(value.value)
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, Mapping):
        return {str(k): _slow(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_slow(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _slow(_default(value) if hasattr(value, "to_dict") else dataclasses.asdict(value))
    return _slow(_default(value))
