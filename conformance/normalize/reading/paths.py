"""RFC 9535 JSONPath for reading descriptions: the one implementation lives in :mod:`conformance.jsonpath`."""

from __future__ import annotations

from conformance.jsonpath import MISSING, WILDCARD, PathSyntaxError, Query, Step, compile_query, render_steps

__all__ = ["MISSING", "WILDCARD", "PathSyntaxError", "Query", "Step", "compile_query", "render_steps"]
