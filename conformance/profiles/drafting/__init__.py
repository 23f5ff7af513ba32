"""``kling-conformance profile draft``: a profile drafted from a few real bodies of a gateway.

- :mod:`~conformance.profiles.drafting.samples`: the bodies (files, ``ROLE[@HTTP]=FILE``, NDJSON on stdin).
- :mod:`~conformance.profiles.drafting.leaves`: every value of a body with its RFC 9535 path.
- :mod:`~conformance.profiles.drafting.infer`: where each canonical field lives, with the evidence.
- :mod:`~conformance.profiles.drafting.build`: the commented TOML draft, read back with the reading model.
"""

from __future__ import annotations

from conformance.profiles.drafting.build import Draft, Reading, check_draft, draft_profile
from conformance.profiles.drafting.samples import ROLES, Sample, read_samples

__all__ = ["ROLES", "Draft", "Reading", "Sample", "check_draft", "draft_profile", "read_samples"]
