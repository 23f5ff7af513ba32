"""Where the bundled data lives: specs, cassettes, built-in profiles.

In a source checkout (``pip install -e .``) the data sits at the repository root. In a wheel it is
force-included under ``conformance/_bundled/``. Both layouts are found here, nowhere else.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = PACKAGE_DIR.parent
_BUNDLED = PACKAGE_DIR / "_bundled"


def _data_dir(name: str) -> Path:
    checkout = _REPO_ROOT / name
    if checkout.is_dir():
        return checkout
    return _BUNDLED / name


def specs_dir() -> Path:
    """``specs/``: canonical spec, gateway specs, report schema."""
    return _data_dir("specs")


def canonical_spec_path() -> Path:
    """``specs/kling.openapi.yaml``."""
    return specs_dir() / "kling.openapi.yaml"


def v3_spec_path() -> Path:
    """``specs/kling-v3.openapi.yaml``: the Kling 3.x model-in-path contract."""
    return specs_dir() / "kling-v3.openapi.yaml"


def gateway_specs_dir() -> Path:
    """``specs/gateways/``."""
    return specs_dir() / "gateways"


def cassettes_dir() -> Path:
    """``cassettes/``: bundled recordings per gateway."""
    return _data_dir("cassettes")


def builtin_profiles_dir() -> Path:
    """``conformance/profiles/builtin/``: built-in gateway profiles (TOML)."""
    return PACKAGE_DIR / "profiles" / "builtin"


def shared_seeds_dir() -> Path | None:
    """``../shared/seeds`` next to the checkout, when present (used for the staleness check)."""
    candidate = _REPO_ROOT.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None
