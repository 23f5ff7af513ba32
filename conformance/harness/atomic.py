"""Atomic file writes: a temp file in the same directory, flushed and fsynced, then ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one.

    Every registered secret (:func:`conformance.harness.redact.register_secrets`) is scrubbed first, in
    every encoding: whatever slipped past redaction at capture time never reaches disk.
    """
    from conformance.scrub import scrub_registered

    payload = scrub_registered(data.encode("utf-8") if isinstance(data, str) else data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def point_symlink(link: Path, target_name: str) -> None:
    """Atomically make ``link`` a symlink to ``target_name`` (relative), replacing what was there."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target_name, tmp)
    os.replace(tmp, link)
