"""Credential checks per gateway: each profile accepts only the credential kinds its ``[auth]`` lists.

Configured keys (``EmulatorConfig.keys``) are plain gateway keys, or ``ACCESS_KEY|SECRET_KEY`` pairs
(new-api's channel-key convention) that verify Kling's own HS256 JWTs (``iss`` = AK; §8) with
Kling's codes: 1003 before ``nbf``, 1004 after ``exp``, 1002 for a bad signature or an unknown issuer.

A gateway whose ``accepts`` lacks ``kling-jwt`` (new-api, one-hub and every reseller: the gateway holds
the Kling credentials, a Kling-signed token is not one of its keys) refuses a Kling JWT even in open
mode; one whose ``accepts`` lacks ``api-key`` refuses anything that is not such a JWT. Open mode (no
keys configured) accepts any token of an accepted kind, and a JWT only inside its ``nbf``/``exp``.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass

from conformance.profiles.auth import jwt_parts, sign_jwt, verify_jwt

__all__ = ["EXPIRED", "INVALID", "MISSING", "NOT_YET_VALID", "AuthVerdict", "KeyChecker", "sign_jwt"]


@dataclass(frozen=True, slots=True)
class AuthVerdict:
    """Why a token is refused: the reason (``missing``, ``invalid``, ``not-yet-valid``, ``expired``)."""

    reason: str


MISSING = AuthVerdict("missing")
INVALID = AuthVerdict("invalid")
NOT_YET_VALID = AuthVerdict("not-yet-valid")
EXPIRED = AuthVerdict("expired")


def looks_like_kling_jwt(token: str) -> bool:
    """Whether ``token`` is a compact JWT signed HS256 with an ``iss`` (how Kling's AK/SK tokens look)."""
    parts = jwt_parts(token)
    return parts is not None and parts[0].get("alg") == "HS256" and "iss" in parts[1]


class KeyChecker:
    """Checks a token against plain keys and ``AK|SK`` pairs (constant-time), for the accepted kinds."""

    def __init__(self, keys: tuple[str, ...], accepts: Iterable[str] = ("api-key", "kling-jwt")) -> None:
        self._plain = tuple(k.encode() for k in keys if "|" not in k)
        self._pairs = dict(k.split("|", 1) for k in keys if "|" in k)
        self.accepts = frozenset(accepts)
        self.open = not keys  # no keys configured: any token of an accepted kind is accepted

    def check(self, token: str, now: float | None = None) -> AuthVerdict | None:
        """``None`` when ``token`` is accepted, else the verdict."""
        if not token:
            return MISSING
        moment = time.time() if now is None else now
        if looks_like_kling_jwt(token):
            if "kling-jwt" not in self.accepts:
                return INVALID
            return self._check_jwt(token, moment)
        if "api-key" not in self.accepts:
            return INVALID
        if self.open:
            return None
        given = token.encode()
        return None if any(hmac.compare_digest(given, key) for key in self._plain) else INVALID

    def _check_jwt(self, token: str, now: float) -> AuthVerdict | None:
        parts = jwt_parts(token)
        if parts is None:
            return INVALID
        claims = parts[1]
        if not self.open:
            secret = self._pairs.get(str(claims.get("iss", "")))
            if secret is None or not verify_jwt(token, secret):
                return INVALID
        nbf, exp = claims.get("nbf"), claims.get("exp")
        if isinstance(nbf, int | float) and now < nbf:
            return NOT_YET_VALID
        if isinstance(exp, int | float) and now >= exp:
            return EXPIRED
        return None
