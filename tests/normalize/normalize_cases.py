"""The table-driven normalizer cases under ``cases/``: one JSON file per family, one row per body."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class BodyCase:
    """One table row: a body (as the gateway sent it), its HTTP status and the expected reading."""

    id: str
    file: str
    description: str
    status_code: int | None
    raw: bytes | None  # body_text / body_base64: exact bytes
    parsed: Any  # body: a JSON value, sent as compact JSON bytes (or passed parsed)
    expected: dict[str, Any]
    notes_include: list[str] = field(default_factory=list)
    provenance: str = ""
    source: str = ""  # the reference section the row was written from (``gateways.md §1.4``)

    def body_bytes(self) -> bytes:
        """The body as raw bytes, exactly as a gateway would have sent it."""
        if self.raw is not None:
            return self.raw
        return json.dumps(self.parsed, ensure_ascii=False).encode("utf-8")


def _load_case(file: Path, row: dict[str, Any]) -> BodyCase:
    raw: bytes | None = None
    if "body_text" in row:
        raw = row["body_text"].encode("utf-8")
    elif "body_base64" in row:
        raw = base64.b64decode(row["body_base64"])
    return BodyCase(
        id=row["id"],
        file=file.name,
        description=row["description"],
        status_code=row.get("status_code"),
        raw=raw,
        parsed=row.get("body"),
        expected=row["expected"],
        notes_include=row.get("notes_include", []),
        provenance=row.get("provenance", ""),
        source=row.get("source", ""),
    )


def load_cases() -> list[BodyCase]:
    """Every case of every ``cases/*.json`` file, in file order."""
    cases: list[BodyCase] = []
    for file in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        cases.extend(_load_case(file, row) for row in data["cases"])
    return cases


ALL_CASES = load_cases()
