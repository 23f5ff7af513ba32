"""Refuse profiles that hold an API key instead of the name of the variable that holds it.

A profile names the environment variable (``auth.env = "YIBUAPI_API_KEY"``); the key itself never
touches disk. This scan runs before schema validation so that no later message can echo a key: the
error names the file and the key path, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from conformance.errors import ProfileError

#: Key names that only ever hold secrets.
_SECRET_KEY_NAMES = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "access_token",
        "secret",
        "secret_key",
        "access_key",
        "password",
        "authorization",
        "bearer",
    }
)

_SECRET_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an sk- style API key", re.compile(r"\bsk-[A-Za-z0-9_-]{16,}")),
    ("a JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")),
    ("a Bearer credential", re.compile(r"(?i)\bbearer\s+(?!<)[A-Za-z0-9._~+/=-]{8,}")),
    ("an access-key|secret-key pair", re.compile(r"\b[A-Za-z0-9]{16,}\|[A-Za-z0-9]{16,}\b")),
    ("a UUID-style key", re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)),
    ("a hex token", re.compile(r"^[0-9a-fA-F]{32,}$")),
)
_LONG_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,}$")


def _looks_like_key(value: str) -> str:
    """The kind of credential ``value`` looks like, or ``""``."""
    for label, pattern in _SECRET_VALUE_PATTERNS:
        if pattern.search(value):
            return label
    stripped = value.strip()
    mixed = re.search(r"[0-9]", stripped) and re.search(r"[a-z]", stripped) and re.search(r"[A-Z]", stripped)
    if _LONG_TOKEN.match(stripped) and mixed:
        return "a long random token"
    return ""


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """Yield (json path, key name, value) for every value below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key), value
            yield from _walk(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            child = f"{path}[{index}]"
            yield child, "", value
            yield from _walk(value, child)


def refuse_literal_keys(data: dict[str, Any], *, where: str) -> None:
    """Raise :class:`ProfileError` if any value in ``data`` looks like a credential.

    The message names the file and the key path and says what to do; the value is never included.
    """
    for path, key, value in _walk(data, ""):
        if not isinstance(value, str) or not value:
            continue
        label = "a secret" if key.lower() in _SECRET_KEY_NAMES else _looks_like_key(value)
        if label:
            raise ProfileError(
                f"this value looks like {label}; profiles never hold keys (value withheld)",
                where=where,
                field=path,
                fix=(
                    "delete the literal, put the NAME of an environment variable in auth.env "
                    '(e.g. env = "MYGATEWAY_API_KEY") and export the key in that variable'
                ),
            )
