"""Scan bytes for a secret in every encoding a leak could take (independent of the code under test).

Forms: plain, URL-encoded (``/`` kept or escaped), JSON-escaped (with ``\\/``), hex in lower and upper
case, and the base64 / base64url core of the secret inside any longer base64 string, at each of the 3
alignments (which also finds base64 of ``Bearer <key>``).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path


def secret_forms(secret: str) -> dict[str, bytes]:
    """Every encoding of ``secret`` that a leak could take (duplicates removed)."""
    raw = secret.encode()
    forms = {
        "plain": raw,
        "url": urllib.parse.quote(secret, safe="").encode(),
        "url-keep-slash": urllib.parse.quote(secret).encode(),
        "url-plus": urllib.parse.quote_plus(secret).encode(),
        "json-escaped": json.dumps(secret)[1:-1].replace("/", "\\/").encode(),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
    }
    for shift in range(3):  # base64 of the secret inside a longer string, at each of the 3 alignments
        encoded = base64.b64encode(b"x" * shift + raw)
        first = -(-shift // 3) * 4  # the first base64 quantum made of secret bytes only
        last = (shift + len(raw)) // 3 * 4
        core = encoded[first:last]
        forms[f"base64+{shift}"] = core
        forms[f"base64url+{shift}"] = core.replace(b"+", b"-").replace(b"/", b"_")
    unique: dict[str, bytes] = {}
    for name, needle in forms.items():
        if needle not in unique.values():
            unique[name] = needle
    return unique


def count_leaks(blobs: dict[str, bytes], secrets: tuple[str, ...]) -> dict[str, int]:
    """``"<secret #>:<form>" -> hits`` over every blob (empty when nothing leaked)."""
    found: dict[str, int] = {}
    for number, secret in enumerate(secrets):
        for form, needle in secret_forms(secret).items():
            hits = sum(blob.count(needle) for blob in blobs.values())
            if hits:
                found[f"{number}:{form}"] = hits
    return found


def where_leaked(blobs: dict[str, bytes], secrets: tuple[str, ...]) -> list[str]:
    """Names of the blobs holding any form of any secret (for failure messages)."""
    needles = [n for s in secrets for n in secret_forms(s).values()]
    return sorted(name for name, blob in blobs.items() if any(n in blob for n in needles))


def every_file(root: Path) -> dict[str, bytes]:
    """Every regular file below ``root``, hidden ones and temporaries included."""
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
