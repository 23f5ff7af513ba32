"""Gateway documents → derived per-gateway OpenAPI specs (``specs/gateways/<gateway-id>.yaml``).

``kling-conformance docs extract SEED_FILE... --out specs/gateways/`` reads gateway documents (doc
pages saved as text), finds every request and response JSON example with a tolerant JSON/JSONC
reader (comments, commented-out keys, trailing commas, strings cut off mid-way: every repair is
recorded), identifies the gateway and the canonical operation, and writes one OpenAPI 3.1 file per
gateway with the examples, their provenance (file name and line range) and every departure from the
canonical spec (``x-departures``).

Public API::

    load_gateway_spec(gateway_id) -> GatewaySpec      # read a derived spec (see gateway_spec.py)
    gateway_spec_ids() -> list[str]
    derive_gateway_specs(paths) -> DerivedSpecs        # extract + render, nothing written
    extract_to_directory(paths, out_dir) -> DerivedSpecs
    parse_tolerant(text) -> TolerantResult             # the tolerant JSON reader
    ExtractionProblem, Departure, DocExample, DocumentedOperation, Provenance
"""

from __future__ import annotations

from conformance.docs.departures import Departure
from conformance.docs.extract import DerivedSpecs, derive_gateway_specs, extract_to_directory, spec_file
from conformance.docs.gateway_spec import (
    DocExample,
    DocumentedOperation,
    GatewaySpec,
    Provenance,
    gateway_spec_ids,
    load_gateway_spec,
    load_gateway_spec_file,
)
from conformance.docs.model import ExtractionProblem
from conformance.docs.tolerant_json import JsonRepairError, TolerantResult, parse_tolerant

__all__ = [
    "Departure",
    "DerivedSpecs",
    "DocExample",
    "DocumentedOperation",
    "ExtractionProblem",
    "GatewaySpec",
    "JsonRepairError",
    "Provenance",
    "TolerantResult",
    "derive_gateway_specs",
    "extract_to_directory",
    "gateway_spec_ids",
    "load_gateway_spec",
    "load_gateway_spec_file",
    "parse_tolerant",
    "spec_file",
]
