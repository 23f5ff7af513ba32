"""Redaction and payload shrinking, applied before anything reaches disk, a log or a report.

Two substitutions, used identically when recording and when replaying (the replay index applies them
to the outgoing request before lookup, so keys match):

* secrets: ``Authorization``-like headers, and any query parameter or JSON key that names a secret
  (``api_key``, ``key``, ``token``, ``access_key``, ``secret``, ...), become :data:`REDACTED`; the
  literal key value is also scrubbed from every byte, in plain, base64 and URL-encoded forms;
* large base64 payloads (images) become ``sha256:<hex>`` placeholders (a ``data:`` URI keeps its
  prefix), so cassettes stay small and the same image always maps to the same placeholder.
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

REDACTED = "[REDACTED]"

#: JSON keys and query parameters whose value is a secret (matched case-insensitively, whole name).
SECRET_NAME = re.compile(
    r"^(?:x[-_])?(?:api[-_]?key|apikey|key|token|access[-_]?token|refresh[-_]?token|access[-_]?key|"
    r"secret|secret[-_]?key|client[-_]?secret|password|passwd|authorization|auth|credential|credentials|"
    r"signature|session[-_]?token|sk|ak)$",
    re.IGNORECASE,
)

#: Headers whose value is always a secret.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie", "x-auth-token"}
)

#: Strings at least this long that are pure base64 are replaced by a placeholder.
BASE64_MIN_CHARS = 256

_BASE64_RE = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
#: Cheap pre-checks on raw JSON bytes: a key that may name a secret, or a long base64-looking run.
_SECRET_KEY_HINT = re.compile(
    rb'"(?:x[-_])?(?:api[-_]?key|apikey|key|token|access[-_]?token|refresh[-_]?token|access[-_]?key|secret|'
    rb"secret[-_]?key|client[-_]?secret|password|passwd|authorization|auth|credentials?|signature|"
    rb'session[-_]?token|sk|ak)"\s*:',
    re.IGNORECASE,
)
_LONG_RUN_HINT = re.compile(rb"[A-Za-z0-9+/_-]{%d,}" % 200)
_DATA_URI_RE = re.compile(r"^(data:[^,;]*;base64,)(.*)$", re.DOTALL)


def is_secret_name(name: str) -> bool:
    """Whether a header, query parameter or JSON key names a secret."""
    return name.lower() in SECRET_HEADERS or bool(SECRET_NAME.match(name))


def placeholder_for(payload: str) -> str:
    """The stable ``sha256:<hex>`` placeholder of a base64 payload."""
    return "sha256:" + hashlib.sha256(payload.encode("ascii", "replace")).hexdigest()


def shrink_string(value: str) -> str:
    """Replace a large base64 string (or ``data:`` URI payload) by its placeholder; other strings unchanged."""
    if len(value) < BASE64_MIN_CHARS:
        return value
    match = _DATA_URI_RE.match(value)
    if match is not None:
        return match.group(1) + placeholder_for(match.group(2))
    if _BASE64_RE.match(value):
        return placeholder_for(value)
    return value


def redact_json(value: Any) -> Any:
    """A copy of a parsed JSON value with secret keys redacted and large base64 strings shrunk."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_name(k) and v not in (None, "") else redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, str):
        return shrink_string(value)
    return value


def redact_url(url: str) -> str:
    """``url`` with secret query parameters redacted (order kept)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret_name(k) for k, _ in pairs):
        return url
    query = urllib.parse.urlencode([(k, REDACTED if is_secret_name(k) else v) for k, v in pairs])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Headers with secret values replaced by :data:`REDACTED`."""
    return tuple((k, REDACTED if is_secret_name(k) else v) for k, v in headers)


def secret_forms(secret: str) -> list[bytes]:
    """Every encoding of ``secret`` that must never be written: plain, base64, URL-encoded, JSON-escaped."""
    if not secret:
        return []
    raw = secret.encode()
    forms = {
        raw,
        base64.b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        urllib.parse.quote(secret, safe="").encode(),
        urllib.parse.quote_plus(secret).encode(),
        orjson.dumps(secret)[1:-1],
    }
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def scrub_bytes(data: bytes, secrets: Sequence[str]) -> bytes:
    """``data`` with every form of every secret replaced by :data:`REDACTED`."""
    if not data or not secrets:
        return data
    for secret in secrets:
        for form in secret_forms(secret):
            if form in data:
                data = data.replace(form, REDACTED.encode())
    return data


def scrub_text(text: str, secrets: Sequence[str]) -> str:
    """String form of :func:`scrub_bytes` (for error messages and logs)."""
    if not text or not secrets:
        return text
    return scrub_bytes(text.encode("utf-8", "surrogateescape"), secrets).decode("utf-8", "surrogateescape")


def redact_body(body: bytes, secrets: Sequence[str] = ()) -> bytes:
    """A request or response body ready for disk: JSON redacted and shrunk (key order kept), secrets scrubbed.

    Non-JSON bodies are only scrubbed. The result is deterministic, so hashing it is a stable key.
    """
    body = scrub_bytes(body, secrets)
    if not body or body[:1] not in (b"{", b"["):
        return body
    if not _SECRET_KEY_HINT.search(body) and not _LONG_RUN_HINT.search(body):
        return body  # nothing to redact or shrink: skip parsing (the common case, and the fast one)
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body
    cleaned = redact_json(parsed)
    if cleaned == parsed:
        return body
    return orjson.dumps(cleaned)


def body_key(body: bytes) -> str:
    """Hash of a (redacted) body used by the replay index; JSON bodies hash key-order-independently."""
    if not body:
        return ""
    if body[:1] in (b"{", b"["):
        try:
            canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
        except orjson.JSONDecodeError:
            canonical = body
    else:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()[:16]
