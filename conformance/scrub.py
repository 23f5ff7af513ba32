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
import re
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence

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

#: Query parameters whose value is a secret, beyond :data:`SECRET_NAME`: ``user_key``, ``*_token``,
#: ``*_key``, ``*secret``, ``sig``... (a URL's query names are not a body's fields: broader is safe here).
SECRET_QUERY_NAME = re.compile(
    r"^(?:.*[-_.])?(?:key|apikey|token|secret|password|passwd|pwd|signature|sig|auth|credential|session)s?$",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a header, query parameter or JSON key names a secret."""
    return name.lower() in SECRET_HEADERS or bool(SECRET_NAME.match(name))


def is_secret_query_name(name: str) -> bool:
    """Whether a query parameter names a secret (``key``, ``user_key``, ``access_token``, ``api_key``...)."""
    return is_secret_name(name) or bool(SECRET_QUERY_NAME.match(name))


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries: its userinfo (password, and a user name long enough to be a key) and the
    values of key-like query parameters, decoded (what the gateway receives) and as written."""
    parts = urllib.parse.urlsplit(url)
    found: list[str] = []
    if parts.password:
        found += [urllib.parse.unquote(parts.password), parts.password]
    if parts.username and (parts.password is None or len(parts.username) >= 8):
        found += [urllib.parse.unquote(parts.username), parts.username]
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=False):
        if is_secret_query_name(name):
            found.append(value)
    for raw in parts.query.split("&"):
        name, _, value = raw.partition("=")
        if value and is_secret_query_name(urllib.parse.unquote_plus(name)):
            found.append(value)
    return [s for s in dict.fromkeys(found) if len(s) >= 4]


def without_userinfo(url: str) -> str:
    """``url`` without ``user:password@`` (the credentials never travel in a URL we send or write)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def scrub_registered_stream(pieces: Iterable[bytes], *, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """:func:`scrub_registered` over a stream: ``b"".join`` of the output is the scrubbed join of ``pieces``.

    Pieces are gathered into chunks of about ``chunk_bytes``; the last ``longest form - 1`` bytes of each
    scrubbed chunk are held back and scanned again with the next one, so a secret cut across two pieces is
    still found, while memory stays bounded by the chunk size whatever the total length.
    """
    secrets = registered_secrets()
    forms = [form for secret in secrets for form in _forms(secret)]
    keep = max((len(form) for form in forms), default=1) - 1
    pending: list[bytes] = []
    size = 0
    carry = b""
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size < chunk_bytes:
            continue
        buffer = scrub_bytes(carry + b"".join(pending), secrets) if forms else b"".join(pending)
        pending, size = [], 0
        if forms and keep:
            carry = buffer[-keep:]
            buffer = buffer[:-keep]
        yield buffer
    rest = carry + b"".join(pending)
    if rest:
        yield scrub_bytes(rest, secrets) if forms else rest
