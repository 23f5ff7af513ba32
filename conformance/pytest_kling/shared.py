"""State shared by every pytest-xdist worker of one session: a directory, a lock, a budget, the catalog run.

The xdist controller creates one directory per session and hands it to each worker (``workerinput``);
without xdist the session makes its own. Inside it:

- ``paid-tasks.json``: the paid-task counter. :meth:`Budget.spend` takes an exclusive ``fcntl`` lock,
  reads, checks the cap, writes (atomically) and releases, so two workers can never both spend the
  last task.
- ``catalog-<hash>.json``: the catalog run's report. The first worker to need it takes
  ``catalog-<hash>.lock``, runs the harness once and writes the report; the others wait on the lock and
  read the file. Live and record catalog runs therefore create each paid task once per session, not once
  per worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SHARED_DIR_KEY = "kling_conformance_shared_dir"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed), held for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_json(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Budget:
    """The session's paid-task counter, shared by every worker through a locked file."""

    def __init__(self, shared_dir: Path, cap: int | None) -> None:
        self.path = shared_dir / "paid-tasks.json"
        self.lock = shared_dir / "paid-tasks.lock"
        self.cap = cap

    def used(self) -> int:
        """Paid tasks spent so far by every worker."""
        with file_lock(self.lock):
            return self._read()

    def _read(self) -> int:
        try:
            return int(json.loads(self.path.read_text(encoding="utf-8"))["used"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def spend(self, count: int = 1) -> bool:
        """Take ``count`` paid tasks if the cap allows; ``False`` (nothing taken) when it does not."""
        with file_lock(self.lock):
            used = self._read()
            if self.cap is not None and used + count > self.cap:
                return False
            _write_json(self.path, {"used": used + count, "cap": self.cap})
            return True

    def take(self, cap: int | None) -> bool:
        """:class:`conformance.harness.budget.SlotStore`: count one slot if fewer than ``cap`` are counted."""
        with file_lock(self.lock):
            used = self._read()
            if cap is not None and used >= cap:
                return False
            _write_json(self.path, {"used": used + 1, "cap": self.cap})
            return True

    def give_back(self) -> None:
        """:class:`conformance.harness.budget.SlotStore`: uncount a slot the answer proved created nothing."""
        with file_lock(self.lock):
            _write_json(self.path, {"used": max(0, self._read() - 1), "cap": self.cap})

    def remaining(self) -> int | None:
        """Tasks still allowed (``None`` = unlimited)."""
        if self.cap is None:
            return None
        return max(0, self.cap - self.used())

    def add_used(self, count: int) -> None:
        """Record ``count`` tasks spent elsewhere (the catalog run), regardless of the cap."""
        if count <= 0:
            return
        with file_lock(self.lock):
            _write_json(self.path, {"used": self._read() + count, "cap": self.cap})


def shared_catalog_report(shared_dir: Path, key: str, run: Any) -> dict[str, Any]:
    """The catalog report (``RunReport.to_dict()``) for ``key``: computed by ``run()`` once per session."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    result = shared_dir / f"catalog-{digest}.json"
    with file_lock(shared_dir / f"catalog-{digest}.lock"):
        if result.is_file():
            data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
            return data
        data = run()
        _write_json(result, data)
        return data
