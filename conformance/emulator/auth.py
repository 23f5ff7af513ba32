"""Key checks: plain bearer keys, and the official AK/SK-signed JWTs (Kling §8) with nbf/exp.

A configured key written ``ACCESS_KEY|SECRET_KEY`` (new-api's channel-key convention) accepts a
``Bearer <jwt>`` signed HS256 with the secret key whose ``iss`` is the access key, as the official API
does; it yields Kling's own codes: 1003 before ``nbf``, 1004 after ``exp``, 1002 for a bad signature
or an unknown issuer. Any other key is compared as a plain bearer token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuthVerdict:
    """Why a token is refused: the reason (``missing``, ``invalid``, ``not-yet-valid``, ``expired``)."""

    reason: str


MISSING = AuthVerdict("missing")
INVALID = AuthVerdict("invalid")
NOT_YET_VALID = AuthVerdict("not-yet-valid")
EXPIRED = AuthVerdict("expired")


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyChecker:
    """Checks a bearer token against plain keys and ``AK|SK`` pairs (constant-time comparisons)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._plain = tuple(k.encode() for k in keys if "|" not in k)
        self._pairs = dict(k.split("|", 1) for k in keys if "|" in k)
        self.open = not keys  # no keys configured: any well-formed token is accepted

    def check(self, token: str, now: float | None = None) -> AuthVerdict | None:
        """``None`` when ``token`` is accepted, else the verdict."""
        if not token:
            return MISSING
        if self.open:
            return None
        given = token.encode()
        if any(hmac.compare_digest(given, key) for key in self._plain):
            return None
        if self._pairs and token.count(".") == 2:
            return self._check_jwt(token, time.time() if now is None else now)
        return INVALID

    def _check_jwt(self, token: str, now: float) -> AuthVerdict | None:
        head, body, signature = token.split(".")
        try:
            header = json.loads(_b64url(head))
            claims = json.loads(_b64url(body))
            mac = _b64url(signature)
        except (ValueError, binascii.Error):
            return INVALID
        if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
            return INVALID
        secret = self._pairs.get(str(claims.get("iss", "")))
        if secret is None:
            return INVALID
        expected = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected):
            return INVALID
        nbf, exp = claims.get("nbf"), claims.get("exp")
        if isinstance(nbf, int | float) and now < nbf:
            return NOT_YET_VALID
        if isinstance(exp, int | float) and now >= exp:
            return EXPIRED
        return None


def sign_jwt(access_key: str, secret_key: str, *, now: float | None = None, lifetime: int = 1800) -> str:
    """A token as the official docs sign it: HS256, ``iss`` = AK, ``exp`` = now+1800, ``nbf`` = now-5."""
    moment = int(time.time() if now is None else now)

    def encode(part: dict[str, object]) -> str:
        raw = json.dumps(part, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": access_key, "exp": moment + lifetime, "nbf": moment - 5}
    signing = f"{encode({'alg': 'HS256', 'typ': 'JWT'})}.{encode(claims)}"
    mac = hmac.new(secret_key.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
