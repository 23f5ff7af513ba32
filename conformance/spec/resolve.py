"""Turn OpenAPI schema fragments into self-contained JSON Schemas by inlining every ``$ref``.

Resolution goes through the ``referencing`` library, with the whole OpenAPI document registered as one
Draft 2020-12 resource, so JSON pointers (``#/components/schemas/X``) resolve exactly as a validator
would resolve them. The canonical spec has no recursive schemas; a cycle raises ``SpecError``.
"""

from __future__ import annotations

from typing import Any

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from conformance.errors import SpecError

_BASE_URI = "urn:kling-conformance:spec"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class RefResolver:
    """Resolves local ``$ref`` pointers against one OpenAPI document."""

    def __init__(self, document: dict[str, Any], *, where: str = "spec") -> None:
        self.where = where
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._resolver = Registry().with_resource(_BASE_URI, resource).resolver(base_uri=_BASE_URI)

    def lookup(self, ref: str) -> Any:
        """The value ``ref`` points at."""
        try:
            return self._resolver.lookup(ref).contents
        except Unresolvable as exc:
            raise SpecError(f"unresolvable $ref {ref!r} ({exc})", where=self.where, field=ref) from None

    def deref(self, node: Any) -> Any:
        """``node`` itself, or what its ``$ref`` points at (one level, for parameters/responses/examples)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise SpecError(f"$ref cycle at {ref!r}", where=self.where, field=ref)
            seen.add(ref)
            node = self.lookup(ref)
        return node

    def inline(self, schema: Any, _stack: tuple[str, ...] = ()) -> Any:
        """A deep copy of ``schema`` with every ``$ref`` replaced by its target.

        A ``$ref`` with sibling keywords (allowed in OpenAPI 3.1) becomes ``allOf: [target]`` plus the
        siblings, which keeps the 2020-12 meaning.
        """
        if isinstance(schema, list):
            return [self.inline(item, _stack) for item in schema]
        if not isinstance(schema, dict):
            return schema
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in _stack:
                raise SpecError(f"recursive schema through {ref!r} cannot be inlined", where=self.where, field=ref)
            target = self.inline(self.lookup(ref), (*_stack, ref))
            siblings = {key: self.inline(value, _stack) for key, value in schema.items() if key != "$ref"}
            if not siblings:
                return target
            return {"allOf": [target], **siblings}
        return {key: self.inline(value, _stack) for key, value in schema.items()}

    def standalone(self, schema: Any) -> dict[str, Any] | bool:
        """:meth:`inline` plus the 2020-12 ``$schema`` marker, ready for any JSON Schema validator."""
        resolved = self.inline(schema)
        if isinstance(resolved, bool):
            return resolved
        if not isinstance(resolved, dict):
            raise SpecError("a schema must be an object or a boolean", where=self.where)
        return {"$schema": _DIALECT, **resolved}
