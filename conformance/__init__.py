"""kling-conformance: contract tests and provider conformance for the Kling task API behind gateways.

Public API::

    from conformance import normalize, load_profile, __version__

``normalize(body, status_code=None, profile=None)`` classifies any gateway response body and never
raises. ``load_profile(id_or_path)`` loads a built-in or user gateway profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from conformance.normalize.result import NormalizedResponse
    from conformance.profiles.model import GatewayProfile

__all__ = ["__version__", "load_profile", "normalize"]


def normalize(body: Any, status_code: int | None = None, profile: Any = None) -> NormalizedResponse:
    """Classify a gateway response body (bytes, str or parsed JSON); see :mod:`conformance.normalize`."""
    from conformance.normalize import normalize as _normalize

    return _normalize(body, status_code=status_code, profile=profile)


def load_profile(id_or_path: str) -> GatewayProfile:
    """Load a built-in profile by id, or a user profile from a ``.toml`` path."""
    from conformance.profiles import load_profile as _load_profile

    return _load_profile(id_or_path)
