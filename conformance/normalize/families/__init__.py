"""One small module per response family; importing this package registers them all in ``NORMALIZERS``."""

from __future__ import annotations

from conformance.normalize.families import flat, kling, newapi, openai

__all__ = ["flat", "kling", "newapi", "openai"]
