"""``docs extract`` as a library call: documents in, one OpenAPI file per gateway out.

:func:`derive_gateway_specs` returns the rendered YAML text per gateway (nothing written), so the
staleness test and ``--check`` compare bytes; :func:`extract_to_directory` writes them atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance.docs.builder import build_gateway_openapi, render_yaml, write_atomic
from conformance.docs.departures import Departure, find_departures
from conformance.docs.extraction import ExtractionResult, extract_documents
from conformance.docs.model import ExtractionProblem


@dataclass
class DerivedSpecs:
    """The outcome of deriving gateway specs from documents."""

    texts: dict[str, str] = field(default_factory=dict)  # gateway id → YAML text
    departures: dict[str, list[Departure]] = field(default_factory=dict)
    operations: dict[str, list[str]] = field(default_factory=dict)
    example_counts: dict[str, int] = field(default_factory=dict)  # document file → examples found
    problems: list[ExtractionProblem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)


def derive_gateway_specs(paths: Iterable[Path], *, gateway_id: str | None = None) -> DerivedSpecs:
    """Extract, compare with the canonical spec and render; no file is written."""
    result: ExtractionResult = extract_documents(paths, gateway_id=gateway_id)
    derived = DerivedSpecs(example_counts=dict(result.example_counts), problems=list(result.problems))
    for gw_id in sorted(result.gateways):
        extraction = result.gateways[gw_id]
        departures = find_departures(extraction)
        derived.departures[gw_id] = departures
        derived.operations[gw_id] = sorted(extraction.operations)
        derived.texts[gw_id] = render_yaml(build_gateway_openapi(extraction, departures))
    return derived


def spec_file(out_dir: Path, gateway_id: str) -> Path:
    """``<out_dir>/<gateway-id>.yaml``."""
    return out_dir / f"{gateway_id}.yaml"


def extract_to_directory(
    paths: Iterable[Path], out_dir: Path, *, gateway_id: str | None = None, check_only: bool = False
) -> DerivedSpecs:
    """Derive the gateway specs and write them to ``out_dir`` (or, with ``check_only``, list stale ones)."""
    derived = derive_gateway_specs(paths, gateway_id=gateway_id)
    for gw_id, text in derived.texts.items():
        target = spec_file(out_dir, gw_id)
        current = target.read_bytes() if target.is_file() else None
        if current == text.encode("utf-8"):
            continue
        if check_only:
            derived.stale.append(target)
        else:
            write_atomic(target, text)
            derived.written.append(target)
    return derived
