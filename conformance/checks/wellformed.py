"""Response bodies arrive whole and are one clean JSON document.

``response_body_well_formed`` judges the bytes, before any meaning is read from them: a body cut short
(the body cap, the time cap, a connection that died before the promised ``Content-Length``), a
``Content-Encoding`` that lies about the body, duplicate object keys (parsers disagree on which value
wins), invalid UTF-8, a byte order mark, numbers JSON cannot hold (``1e400``, ``NaN``), lone surrogate
escapes, nesting too deep to read, truncated JSON, trailing data, and non-JSON text declared as JSON.

Two sources feed it: the live client's ``exchange.meta["body_note"]`` (what happened on the wire; in
replay, where no note survives, the recorded ``truncated`` flag and a ``Content-Encoding`` header the
body does not match) and the normalizer's notes (what the bytes look like). Canonical contract: Kling
answers every API call with ``application/json``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from conformance.checks._bodies import any_response, judged_groups
from conformance.checks._support import SYNTAX_NOTES, failed, passed, skipped
from conformance.checks.base import Area, CheckContext, Verdict, check
from conformance.models import Exchange, Severity

#: Notes for text that is not JSON at all: a finding here only when the response declares JSON
#: (an honest ``text/html`` error page is ``content_type_json``'s and the error checks' business).
NOT_JSON_NOTES: tuple[str, ...] = ("HTML page", "markup (XML) body", "plain text body")

#: Live-client body notes: (fragment, short kind, what it means for the report), first match wins.
BODY_NOTES: tuple[tuple[str, str, str], ...] = (
    ("Content-Encoding", "Content-Encoding", "clients that trust the header cannot read the body"),
    ("cut at the time cap", "over the time cap", "the body never finished; raise --read-timeout to wait longer"),
    ("cut at the cap", "over the size cap", "a Kling API body is a few KB; raise --max-body-bytes to read more"),
    ("mid-body", "incomplete body", "the body is incomplete"),
)


#: Content-Encodings the live client decodes (their bodies are stored decoded, without the header).
_DECODED = frozenset({"gzip", "x-gzip", "deflate"})


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """One reason a response body is not a complete, well-formed JSON document."""

    kind: str  # a short stable label: "duplicate keys", "Content-Encoding", "incomplete body", ...
    detail: str  # the full sentence for the report


def _declares_json(exchange: Exchange) -> bool:
    assert exchange.response is not None
    declared = (exchange.response.header("content-type") or "").split(";", 1)[0].strip().lower()
    return not declared or declared == "application/json" or declared.endswith("+json")


def _note_parts(note: str) -> list[str]:
    """The client joins its notes with ``"; "``; a piece naming no known problem continues the one before."""
    parts: list[str] = []
    for piece in (p.strip() for p in note.split(";")):
        if not piece:
            continue
        if parts and not any(fragment in piece for fragment, _, _ in BODY_NOTES):
            parts[-1] = f"{parts[-1]}; {piece}"
        else:
            parts.append(piece)
    return parts


def _decodes(body: bytes, encoding: str) -> bool:
    """Whether the start of ``body`` is a valid ``gzip``/``deflate`` stream (pure; reads at most 64 bytes)."""
    for wbits in (31, -15) if "gzip" in encoding else (15, -15):
        try:
            zlib.decompressobj(wbits).decompress(body[:64])
        except zlib.error:
            continue
        return True
    return False


def recorded_encoding_note(exchange: Exchange) -> str:
    """The live client's Content-Encoding note, re-derived for a replayed exchange (which carries no note).

    Cassettes store decoded bodies without their ``Content-Encoding`` header; a recorded response that
    still has one kept its body as received because the body did not match it (or the encoding is one
    the client does not decode). A body cut at the cap keeps the header too, but is marked truncated.
    """
    response = exchange.response
    assert response is not None
    encoding = (response.header("content-encoding") or "").strip().lower()
    if not encoding or encoding == "identity" or response.truncated or not response.body:
        return ""
    if encoding not in _DECODED:
        return f"unsupported Content-Encoding {encoding!r}; body kept as received"
    if _decodes(response.body, encoding):
        return ""
    return f"Content-Encoding: {encoding} but the body is not {encoding}-encoded"


def _wire_problems(exchange: Exchange, *, replayed: bool) -> list[BodyProblem]:
    """What the live client saw on the wire (``meta["body_note"]``), or what a recording still shows."""
    assert exchange.response is not None
    problems: list[BodyProblem] = []
    note = str(exchange.meta.get("body_note") or "") or (recorded_encoding_note(exchange) if replayed else "")
    for part in _note_parts(note):
        kind, why = next(((k, w) for fragment, k, w in BODY_NOTES if fragment in part), ("body", ""))
        if kind == "incomplete body":
            promised = (exchange.response.header("content-length") or "").strip()
            if promised.isdigit():
                why = f"{why}: fewer bytes arrived than the {promised} its Content-Length promised"
        problems.append(BodyProblem(kind, f"{part} ({why})" if why else part))
    if not problems and exchange.response.truncated:
        problems.append(
            BodyProblem(
                "incomplete body",
                "the body was cut short when it was received (body cap, time cap or a connection that failed "
                "mid-body): the body is incomplete",
            )
        )
    return problems


def _syntax_problems(ctx: CheckContext, exchange: Exchange) -> list[BodyProblem]:
    """What the normalizer found wrong with the bytes themselves."""
    problems: list[BodyProblem] = []
    for note in ctx.normalized(exchange).notes:
        why = next((w for prefix, w in SYNTAX_NOTES if note.startswith(prefix)), None)
        if why is not None:
            kind = next(prefix for prefix, _ in SYNTAX_NOTES if note.startswith(prefix))
            problems.append(BodyProblem(kind, f"{note} ({why})"))
        elif note.startswith(NOT_JSON_NOTES) and _declares_json(exchange):
            declared = exchange.response.header("content-type") if exchange.response else None
            label = f"declared {declared!r}" if declared else "no Content-Type"
            problems.append(BodyProblem("not JSON", f"{note}, with {label}: the body is not JSON"))
    return problems


def body_problems(ctx: CheckContext, exchange: Exchange) -> list[BodyProblem]:
    """Every reason ``exchange``'s response body is not one complete, well-formed JSON document."""
    if exchange.response is None:
        return []
    return _wire_problems(exchange, replayed=ctx.mode == "replay") + _syntax_problems(ctx, exchange)


