"""The one fetch guard: which URLs the harness may fetch, and which address class a host is in.

Every URL the harness fetches on a gateway's say-so (result artefacts, redirect targets) goes through
:func:`check_fetch` / :func:`check_redirect`; every "is this loopback?" question goes through
:func:`is_loopback_url`. The rules:

* Only absolute ``http``/``https`` URLs are fetched (``file:``, ``data:``, relative URLs: refused).
* A host is classified by the addresses it *resolves to* (not by how its name looks:
  ``127.evil.example`` is not loopback): ``loopback``, ``private`` (RFC 1918, link-local incl.
  169.254.169.254, unique-local, CGNAT, multicast, unspecified, reserved) or ``public``. A host with any
  non-public address counts as the most internal one it has; a host that does not resolve is
  ``unresolved`` (refused: there is nothing safe to say about it).
* Result artefacts are fetched from public addresses only, unless the user allowed the host
  (``allowed_hosts``) or the URL is on the gateway's own origin and that origin is loopback (the
  in-process emulator or a local stub serving its own media).
* A redirect never moves to a different address class than the URL it started from.

A refusal is a :class:`Refusal` (a short, non-internal reason for the finding); nothing is sent to a
refused URL, so no internal reply can be stored. Tests simulate private hosts with :func:`use_resolver`
and never send traffic anywhere but loopback.
"""

from __future__ import annotations

import contextlib
import enum
import ipaddress
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A resolver: host name -> its IP addresses (strings). The default asks the system (getaddrinfo).
Resolver = Callable[[str], Sequence[str]]

PRIVATE_FINDING = "result URL points at a private address"


class AddressClass(enum.StrEnum):
    """Where an address is, from the harness's machine's point of view."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    PUBLIC = "public"
    UNRESOLVED = "unresolved"


#: How long the system resolver's answer for a host is reused (seconds). Hundreds of gateways on one host
#: (user profiles extending one base) ask once, not once each (a failing lookup can take a fraction of a
#: second); short enough that a long run sees the host's current addresses.
RESOLVE_TTL_SECONDS = 30.0

_resolved: dict[str, tuple[float, list[str]]] = {}
_resolved_lock = threading.Lock()


def _system_resolver(host: str) -> list[str]:
    now = time.monotonic()
    with _resolved_lock:
        cached = _resolved.get(host)
    if cached is not None and now < cached[0]:
        return list(cached[1])
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        addresses: list[str] = []
    else:
        addresses = sorted({str(info[4][0]) for info in infos})
    with _resolved_lock:
        if len(_resolved) >= 4096:  # bounded: a run naming endless hosts cannot grow it without limit
            _resolved.clear()
        _resolved[host] = (time.monotonic() + RESOLVE_TTL_SECONDS, addresses)
    return list(addresses)


_resolver: Resolver = _system_resolver


@contextlib.contextmanager
def use_resolver(resolver: Resolver) -> Iterator[None]:
    """Resolve host names with ``resolver`` inside the block (tests: simulate private or public hosts)."""
    global _resolver
    previous = _resolver
    _resolver = resolver
    try:
        yield
    finally:
        _resolver = previous


def classify_ip(address: str) -> AddressClass:
    """The class of one IP address literal (``unresolved`` when it is not one)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return AddressClass.UNRESOLVED
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return AddressClass.LOOPBACK
    if ip.is_global and not ip.is_multicast:
        return AddressClass.PUBLIC
    return AddressClass.PRIVATE


_RANK = {AddressClass.PUBLIC: 0, AddressClass.LOOPBACK: 1, AddressClass.PRIVATE: 2, AddressClass.UNRESOLVED: 3}


def classify_host(host: str) -> AddressClass:
    """The class of a host name or IP literal, from every address it resolves to (the most internal wins)."""
    host = host.strip().strip("[]").lower().rstrip(".")
    if not host:
        return AddressClass.UNRESOLVED
    literal = classify_ip(host)
    if literal is not AddressClass.UNRESOLVED:
        return literal
    addresses = list(_resolver(host))
    if not addresses:
        return AddressClass.UNRESOLVED
    return max((classify_ip(a) for a in addresses), key=_RANK.__getitem__)


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host resolves to loopback addresses only (``localhost``, ``127.0.0.1``, ``::1``...)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    return classify_host(parts.hostname or "") is AddressClass.LOOPBACK


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (default ports made explicit), lower-cased; ``""`` if not http(s)."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return ""
    return f"{scheme}://{parts.hostname.lower()}:{port}"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a URL was not fetched: ``finding`` is the short statement, ``detail`` the non-internal why."""

    finding: str
    detail: str

    def __str__(self) -> str:
        return f"refused: {self.finding} ({self.detail})"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchPolicy:
    """What may be fetched for one gateway: its configured origin, and the hosts the user allowed."""

    gateway_url: str = ""
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    def allows_host(self, host: str) -> bool:
        """Whether the user allowed ``host`` explicitly (exact name, case-insensitive)."""
        return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in self.allowed_hosts}


def check_fetch(url: str, policy: FetchPolicy) -> Refusal | None:
    """``None`` when ``url`` may be fetched as a result artefact under ``policy``, else the :class:`Refusal`."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"a {scheme}: URL" if scheme else "a relative URL"
        return Refusal("result URL is not an absolute http(s) URL", f"{what} is never fetched")
    host = parts.hostname or ""
    if not host:
        return Refusal("result URL is not an absolute http(s) URL", "no host")
    if policy.allows_host(host):
        return None
    kind = classify_host(host)
    if kind is AddressClass.PUBLIC:
        return None
    if kind is AddressClass.LOOPBACK and policy.gateway_url and origin(url) == origin(policy.gateway_url):
        return None  # the loopback gateway (the emulator, a local stub) serving its own media
    if kind is AddressClass.UNRESOLVED:
        return Refusal("result URL host does not resolve", f"{host} has no address")
    return Refusal(PRIVATE_FINDING, f"{host} resolves to a {kind.value} address; allow it with --allow-fetch-host")


