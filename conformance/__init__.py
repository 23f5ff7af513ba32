"""kling-conformance: contract tests and provider conformance for the Kling task API behind gateways.

Public API::

    from conformance import normalize, load_profile, __version__

``normalize(body, status_code=None, profile=None)`` classifies any gateway response body and never
raises. ``load_profile(id_or_path)`` loads a built-in or user gateway profile.
"""

from __future__ import annotations

__version__ = "0.1.0"

# No runtime imports here, not even ``typing``: this module runs first on every start of the CLI, and the
# shorter that window, the smaller the chance that a Ctrl-C lands before the CLI's own handling is in place.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
