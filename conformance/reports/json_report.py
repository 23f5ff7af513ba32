"""``report.json``: the whole run, the source every other format and every later command reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.reports._jsonable import dumps, jsonable
from conformance.reports.base import reporter
from conformance.runmodel import REPORT_FORMAT_VERSION, RunReport

#: Results (and observations, exchanges) per document when report.json is validated in pieces (the
#: JSON round trip of one chunk briefly takes about 15 times its text in memory).
CHUNK_ITEMS = 128


def report_dict(report: RunReport) -> dict[str, Any]:
    """The report.json document as plain JSON values (validated by ``specs/report.schema.json``)."""
    data: dict[str, Any] = jsonable(report.to_dict())
    return data


def report_dict_chunks(report: RunReport, size: int = CHUNK_ITEMS) -> Iterator[dict[str, Any]]:
    """The report.json document as a sequence of smaller documents of the same schema, each holding at most
    ``size`` results, observations and exchanges: validating each validates the whole (the schema puts no
    rule across items), without the whole document's JSON values in memory at once."""
    exchange_items = list(report.exchanges.items())
    longest = max(len(report.results), len(report.observations), len(exchange_items))
    for start in range(0, max(longest, 1), size):
        stop = start + size
        data: dict[str, Any] = jsonable(
            {
                "format_version": REPORT_FORMAT_VERSION,
                "meta": report.meta.to_dict(),
                "results": [r.to_dict() for r in report.results[start:stop]],
                "observations": [o.to_dict() for o in report.observations[start:stop]],
                "exchanges": dict(exchange_items[start:stop]),
            }
        )
        yield data


def _nested(value: Any, depth: int) -> str:
    """``value`` as orjson writes it indented inside ``depth`` enclosing containers (JSON strings hold no raw
    newline, so re-indenting every line break is exact)."""
    return dumps(value, indent=True).decode("utf-8").replace("\n", "\n" + "  " * depth)


def _array(items: Any, depth: int) -> Iterator[str]:
    if not items:
        yield "[]"
        return
    pad = "\n" + "  " * (depth + 1)
    for index, item in enumerate(items):
        yield ("[" if index == 0 else ",") + pad + _nested(item.to_dict(), depth + 1)
    yield "\n" + "  " * depth + "]"


def _object(mapping: dict[str, Any], depth: int) -> Iterator[str]:
    if not mapping:
        yield "{}"
        return
    pad = "\n" + "  " * (depth + 1)
    for index, (key, value) in enumerate(mapping.items()):
        yield ("{" if index == 0 else ",") + pad + dumps(key).decode("utf-8") + ": " + _nested(value, depth + 1)
    yield "\n" + "  " * depth + "}"


def stream_json(report: RunReport) -> Iterator[str]:
    """report.json in pieces, one result (observation, exchange) at a time: the bytes of :func:`render_json`."""
    yield '{\n  "format_version": ' + _nested(REPORT_FORMAT_VERSION, 1)
    yield ',\n  "meta": ' + _nested(report.meta.to_dict(), 1)
    yield ',\n  "results": '
    yield from _array(report.results, 1)
    yield ',\n  "observations": '
    yield from _array(report.observations, 1)
    yield ',\n  "exchanges": '
    yield from _object(report.exchanges, 1)
    yield "\n}\n"


@reporter("json", "report.json", stream=stream_json)
def render_json(report: RunReport) -> str:
    """Machine-readable report (report.json), valid against specs/report.schema.json."""
    return dumps(report.to_dict(), indent=True).decode("utf-8") + "\n"
