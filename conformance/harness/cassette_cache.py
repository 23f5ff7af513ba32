"""A JSON cache of parsed cassette documents, so replay does not pay YAML construction on every run.

Keyed per cassette folder by the (name, size, mtime) of every ``*.yaml`` file and the cache format;
any change to any file re-reads the folder's YAML. The cache lives in ``$KLING_CONFORMANCE_CACHE_DIR``,
else ``$XDG_CACHE_HOME/kling-conformance``, else ``~/.cache/kling-conformance``; it is written atomically
and best-effort (an unwritable cache only costs speed). ``KLING_CONFORMANCE_NO_CACHE=1`` disables it.
The cache holds exactly what the cassettes hold (already redacted), nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from conformance.harness.atomic import write_atomic

_CACHE_FORMAT = 1


def cache_dir() -> Path:
    """Where cache files go."""
    explicit = os.environ.get("KLING_CONFORMANCE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kling-conformance"


def _signature(files: list[Path]) -> list[list[Any]]:
    out = []
    for path in files:
        stat = path.stat()
        out.append([path.name, stat.st_size, stat.st_mtime_ns])
    return out


def cached_documents(folder: Path, read: Callable[[Path], Any]) -> list[tuple[Path, Any]]:
    """(path, parsed document) for every ``*.yaml`` in ``folder``, from the cache when it is fresh."""
    files = sorted(folder.glob("*.yaml"))
    if os.environ.get("KLING_CONFORMANCE_NO_CACHE"):
        return [(path, read(path)) for path in files]
    signature = _signature(files)
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    cache_file = cache_dir() / f"cassettes-{key}.json"
    with contextlib.suppress(OSError, orjson.JSONDecodeError, KeyError, TypeError):
        cached = orjson.loads(cache_file.read_bytes())
        if cached["format"] == _CACHE_FORMAT and cached["signature"] == signature:
            return [
                (folder / name, doc) for name, doc in zip((s[0] for s in signature), cached["documents"], strict=True)
            ]
    documents = [read(path) for path in files]
    with contextlib.suppress(OSError, TypeError):
        payload = orjson.dumps({"format": _CACHE_FORMAT, "signature": signature, "documents": documents})
        write_atomic(cache_file, payload, fsync=False)
    return list(zip(files, documents, strict=True))
