"""The declarative reading model: a gateway's bodies described as data, compiled once into fast readers.

- :mod:`~conformance.normalize.reading.paths`: RFC 9535 JSONPath queries, compiled.
- :mod:`~conformance.normalize.reading.conditions`: ``when`` conditions.
- :mod:`~conformance.normalize.reading.model`: descriptions (shapes, fields, readers) -> compiled readers.
- :mod:`~conformance.normalize.reading.transforms`: ``READ_TRANSFORMS``, the named steps data cannot say.
- :mod:`~conformance.normalize.reading.engine`: reading models (profile, classic, auto) and the dispatch loop.

Keys are documented in ``docs/profiles.md``.
"""

from __future__ import annotations

from typing import Any

from conformance.normalize.reading.conditions import DescriptionError
from conformance.normalize.reading.model import Description, ShapeSpec, compile_description
from conformance.normalize.reading.paths import MISSING, PathSyntaxError, Query, compile_query

__all__ = [
    "MISSING",
    "Description",
    "DescriptionError",
    "PathSyntaxError",
    "Query",
    "ShapeSpec",
    "compile_description",
    "compile_query",
    "compile_reading_table",
]


def compile_reading_table(raw: dict[str, Any], *, profile_id: str) -> Description:
    """Compile a profile's ``[reading]`` table (keys reported as ``reading.…``); checks ``base`` ids."""
    from conformance.normalize.reading.engine import SETS, bundled, bundled_ids

    description = compile_description(raw, id=profile_id, prefix="reading", lookup_reader=_shared_or_none)
    for index, item in enumerate(description.base or ()):
        if item in SETS:
            continue
        if item not in bundled_ids() or item == "common":
            from conformance.errors import did_you_mean

            known = [*SETS, *[b for b in bundled_ids() if b != "common"]]
            raise DescriptionError(
                f"base names {item!r}, which is not a bundled description.{did_you_mean(item, known)}",
                field=f"reading.base[{index}]",
                fix=f"use one of: {', '.join(known)}",
            )
        bundled(item)
    return description


def _shared_or_none(name: str) -> Any:
    from conformance.normalize.reading.engine import bundled

    return bundled("common").readers.get(name)
