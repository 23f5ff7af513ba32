"""Figures the hardening suite measures, written to ``tests/hardening/.figures/<area>.json``.

Each test module collects its counts in a :class:`FigureSink` and writes them once, when the module's
tests are done; ``scripts/update_reliability.py`` renders the README's reliability section from these
files, and ``test_reliability_readme.py`` asserts that the committed README says the same.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIGURES_DIR = Path(__file__).resolve().parent / ".figures"


@dataclass(slots=True)
class FigureSink:
    """Counts of one area (``hostile``, ``secrets``, ``interrupts``, ``bad_inputs``, ``load``)."""

    area: str
    counts: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    required: dict[str, int] = field(default_factory=dict)

    def require(self, name: str, amount: int) -> None:
        """Only write the figures when counter ``name`` reached ``amount`` (a partial selection of the
        module's tests must not overwrite the figures of a full run)."""
        self.required[name] = amount

    @property
    def complete(self) -> bool:
        """Whether every required counter was reached."""
        return all(self.counts.get(name, 0) >= amount for name, amount in self.required.items())

    def add(self, name: str, amount: int = 1) -> None:
        """Increase counter ``name``."""
        self.counts[name] = self.counts.get(name, 0) + amount

    def write(self) -> Path:
        """Write ``.figures/<area>.json`` atomically."""
        FIGURES_DIR.mkdir(exist_ok=True)
        path = FIGURES_DIR / f"{self.area}.json"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"area": self.area, "counts": self.counts, "details": self.details}, indent=2, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(tmp, path)
        return path
