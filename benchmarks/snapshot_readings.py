"""Snapshot every reading the normalizer gives, to prove a speed change altered none of them.

    python benchmarks/snapshot_readings.py collect BODIES.json      # freeze the inputs once
    python benchmarks/snapshot_readings.py read BODIES.json OUT.txt  # read them all, one digest per line
    python benchmarks/snapshot_readings.py show BODIES.json INDEX PROFILE   # the full readings of one pair

The inputs are every normalizer test case (``tests/normalize/cases``), every body of the gateway corpus
(``tests/normalize/corpus/gateways.json``) and every response body of every bundled cassette, with their
HTTP status. Each body is read with no profile and with every built-in and corpus profile, under no
operation and under each of the profile's operations; every field of the result is kept (notes and
departures in order). ``read`` writes one line per (body, profile): a digest of all its readings, so two
trees (``PYTHONPATH=/work/main python ...``) or two commits are compared with ``cmp``/``diff``, and
``show`` prints the readings behind a differing line.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent


def collect(out: Path) -> None:
    """Freeze the inputs: (source, base64 body, status) triples, in a stable order."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_normalize import case_bodies

    bodies: list[dict[str, Any]] = [
        {"source": f"{file}:{case_id}", "raw": raw, "status": status} for file, case_id, raw, status in case_bodies()
    ]
    corpus = json.loads((ROOT / "tests" / "normalize" / "corpus" / "gateways.json").read_text(encoding="utf-8"))
    for gateway in corpus["gateways"]:
        for row in gateway["bodies"]:
            raw = json.dumps(row["body"], ensure_ascii=False).encode("utf-8")
            bodies.append({"source": f"corpus:{row['id']}", "raw": raw, "status": row.get("status_code")})
    for file in sorted((ROOT / "cassettes").rglob("*.yaml")):
        data = orjson.loads(file.read_bytes())
        for index, interaction in enumerate(data.get("interactions", [])):
            response = interaction["response"]
            raw = response.get("body", {}).get("string", "")
            raw = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
            status = response.get("status", {}).get("code")
            bodies.append({"source": f"{file.relative_to(ROOT)}#{index}", "raw": raw, "status": status})
    unique: dict[tuple[bytes, Any], dict[str, Any]] = {}
    for item in bodies:
        unique.setdefault((item["raw"], item["status"]), item)
    rows = [{**item, "raw": base64.b64encode(item["raw"]).decode()} for item in unique.values()]
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(rows)} distinct (body, status) pairs from {len(bodies)} bodies -> {out}")


def _profiles() -> list[tuple[str, Any]]:
    from conformance.profiles import load_builtin_profiles, load_profile

    chosen: list[tuple[str, Any]] = [("(none)", None)]
    chosen.extend(sorted(load_builtin_profiles().items()))
    for path in sorted((ROOT / "tests" / "normalize" / "corpus" / "profiles").glob("*.toml")):
        chosen.append((f"corpus/{path.stem}", load_profile(str(path))))
    return chosen


def _reading(result: Any) -> list[Any]:
    out = []
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        out.append([item.name, getattr(value, "value", value) if value is not None else None])
    out.append(["shape_type", type(result.shape).__name__])
    return out


def _readings(raw: bytes, status: Any, profile: Any) -> list[Any]:
    from conformance.normalize import normalize

    operations: list[str | None] = [None]
    if profile is not None:
        operations.extend(profile.operations)
    return [[op, _reading(normalize(raw, status_code=status, profile=profile, operation=op))] for op in operations]


def read(bodies_file: Path, out: Path) -> None:
    """One digest line per (body, profile) over every reading of that pair."""
    rows = json.loads(bodies_file.read_text(encoding="utf-8"))
    profiles = _profiles()
    lines = []
    for index, row in enumerate(rows):
        raw = base64.b64decode(row["raw"])
        for name, profile in profiles:
            blob = orjson.dumps(_readings(raw, row["status"], profile), default=str)
            lines.append(f"{index}\t{name}\t{hashlib.sha256(blob).hexdigest()[:20]}\t{row['source']}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} bodies x {len(profiles)} profiles -> {len(lines)} lines in {out}")


def show(bodies_file: Path, index: int, profile_name: str) -> None:
    """Print every reading of one (body, profile) pair, one per line."""
    rows = json.loads(bodies_file.read_text(encoding="utf-8"))
    row = rows[index]
    profile = dict(_profiles())[profile_name]
    print(row["source"], row["status"])
    for op, reading in _readings(base64.b64decode(row["raw"]), row["status"], profile):
        print(op, json.dumps(reading, default=str, ensure_ascii=False))


def main(argv: list[str]) -> None:
    """Dispatch the sub-command."""
    if len(argv) >= 3 and argv[1] == "collect":
        collect(Path(argv[2]))
    elif len(argv) >= 4 and argv[1] == "read":
        read(Path(argv[2]), Path(argv[3]))
    elif len(argv) >= 5 and argv[1] == "show":
        show(Path(argv[2]), int(argv[3]), argv[4])
    else:
        print(__doc__)
        raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv)
