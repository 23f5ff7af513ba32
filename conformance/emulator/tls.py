"""Optional TLS for the emulator: a locally generated CA (``trustme``) and a server certificate from it.

For clients that insist on ``https``: ``serve --tls`` (or ``start_emulator(..., tls=local_tls(dir))``)
writes ``ca.pem`` (trust it: ``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``, ``NODE_EXTRA_CA_CERTS`` or the
client's own CA option), ``server.pem`` and ``server-key.pem`` into a folder of its own, created for
this purpose with owner-only permissions. The CA exists only on this machine and signs only the names
given (loopback by default); it is not trusted by anything until you point a client at ``ca.pem``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class LocalTLS:
    """Where the CA certificate and the server's certificate and key were written."""

    ca_path: Path
    cert_path: Path
    key_path: Path


def local_tls(directory: Path | None = None, names: Sequence[str] = DEFAULT_NAMES) -> LocalTLS:
    """A fresh local CA and a server certificate for ``names``, written below ``directory`` (a new temp dir)."""
    try:
        import trustme
    except ImportError as exc:  # pragma: no cover - trustme is a dependency; this guards broken installs
        raise RuntimeError("TLS needs the trustme package: pip install trustme") from exc
    folder = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="kling-emulator-tls-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    ca = trustme.CA(organization_name="kling-conformance emulator (local test CA)")
    server = ca.issue_cert(*dict.fromkeys(names))
    paths = LocalTLS(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    ca.cert_pem.write_to_path(str(paths.ca_path))
    server.cert_chain_pems[0].write_to_path(str(paths.cert_path))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(paths.cert_path), append=True)
    server.private_key_pem.write_to_path(str(paths.key_path))
    os.chmod(paths.key_path, 0o600)
    return paths
