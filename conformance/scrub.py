"""The key's value, scrubbed by value: every encoding a secret can take, and the process's secret registry.

Plain data (layer 1), so that every writer (cassettes, reports) and the terminal can use it:

* :func:`secret_forms`: a secret and ``Bearer <secret>`` in plain, URL-encoded, JSON-escaped, hex (both
  cases), base64/base64url, whole and as the core inside any longer base64 string (3 alignments);
* :func:`scrub_bytes` / :func:`scrub_text`: replace every form by :data:`REDACTED`;
* :func:`register_secrets`: every key a run uses, and the secrets in ``--base-url``, are registered once;
  :func:`scrub_registered` is what every file writer and the terminal apply (the last line of defence
  behind the redaction at capture time, :mod:`conformance.harness.redact`).
"""

from __future__ import annotations

import base64
import functools
import threading
import urllib.parse
from collections.abc import Sequence

import orjson

REDACTED = "[REDACTED]"

#: Secret forms shorter than this are not scrubbed (they would match ordinary text).
MIN_FORM_CHARS = 6


_registry: dict[str, None] = {}
_registry_lock = threading.Lock()


def register_secrets(*values: str | None) -> None:
    """Add ``values`` to the secrets every writer and the terminal scrub for the rest of the process."""
    with _registry_lock:
        for value in values:
            if value and len(value) >= 4:
                _registry[value] = None


def registered_secrets() -> tuple[str, ...]:
    """The secrets registered so far (see :func:`register_secrets`)."""
    return tuple(_registry)


def scrub_registered(data: bytes) -> bytes:
    """``data`` with every form of every registered secret replaced (the writers' last line of defence)."""
    return scrub_bytes(data, registered_secrets()) if _registry else data


def scrub_registered_text(text: str) -> str:
    """String form of :func:`scrub_registered` (the terminal)."""
    return scrub_text(text, registered_secrets()) if _registry else text


def _base64_cores(raw: bytes) -> set[bytes]:
    """The base64 (and base64url) text that ``raw`` becomes inside any longer base64 string, at each of
    the 3 alignments: the quanta made of ``raw``'s bytes only (so ``base64("Bearer " + key)`` holds one)."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        first = -(-shift // 3) * 4
        last = (shift + len(raw)) // 3 * 4
        core = encoded[first:last]
        cores |= {core, core.replace(b"+", b"-").replace(b"/", b"_")}
    return cores


@functools.lru_cache(maxsize=256)
def _forms(secret: str) -> tuple[bytes, ...]:
    raw = secret.encode()
    bearer = f"Bearer {secret}".encode()
    forms = {
        raw,
        urllib.parse.quote(secret, safe="").encode(),
        urllib.parse.quote(secret).encode(),
        urllib.parse.quote_plus(secret).encode(),
        orjson.dumps(secret)[1:-1],
        orjson.dumps(secret)[1:-1].replace(b"/", b"\\/"),
        raw.hex().encode(),
        raw.hex().upper().encode(),
    }
    for value in (raw, bearer):
        whole = base64.b64encode(value)
        forms |= {
            whole,
            whole.rstrip(b"="),
            base64.urlsafe_b64encode(value),
            base64.urlsafe_b64encode(value).rstrip(b"="),
        }
    forms |= _base64_cores(raw)
    return tuple(sorted((f for f in forms if len(f) >= MIN_FORM_CHARS), key=len, reverse=True))


def secret_forms(secret: str) -> list[bytes]:
    """Every encoding of ``secret`` (and of ``Bearer <secret>``) that must never be written: plain,
    URL-encoded (``/`` kept or escaped, ``+`` for spaces), JSON-escaped (also with ``\\/``), hex in both
    cases, base64 and base64url, whole and as the core inside any longer base64 string. Longest first."""
    return list(_forms(secret)) if secret else []


def scrub_bytes(data: bytes, secrets: Sequence[str]) -> bytes:
    """``data`` with every form of every secret replaced by :data:`REDACTED`."""
    if not data or not secrets:
        return data
    for secret in secrets:
        if not secret:
            continue
        for form in _forms(secret):
            if form in data:
                data = data.replace(form, REDACTED.encode())
    return data


def scrub_text(text: str, secrets: Sequence[str]) -> str:
    """String form of :func:`scrub_bytes` (for error messages and logs)."""
    if not text or not secrets:
        return text
    return scrub_bytes(text.encode("utf-8", "surrogateescape"), secrets).decode("utf-8", "surrogateescape")