def check_redirect(from_url: str, to_url: str, policy: FetchPolicy) -> Refusal | None:
    """``None`` when a redirect from ``from_url`` to ``to_url`` may be followed, else the :class:`Refusal`."""
    parts = urllib.parse.urlsplit(to_url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Refusal("redirect to a non-http(s) URL", "only absolute http(s) redirects are followed")
    if policy.allows_host(parts.hostname) or origin(to_url) == origin(from_url):
        return None
    start = classify_host(urllib.parse.urlsplit(from_url).hostname or "")
    target = classify_host(parts.hostname)
    if target is not start or target is AddressClass.UNRESOLVED:
        return Refusal(
            "redirect to a different class of address", f"{start.value} -> {target.value} ({parts.hostname})"
        )
    return None


class GuardRefused(Exception):
    """Raised by the httpx request hook when a hop is refused (caught by the client: a finding, not a crash)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


#: ``request.extensions`` keys the hook reads: the URL a logical request started at, and whether it is a
#: result-artefact fetch (every hop then passes :func:`check_fetch`). httpx copies extensions to redirects.
START_URL = "kling_start_url"
FETCH = "kling_fetch"


def strip_foreign_credentials(
    headers: Any, url: str, policy: FetchPolicy, auth_headers: Sequence[str], secrets: Sequence[str]
) -> None:
    """Remove every credential from ``headers`` (a mutable mapping) unless ``url`` is on the gateway's origin.

    Credentials are the configured auth header (any name), ``Authorization``, ``Cookie``, and any header
    whose value holds one of ``secrets``: they never go to an origin other than the configured one.
    """
    if policy.gateway_url and origin(url) == origin(policy.gateway_url):
        return
    names = {n.lower() for n in (*auth_headers, "authorization", "proxy-authorization", "cookie")}
    for name in list(headers.keys()):
        value = str(headers[name])
        if name.lower() in names or any(s and s in value for s in secrets):
            del headers[name]


def httpx_request_hook(
    policy: FetchPolicy, auth_headers: Sequence[str] = (), secrets: Sequence[str] = ()
) -> Callable[[Any], Any]:
    """An ``httpx.AsyncClient`` ``event_hooks["request"]`` entry enforcing this module on every hop.

    Strips credentials off requests to other origins; refuses (raises :class:`GuardRefused`) a redirect
    hop that changes address class, and any hop of a result fetch that :func:`check_fetch` refuses.
    """
    import asyncio

    async def hook(request: Any) -> None:
        url = str(request.url)
        strip_foreign_credentials(request.headers, url, policy, auth_headers, secrets)
        start = str(request.extensions.get(START_URL) or "")
        if request.extensions.get(FETCH):
            refusal = await asyncio.to_thread(check_fetch, url, policy)
        elif start and url != start and origin(url) != origin(start):
            refusal = await asyncio.to_thread(check_redirect, start, url, policy)
        else:
            return
        if refusal is not None:
            raise GuardRefused(refusal)

    return hook


def sync_httpx_request_hook(
    policy: FetchPolicy, auth_headers: Sequence[str] = (), secrets: Sequence[str] = ()
) -> Callable[[Any], None]:
    """The :func:`httpx_request_hook` rules for a sync ``httpx.Client`` (the pytest plugin's client)."""

    def hook(request: Any) -> None:
        url = str(request.url)
        strip_foreign_credentials(request.headers, url, policy, auth_headers, secrets)
        start = str(request.extensions.get(START_URL) or "")
        if start and url != start and origin(url) != origin(start):
            refusal = check_redirect(start, url, policy)
            if refusal is not None:
                raise GuardRefused(refusal)

    return hook


__all__ = [
    "FETCH",
    "PRIVATE_FINDING",
    "START_URL",
    "AddressClass",
    "FetchPolicy",
    "GuardRefused",
    "Refusal",
    "check_fetch",
    "check_redirect",
    "classify_host",
    "classify_ip",
    "httpx_request_hook",
    "is_loopback_url",
    "origin",
    "strip_foreign_credentials",
    "sync_httpx_request_hook",
    "use_resolver",
]
