"""Fixtures for the gateway-document extractor tests: the seed documents and their derivation."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_seed_table import SEED_GATEWAYS

from conformance.docs import DerivedSpecs, derive_gateway_specs
from conformance.paths import gateway_specs_dir, shared_seeds_dir


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """``../shared/seeds`` (the gateway documents); tests that need it skip when it is absent."""
    found = shared_seeds_dir()
    if found is None:
        pytest.skip("../shared/seeds is not present next to the checkout; cannot re-derive from the documents")
    return found


@pytest.fixture(scope="session")
def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed documents, sorted by name."""
    files = sorted(seeds_dir.glob("*.txt"))
    assert [f.name for f in files] == sorted(SEED_GATEWAYS), "the seed set changed; update SEED_GATEWAYS"
    return files


@pytest.fixture(scope="session")
def derived(seed_files: list[Path]) -> DerivedSpecs:
    """The gateway specs derived from the seeds in this process (nothing written)."""
    return derive_gateway_specs(seed_files)


@pytest.fixture(scope="session")
def committed_dir() -> Path:
    """``specs/gateways/`` of the checkout."""
    return gateway_specs_dir()
