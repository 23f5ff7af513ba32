"""``kling_endpoint``: everything a third-party Kling client needs to be pointed at a gateway.

Clients differ in what they take: a host, a base URL with a path, a ready token or Kling's AK/SK pair
(to sign their own HS256 JWT), a CA bundle for https. :class:`KlingEndpoint` has each of them. On the
emulator every gateway is served alone at the root of its own port (so a host-only client works), with a
throwaway key and AK/SK pair the emulator accepts; live, it is the gateway's real host with the
credentials from the variables the profile (or your ``access-key-env``/``secret-key-env``) names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.profiles.auth import Credentials, auth_parts, sign_jwt, token_for


@dataclass(frozen=True, slots=True, kw_only=True)
class KlingEndpoint:
    """A gateway as a client sees it. ``repr`` never shows a credential."""

    gateway: str
    base_url: str  # scheme://host[:port]: the gateway's root
    path_prefix: str  # "/kling" on gateways, "" on the official API
    profile: Any = field(repr=False)
    credentials: Credentials = field(repr=False)
    ca_bundle: Path | None = None
    emulated: bool = False

    @property
    def api_base(self) -> str:
        """The base URL with the path prefix: ``https://gw.example/kling`` (where ``/v1/...`` follows)."""
        return self.base_url + self.path_prefix

    @property
    def host(self) -> str:
        """``host[:port]`` only, for clients that take nothing else."""
        return self.base_url.split("://", 1)[1]

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return self.base_url.split("://", 1)[0]

    @property
    def api_key(self) -> str:
        """The gateway key (or pre-signed token) for clients that take a key."""
        return self.credentials.key

    @property
    def access_key(self) -> str:
        """Kling AK for clients that sign their own JWT (``""`` when none is configured)."""
        return self.credentials.access_key

    @property
    def secret_key(self) -> str:
        """Kling SK for clients that sign their own JWT."""
        return self.credentials.secret_key

    @property
    def verify(self) -> str | bool:
        """What to pass as ``verify=`` (requests, httpx): the CA bundle path, or ``True``."""
        return str(self.ca_bundle) if self.ca_bundle else True

    def token(self) -> str:
        """A token as the profile wants it now: a freshly signed JWT (AK/SK) or the key."""
        return token_for(self.profile.auth, self.credentials)

    def jwt(self) -> str:
        """A freshly signed Kling JWT from the AK/SK (iss=AK, exp=now+1800, nbf=now-5)."""
        if not self.credentials.signs:
            raise LookupError(f"no AK/SK for {self.gateway}: set access-key-env and secret-key-env")
        return sign_jwt(self.credentials.access_key, self.credentials.secret_key)

    @property
    def headers(self) -> dict[str, str]:
        """The auth headers (``Authorization: Bearer <token>``, or the profile's header), fresh per access."""
        return dict(auth_parts(self.profile.auth, self.token()).headers)

    @property
    def params(self) -> dict[str, str]:
        """Auth query parameters, for profiles that take the key in the query string (else empty)."""
        return dict(auth_parts(self.profile.auth, self.token()).query)

    def url(self, path: str) -> str:
        """``path`` (``/v1/videos/text2video``) below the gateway's prefix."""
        return self.api_base + path
