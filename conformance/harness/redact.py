"""Redaction and payload shrinking, applied before anything reaches disk, a log or a report.

Two substitutions, used identically when recording and when replaying (the replay index applies them
to the outgoing request before lookup, so keys match):

* secrets: ``Authorization``-like headers, and any query parameter or JSON key that names a secret
  (``api_key``, ``key``, ``token``, ``access_key``, ``secret``, ...), become :data:`REDACTED`; URL
  userinfo too. The key's *value* is also scrubbed from every byte, wherever it appears (any header
  value, any body, any error), in every form :func:`secret_forms` lists (plain, URL-encoded,
  JSON-escaped, hex, base64/base64url also as the core inside a longer base64 string);
* the process's secret registry (:func:`register_secrets`): every key a run uses, and the secrets in
  ``--base-url``, are registered once; every file writer and the terminal scrub what is registered
  (:func:`scrub_registered`), a last line of defence behind the redaction at capture time;
* large base64 payloads (images) become ``sha256:<hex>`` placeholders (a ``data:`` URI keeps its
  prefix), so cassettes stay small and the same image always maps to the same placeholder.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from conformance.scrub import (
    MIN_FORM_CHARS,
    REDACTED,
    SECRET_HEADERS,
    SECRET_NAME,
    SECRET_QUERY_NAME,
    is_secret_name,
    is_secret_query_name,
    register_secrets,
    registered_secrets,
    scrub_bytes,
    scrub_registered,
    scrub_registered_text,
    scrub_text,
    secret_forms,
    url_secrets,
    without_userinfo,
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
_RUN_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
#: Base64-alphabet bytes -> "a", every other byte -> " ": a long run is then a plain substring search
#: (a few milliseconds on a 6 MB list body, where the regex took 200 ms per call).
_RUN_TABLE = bytes(0x61 if chr(i).encode("latin-1") in _RUN_CHARS else 0x20 for i in range(256))
_LONG_RUN = b"a" * 200


def _has_long_run(body: bytes) -> bool:
    """Whether ``body`` holds a run of at least 200 base64-alphabet bytes."""
    return _LONG_RUN in body.translate(_RUN_TABLE)


#: Every name :data:`_SECRET_KEY_HINT` matches ends in one of these (lower-cased, with the closing quote):
#: a plain substring search rules most bodies out before the (much slower) regex runs.
_SECRET_KEY_ENDINGS = (
    b'key"',
    b'token"',
    b'secret"',
    b'password"',
    b'passwd"',
    b'auth"',
    b'authorization"',
    b'credential"',
    b'credentials"',
    b'signature"',
    b'"sk"',
    b'"ak"',
)


def _may_name_a_secret(body: bytes) -> bool:
    """Whether ``body`` has a JSON key that may name a secret (the regex, after a cheap substring test)."""
    lowered = body.lower()
    return any(ending in lowered for ending in _SECRET_KEY_ENDINGS) and bool(_SECRET_KEY_HINT.search(body))


_DATA_URI_RE = re.compile(r"^(data:[^,;]*;base64,)(.*)$", re.DOTALL)


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
    """``url`` with userinfo and secret query parameters redacted (order kept)."""
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=f"{REDACTED}@{parts.netloc.rsplit('@', 1)[1]}")
        url = urllib.parse.urlunsplit(parts)
    if not parts.query:
        return url
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret_query_name(k) for k, _ in pairs):
        return url
    query = urllib.parse.urlencode([(k, REDACTED if is_secret_query_name(k) else v) for k, v in pairs])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def redact_headers(headers: Iterable[tuple[str, str]], secrets: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
    """Headers with secret values replaced by :data:`REDACTED`: by name (``Authorization``...), and by
    value (any header, ``Location``, ``WWW-Authenticate``, ``X-...``, holding a form of a secret)."""
    return tuple((k, REDACTED if is_secret_name(k) else scrub_text(v, secrets)) for k, v in headers)


def redact_body(body: bytes, secrets: Sequence[str] = ()) -> bytes:
    """A request or response body ready for disk: JSON redacted and shrunk (key order kept), secrets scrubbed.

    Non-JSON bodies are only scrubbed. The result is deterministic, so hashing it is a stable key.
    """
    body = scrub_bytes(body, secrets)
    if not body or body[:1] not in (b"{", b"["):
        return body
    if not _may_name_a_secret(body) and not _has_long_run(body):
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


__all__ = [
    "MIN_FORM_CHARS",
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_NAME",
    "SECRET_QUERY_NAME",
    "is_secret_name",
    "is_secret_query_name",
    "redact_body",
    "redact_headers",
    "redact_json",
    "redact_url",
    "register_secrets",
    "registered_secrets",
    "scrub_bytes",
    "scrub_registered",
    "scrub_registered_text",
    "scrub_text",
    "secret_forms",
    "url_secrets",
    "without_userinfo",
]
