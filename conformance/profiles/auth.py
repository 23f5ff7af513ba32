"""Writing and reading a gateway's credentials as its profile's ``[auth]`` says (one place for both).

The client side (harness, fuzz, pytest plugin) calls :func:`request_auth` (or :func:`auth_parts` for a
token it already has, such as a deliberately invalid key) to get the headers and query parameters to
add; the emulator calls :func:`read_token` to find the token where the profile puts it. Kling's own
AK/SK tokens (``reference/kling-contract.md`` §8) are HS256 JWTs with ``iss`` = AK, ``exp`` = now+1800
and ``nbf`` = now-5: :func:`sign_jwt` makes one, :func:`jwt_claims` reads one without verifying it.
Standard library only; nothing here logs or stores a credential.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from conformance.profiles.model import AuthSpec

JWT_LIFETIME = 1800  # seconds (§8: exp = now + 1800)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a client holds: an API key (or pre-signed token) and/or Kling's AK/SK pair."""

    key: str = ""
    access_key: str = ""
    secret_key: str = ""

    def __bool__(self) -> bool:
        return bool(self.key or (self.access_key and self.secret_key))

    @property
    def signs(self) -> bool:
        """Whether an AK/SK pair is present (tokens are signed per request)."""
        return bool(self.access_key and self.secret_key)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential value, for redaction."""
        return tuple(s for s in (self.key, self.access_key, self.secret_key) if s)


@dataclass(frozen=True, slots=True)
class AuthParts:
    """What to add to one request: headers and query parameters (each a tuple of name/value pairs)."""

    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = field(default=())


def credentials_from_env(spec: AuthSpec, environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials the profile's variables hold (empty :class:`Credentials` when none is set).

    AK/SK are read only for ``credential = "kling-jwt"`` profiles.
    """
    env = os.environ if environ is None else environ
    key = env.get(spec.env, "") if spec.env else ""
    if spec.credential != "kling-jwt":
        return Credentials(key=key)
    access, secret = env.get(spec.access_key_env, ""), env.get(spec.secret_key_env, "")
    return Credentials(key=key, access_key=access, secret_key=secret)


def missing_credentials_hint(spec: AuthSpec) -> str:
    """What to export for this profile (``export X=<your key>``), for error messages."""
    if spec.credential == "kling-jwt":
        return f"export {spec.access_key_env}=<AK> {spec.secret_key_env}=<SK> (or {spec.env}=<a signed token>)"
    return f"export {spec.env}=<your key>"


def token_for(spec: AuthSpec, creds: Credentials, now: float | None = None) -> str:
    """The token to send now: a freshly signed JWT when the profile signs and AK/SK are given, else the key."""
    if spec.credential == "kling-jwt" and creds.signs:
        return sign_jwt(creds.access_key, creds.secret_key, now=now)
    return creds.key


def auth_parts(spec: AuthSpec, token: str) -> AuthParts:
    """``token`` placed as the profile says: ``header: <prefix> <token>``, or ``?<query>=<token>``."""
    if not token:
        return AuthParts()
    if spec.query:
        return AuthParts(query=((spec.query, token),))
    value = f"{spec.prefix} {token}" if spec.prefix else token
    return AuthParts(headers=((spec.header, value),))


def request_auth(spec: AuthSpec, creds: Credentials, now: float | None = None) -> AuthParts:
    """Headers and query parameters authenticating one request with ``creds``."""
    return auth_parts(spec, token_for(spec, creds, now))


def auth_names(spec: AuthSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(header names, query parameter names) that may carry a credential: strip them on a cross-origin redirect."""
    headers = ("Authorization",) if spec.header.lower() == "authorization" else ("Authorization", spec.header)
    return headers, ((spec.query,) if spec.query else ())


def read_token(spec: AuthSpec, headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The token a request carries where the profile puts it.

    ``None`` when nothing is there; ``""`` when something is there but not in the expected form (a
    missing ``Bearer`` prefix, an empty value). ``headers`` must be case-insensitive (Starlette's are).
    """
    if spec.query:
        value = query.get(spec.query)
        return None if value is None else value.strip()
    raw = headers.get(spec.header)
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if not spec.prefix:
        return raw
    scheme, _, token = raw.partition(" ")
    return token.strip() if scheme.lower() == spec.prefix.lower() else ""


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign_jwt(access_key: str, secret_key: str, *, now: float | None = None, lifetime: int = JWT_LIFETIME) -> str:
    """A token as the official docs sign it: HS256, ``iss`` = AK, ``exp`` = now+1800, ``nbf`` = now-5."""
    moment = int(time.time() if now is None else now)

    def encode(part: dict[str, object]) -> str:
        return _b64url(json.dumps(part, separators=(",", ":")).encode())

    claims = {"iss": access_key, "exp": moment + lifetime, "nbf": moment - 5}
    signing = f"{encode({'alg': 'HS256', 'typ': 'JWT'})}.{encode(claims)}"
    mac = hmac.new(secret_key.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64url(mac)}"


def jwt_parts(token: str) -> tuple[dict[str, object], dict[str, object], bytes] | None:
    """(header, claims, signature) of a compact JWS, or ``None`` when ``token`` is not one."""
    if token.count(".") != 2:
        return None
    head, body, signature = token.split(".")
    try:
        header = json.loads(_b64url_decode(head))
        claims = json.loads(_b64url_decode(body))
        mac = _b64url_decode(signature)
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict) or "alg" not in header:
        return None
    return header, claims, mac


def jwt_claims(token: str) -> dict[str, object] | None:
    """The claims of a JWT, unverified (``None`` when ``token`` is not a JWT)."""
    parts = jwt_parts(token)
    return None if parts is None else parts[1]


def verify_jwt(token: str, secret_key: str) -> bool:
    """Whether ``token`` is an HS256 JWT signed with ``secret_key`` (constant-time comparison)."""
    parts = jwt_parts(token)
    if parts is None or parts[0].get("alg") != "HS256":
        return False
    head, body, _ = token.split(".")
    expected = hmac.new(secret_key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(parts[2], expected)
