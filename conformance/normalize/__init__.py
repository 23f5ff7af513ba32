"""The response normalizer: recognise every response shape gateways return, without ever crashing.

``normalize(body, status_code=None, profile=None)`` takes raw bytes, text or parsed JSON and returns an
immutable :class:`NormalizedResponse`: the shape id, whether it is an error, the canonical status and
the raw word, task ids, result URLs, failure reason, error code and message, timestamps in ms, and
``notes`` for every oddity found. With a profile, ``departures`` say where the body departs from what
that gateway's profile expects.

One family per module under ``families/`` registers a :class:`Recognizer` in :data:`NORMALIZERS`; they
are tried in ascending ``order``. ``import conformance.normalize`` also makes this module callable, so
``conformance.normalize(body)`` works whether ``conformance.normalize`` names the package-level helper
or this package.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from conformance.normalize.engine import normalize
from conformance.normalize.recognizer import NORMALIZERS, Recognizer, recognizers_in_order, register_bundled_families
from conformance.normalize.result import ERROR_SHAPES, NormalizedResponse, Shape
from conformance.normalize.vocab import STATUS_WORDS, canonical_status

register_bundled_families()

__all__ = [
    "ERROR_SHAPES",
    "NORMALIZERS",
    "STATUS_WORDS",
    "NormalizedResponse",
    "Recognizer",
    "Shape",
    "canonical_status",
    "normalize",
    "recognizers_in_order",
]


class _CallableModule(types.ModuleType):
    """Importing the package replaces ``conformance.normalize`` (the function) with this module; keep it callable."""

    def __call__(
        self, body: Any, status_code: int | None = None, profile: Any = None, *, operation: str | None = None
    ) -> NormalizedResponse:
        return normalize(body, status_code=status_code, profile=profile, operation=operation)


sys.modules[__name__].__class__ = _CallableModule