@check(
    severity=Severity.HIGH,
    area=Area.RESPONSE_SHAPE,
    operations=(),
    scenarios=("*",),
)
def response_body_well_formed(ctx: CheckContext) -> Iterator[Verdict]:
    """Every API response body arrives whole and is one well-formed UTF-8 JSON document.

    Canonical contract. Fails on a body cut short (body cap, time cap, a connection closed before the
    promised Content-Length), a Content-Encoding that does not match the body, duplicate keys, invalid
    UTF-8, a byte order mark, numbers out of range, NaN/Infinity, lone surrogates, nesting too deep to
    read, truncated JSON, trailing data, and non-JSON text declared as JSON. Empty bodies and honest
    non-JSON content types are left to the shape, content-type and error checks.
    """
    for group in judged_groups(ctx, ("*",), any_response, none_captured="no response was captured"):
        if isinstance(group, Verdict):
            yield group
            continue
        judged = 0
        bad: list[tuple[Exchange, list[BodyProblem]]] = []
        for _, exchange in group.exchanges:
            assert exchange.response is not None
            problems = body_problems(ctx, exchange)
            if not exchange.response.body.strip() and not problems:
                continue
            judged += 1
            if problems:
                bad.append((exchange, problems))
        if not judged:
            yield skipped("no evidence", "every response body was empty", operation=group.operation)
            continue
        if not bad:
            yield passed(
                f"{judged} response bod{'y' if judged == 1 else 'ies'} complete and well-formed JSON",
                operation=group.operation,
            )
            continue
        exchange, problems = bad[0]
        kinds = sorted({p.kind for _, found in bad for p in found})
        status = exchange.response.status_code if exchange.response is not None else "?"
        yield failed(
            f"{len(bad)} of {judged} response bodies are not well-formed JSON ({', '.join(kinds)}); "
            f"first, {exchange.ref} (HTTP {status}): {'; '.join(p.detail for p in problems)}",
            operation=group.operation,
            exchange=exchange,
            expected="one complete, well-formed UTF-8 JSON document",
            actual=problems[0].detail,
            json_path="$",
        )
