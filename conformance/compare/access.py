"""Differences in how a client reaches B at all: path prefix, credentials, TLS, endpoints beyond tasks.

Each of these fails *every* call (or every call to one endpoint) before any body is read, so each is
breaking for a client that makes such a call:

- ``base-path``: the official API lives at ``/v1/...``, gateways at ``/kling/v1/...``. A client that
  takes only a host (``uses.base_url: host``, the default) and is switched by changing the host gets
  404 on every call; one that takes a base URL with a path (``base_url: url``) is told the new one.
- ``auth-scheme``: the credential the client sends (``uses.auth``, default A's ``[auth] credential``)
  is not one B accepts (a Kling-signed AK/SK JWT on a gateway that wants its own key), or B expects
  it in another header, with another prefix, or in the query string.
- ``tls``: A is https and B's documented base URL is plain http (breaks an https-only client).
- ``endpoint-missing``: an endpoint beyond the task families (``account.costs``) that A serves and B
  does not.
"""

from __future__ import annotations

from typing import Any

from conformance.compare.facts import Fact
from conformance.compare.model import Kind
from conformance.profiles.model import ENDPOINTS, AuthSpec


def _auth_line(spec: AuthSpec, credential: str) -> str:
    if spec.query:
        return f"?{spec.query}=<{credential}>"
    prefix = f"{spec.prefix} " if spec.prefix else ""
    return f"{spec.header}: {prefix}<{credential}>"


def compare_access(bld: Any) -> None:
    """Add the base-path, auth-scheme, TLS and endpoint differences between ``bld.a`` and ``bld.b``."""
    uses, a_name, b_name = bld.uses, bld.a.gateway, bld.b.gateway
    calls = uses.everything or bool(uses.operations)
    pa, pb = bld.pair("", "path_prefix")
    if pa is not None and pb is not None and pa.value != pb.value:
        old, new = pa.value or "(none)", pb.value or "(none)"
        host_only = uses.everything or uses.base_url == "host"
        bld.add(
            Kind.BASE_PATH,
            "",
            "path_prefix",
            pa,
            pb,
            touches=calls and host_only,
            impact=f"{a_name} serves /v1/... below prefix {old}, {b_name} below {new}: a client that only "
            f"changes the host gets 404 on every call"
            + ("" if host_only else " (this client takes a base URL with a path: set it to the new prefix)"),
        )
    _compare_auth(bld, calls)
    sa, sb = bld.pair("", "base_scheme")
    if sa is not None and sb is not None and sa.value == "https" and sb.value == "http":
        bld.add(
            Kind.TLS,
            "",
            "base_url",
            sa,
            sb,
            touches=calls and (uses.everything or uses.https_only),
            impact=f"{b_name}'s base URL is plain http: a client that requires https cannot connect",
        )
    for endpoint in ENDPOINTS:
        ea, eb = bld.pair("", f"endpoint:{endpoint}")
        if ea is None or eb is None or ea.value is not True or eb.value is not False:
            continue
        bld.add(
            Kind.ENDPOINT_MISSING,
            endpoint,
            endpoint,
            ea,
            eb,
            from_value=True,
            to_value=False,
            touches=uses.uses_operation(endpoint),
            impact=f"{endpoint} is not served by {b_name}: a client calling it (as a credential or health "
            "check, say) fails",
        )


def _compare_auth(bld: Any, calls: bool) -> None:
    fa: Fact | None
    fb: Fact | None
    fa, fb = bld.pair("", "auth")
    if fa is None or fb is None or not isinstance(fa.value, AuthSpec) or not isinstance(fb.value, AuthSpec):
        return
    a_spec, b_spec = fa.value, fb.value
    uses, b_name = bld.uses, bld.b.gateway
    credential = uses.auth or a_spec.credential
    sends = _auth_line(a_spec, credential)
    if credential not in b_spec.accepted:
        wants = " or ".join(b_spec.accepted)
        bld.add(
            Kind.AUTH_SCHEME,
            "",
            "credential",
            fa,
            fb,
            from_value=credential,
            to_value=list(b_spec.accepted),
            touches=calls,
            impact=f"{b_name} accepts only {wants}: every call with a {credential} credential is refused (401)",
            extra={"send": _auth_line(b_spec, b_spec.credential)},
        )
    expected = _auth_line(b_spec, credential)
    if sends != expected:
        bld.add(
            Kind.AUTH_SCHEME,
            "",
            "placement",
            fa,
            fb,
            from_value=sends,
            to_value=expected,
            touches=calls,
            impact=f"{b_name} reads the credential as {expected}, not {sends}: every call is refused",
            extra={"send": expected},
        )
