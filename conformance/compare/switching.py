"""The switching gate: what breaks for a client written against gateway A when it is pointed at B.

:func:`compare_gateways` lists every difference between A and B (operations, parameters, response
fields, status words, id format, timestamp unit, error shape and statuses, callbacks), says what it does
to a client, whether it touches the client's declared usage (``breaking``), where each side's value
comes from, and the adapter mapping a client would need.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from conformance.compare import adapters
from conformance.compare.access import compare_access
from conformance.compare.facts import Fact, GatewayFacts, load_facts
from conformance.compare.knowledge import TIMESTAMP_ROLES, known_roles, normalize_path, role_candidates, shape_fields
from conformance.compare.model import Comparison, Difference, Kind
from conformance.compare.uses import Uses
from conformance.errors import UsageError, did_you_mean
from conformance.profiles.model import ENDPOINTS
from conformance.runmodel import RunReport

if TYPE_CHECKING:
    from conformance.profiles.model import GatewayProfile


def _role_paths(facts: GatewayFacts, operation: str) -> tuple[dict[str, str], set[str] | None, Fact | None]:
    """(role → path, every path, the field_paths fact) for one gateway and operation."""
    paths_fact = facts.get(operation, "field_paths")
    if paths_fact is None or not isinstance(paths_fact.value, list):
        return {}, None, None
    paths = {normalize_path(str(p)) for p in paths_fact.value}
    shape = facts.get(operation, "response_shape")
    own = shape_fields(shape.value if shape else None)
    roles: dict[str, str] = {}
    for role in known_roles():
        candidates = ([own[role].path] if role in own else []) + role_candidates(role)
        hit = next((c for c in candidates if c in paths), None)
        if hit is not None:
            roles[role] = hit
    return roles, paths, paths_fact


def _path_type(facts: GatewayFacts, operation: str, path: str) -> str | None:
    types = facts.get(operation, "field_types")
    if types is not None and isinstance(types.value, dict):
        normalized = {normalize_path(str(k)): str(v) for k, v in types.value.items()}
        if path in normalized:
            return normalized[path]
    shape = facts.get(operation, "response_shape")
    for spec in shape_fields(shape.value if shape else None).values():
        if spec.path == path:
            return spec.type
    return None


_UNSET: Any = object()


class _Builder:
    def __init__(self, a: GatewayFacts, b: GatewayFacts, uses: Uses, result: Comparison) -> None:
        self.a, self.b, self.uses, self.result = a, b, uses, result

    def pair(self, operation: str, key: str) -> tuple[Fact | None, Fact | None]:
        fa, fb = self.a.get(operation, key), self.b.get(operation, key)
        if fa is not None and fb is None:
            self.result.gaps.append(f"{operation or 'gateway-wide'} {key}: no evidence for {self.b.gateway}")
        return fa, fb

    def add(
        self,
        kind: Kind,
        operation: str,
        subject: str,
        fa: Fact,
        fb: Fact,
        *,
        impact: str,
        touches: bool,
        from_value: Any = _UNSET,
        to_value: Any = _UNSET,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        diff = Difference(
            kind=kind,
            operation=operation,
            subject=subject,
            from_value=fa.value if from_value is _UNSET else from_value,
            to_value=fb.value if to_value is _UNSET else to_value,
            impact=impact,
            touches_usage=touches,
            evidence_from=fa.source,
            evidence_to=fb.source,
        )
        adapter, mapping = adapters.adapter_for(diff, self.a.gateway, self.b.gateway, extra or {})
        self.result.differences.append(dataclasses.replace(diff, adapter=adapter, mapping=mapping))


def _compare_operation(bld: _Builder, op: str) -> None:
    _a_name, b_name, uses = bld.a.gateway, bld.b.gateway, bld.uses
    used = uses.uses_operation(op)
    fa, fb = bld.pair(op, "operation_supported")
    if fb is not None and fb.value is False:
        bld.add(
            Kind.OPERATION_MISSING,
            op,
            op,
            fa or fb,
            fb,
            from_value=True,
            to_value=False,
            touches=used,
            impact=f"calls to {op} fail on {b_name} (not supported)",
        )
        return
    if op.endswith(".create"):
        ra, rb = bld.pair(op, "create_refused")
        if ra is not None and rb is not None and not ra.value and rb.value:
            bld.add(
                Kind.CREATE_REFUSED,
                op,
                op,
                ra,
                rb,
                from_value="accepted",
                to_value="refused",
                touches=used,
                impact=f"{b_name} refuses the documented minimal {op} body: {_first_sentence(str(rb.value))}",
            )
        for name in sorted(set(bld.a.param_names(op)) | set(bld.b.param_names(op))):
            pa, pb = bld.pair(op, f"accepted_param:{name}")
            if pa is None or pb is None or pa.value != "accepted" or pb.value == "accepted":
                continue
            touches = used and (uses.everything or name in uses.params)
            if pb.value == "rejected":
                bld.add(
                    Kind.PARAM_REJECTED,
                    op,
                    name,
                    pa,
                    pb,
                    touches=touches,
                    impact=f"requests with {name} are rejected by {b_name}",
                )
            else:
                bld.add(
                    Kind.PARAM_DROPPED,
                    op,
                    name,
                    pa,
                    pb,
                    touches=touches,
                    impact=f"{b_name} accepts {name} but silently ignores it",
                )
    _compare_fields(bld, op, used)
    sa, sb = bld.pair(op, "status_words")
    if sa is not None and sb is not None and set(sa.value or []) != set(sb.value or []):
        a_words, b_words = set(sa.value or []), set(sb.value or [])
        status_path = _role_paths(bld.a, op)[0].get("status", "data.task_status")
        if uses.everything:
            touches = used
        elif uses.statuses:
            # declared statuses mean the status is read, on every operation unless reads are per operation
            reads_status = uses.reads_path(status_path, op) or not uses.operation_reads
            known = set(uses.statuses)
            touches = used and reads_status and (not b_words <= known or not known & a_words <= b_words)
        else:
            touches = used and uses.reads_path(status_path, op)
        bld.add(
            Kind.STATUS_VOCABULARY,
            op,
            status_path,
            sa,
            sb,
            touches=touches,
            impact=f"{b_name} reports task states with other words; a client comparing against "
            f"{', '.join(sorted(a_words - b_words)) or 'its words'} never sees them",
            extra={"from_words": _vocabulary(bld.a, op, sa), "to_words": _vocabulary(bld.b, op, sb)},
        )
    ia, ib = bld.pair(op, "id_format")
    if ia is not None and ib is not None and ia.value != ib.value:
        id_path = _role_paths(bld.a, op)[0].get("task_id", "data.task_id")
        touches = used and not uses.opaque_ids and uses.reads_path(id_path, op)
        bld.add(
            Kind.ID_FORMAT,
            op,
            id_path,
            ia,
            ib,
            touches=touches,
            impact=f"task ids look different ({ia.value} vs {ib.value}); code that parses, validates or "
            "stores them as numbers breaks",
        )


def _first_sentence(text: str) -> str:
    """The first sentence of a departure's reason, for a one-line impact."""
    head = text.split(". ", 1)[0].strip()
    return head if len(head) <= 160 else head[:159] + "…"


def _vocabulary(facts: GatewayFacts, op: str, seen: Fact) -> list[str]:
    """Status words seen in the evidence, then the rest of the profile's declared vocabulary.

    A run may never observe a failure, but the adapter mapping must still cover ``FAILURE``: a client
    that only maps the words one run happened to see misses finished (or failed) tasks.
    """
    words = list(seen.value or [])
    operation = facts.profile.operation(op) if facts.profile is not None else None
    if operation is not None:
        words += [w for w in operation.status_vocabulary if w not in words]
    return words


def _compare_fields(bld: _Builder, op: str, used: bool) -> None:
    uses, b_name = bld.uses, bld.b.gateway
    ra, pa_all, fa = _role_paths(bld.a, op)
    rb, pb_all, fb = _role_paths(bld.b, op)
    sha, shb = bld.a.get(op, "response_shape"), bld.b.get(op, "response_shape")
    b_profile_op = bld.b.profile.operation(op) if bld.b.profile is not None else None
    documented = getattr(b_profile_op, "documented_shape", "") if b_profile_op is not None else ""
    if documented and shb is not None and documented != shb.value:
        bld.result.notes.append(
            f"{b_name}'s documentation shows the {documented} shape for {op}; compared as {shb.value} ({shb.source})"
        )
    if sha is not None and shb is not None and sha.value != shb.value:
        no_field_evidence = pa_all is None or pb_all is None
        bld.add(
            Kind.RESPONSE_SHAPE,
            op,
            "response_shape",
            sha,
            shb,
            touches=used and no_field_evidence and (uses.everything or bool(uses.reads_of(op))),
            impact=f"{b_name} answers in the {shb.value} envelope instead of {sha.value}"
            + ("" if no_field_evidence else " (see the field differences)"),
        )
    if pa_all is None or pb_all is None or fa is None or fb is None:
        if pa_all is not None:
            bld.result.gaps.append(f"{op} field_paths: no evidence for {b_name}")
        return
    assigned = set()
    for role, a_path in ra.items():
        assigned.add(a_path)
        b_path = rb.get(role)
        touches = used and uses.reads_path(a_path, op)
        if b_path is None:
            if a_path in pb_all:
                continue
            bld.add(
                Kind.FIELD_MISSING,
                op,
                a_path,
                fa,
                fb,
                from_value=a_path,
                to_value=None,
                touches=touches,
                impact=f"{b_name} does not return {a_path} ({role.replace('_', ' ')})",
                extra={"role": role},
            )
        elif b_path != a_path:
            bld.add(
                Kind.FIELD_MOVED,
                op,
                a_path,
                fa,
                fb,
                from_value=a_path,
                to_value=b_path,
                touches=touches,
                impact=f"{role.replace('_', ' ')} is at {b_path} on {b_name}, not {a_path}",
                extra={"role": role},
            )
        else:
            ta, tb = _path_type(bld.a, op, a_path), _path_type(bld.b, op, b_path)
            if ta and tb and ta != tb:
                bld.add(
                    Kind.FIELD_TYPE_CHANGED,
                    op,
                    a_path,
                    fa,
                    fb,
                    from_value=ta,
                    to_value=tb,
                    touches=touches,
                    impact=f"{a_path} is of type {tb} on {b_name}, not {ta}",
                    extra={"role": role},
                )
    covered = {a_path for role, a_path in ra.items() if role in rb}  # reads of these are handled above
    same_shape = sha is not None and shb is not None and sha.value == shb.value
    # Fields without a role: with the same envelope on both sides B is taken to return what A does
    # (a field one run did not see is not a field removed); only another envelope loses them.
    missing = set() if same_shape else pa_all - pb_all - assigned
    for path in sorted(missing):
        below = [p for p in missing if p != path and _overlaps_path(path, p) and p.startswith(path)]
        if any(_overlaps_path(p, path) and p != path for p in missing | assigned if path.startswith(p)):
            continue  # reported with its missing parent, or below a role handled above
        if any(_overlaps_path(path, p) and p != path for p in assigned if p.startswith(path)):
            continue  # a container of roles: each role was reported on its own
        reads_it = uses.everything or any(_overlaps_path(r, path) for r in uses.reads_of(op) if r not in covered)
        suffix = f" (nor the {len(below)} fields below it)" if below else ""
        bld.add(
            Kind.FIELD_MISSING,
            op,
            path,
            fa,
            fb,
            from_value=path,
            to_value=None,
            touches=used and reads_it,
            impact=f"{b_name} does not return {path}{suffix}",
            extra={"below": sorted(below)},
        )


def _overlaps_path(a: str, b: str) -> bool:
    """Whether one path equals the other or contains it."""
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter) and longer[len(shorter)] in ".["


def _compare_gateway_wide(bld: _Builder) -> None:
    uses, b_name = bld.uses, bld.b.gateway
    reads_timestamps = (
        uses.everything
        or any(
            uses.reads_path(p, op)
            for op in bld.a.operations()
            for r, p in _role_paths(bld.a, op)[0].items()
            if r in TIMESTAMP_ROLES
        )
        or any(
            r.rsplit(".", 1)[-1] in ("created_at", "updated_at", "submit_time", "finish_time") for r in uses.reads_of()
        )
    )
    ta, tb = bld.pair("", "timestamp_unit")
    if ta is not None and tb is not None and ta.value and tb.value and ta.value != tb.value:
        bld.add(
            Kind.TIMESTAMP_UNIT,
            "",
            "timestamp_unit",
            ta,
            tb,
            touches=reads_timestamps,
            impact=f"timestamps are in {tb.value} on {b_name}, not {ta.value}: dates land in 1970 or far future",
        )
    ea, eb = bld.pair("", "error_shape")
    if ea is not None and eb is not None and ea.value != eb.value:
        bld.add(
            Kind.ERROR_SHAPE,
            "",
            "error_shape",
            ea,
            eb,
            touches=uses.reads_error_body(),
            impact=f"error bodies are {eb.value} on {b_name}, not {ea.value}: error code and message are elsewhere",
        )
    for situation in sorted(set(bld.a.error_situations()) | set(bld.b.error_situations())):
        sa, sb = bld.pair("", f"error_status:{situation}")
        if sa is not None and sb is not None and sa.value != sb.value:
            bld.add(
                Kind.ERROR_STATUS,
                "",
                situation,
                sa,
                sb,
                touches=uses.handles_error(situation),
                impact=f"the same error ({situation.replace('_', ' ')}) answers HTTP {sb.value} on {b_name}, "
                f"not {sa.value}",
            )
    ca, cb = bld.pair("", "callback")
    if ca is not None and cb is not None and ca.value != cb.value and ca.value not in (None, "none"):
        touches = uses.everything or uses.callbacks or "callback_url" in uses.params
        bld.add(
            Kind.CALLBACK,
            "",
            "callback",
            ca,
            cb,
            touches=touches,
            impact=adapters.callback_impact(str(cb.value), b_name),
        )


def compare_gateways(
    from_gateway: str,
    to_gateway: str,
    *,
    reports: Iterable[tuple[str, RunReport]] = (),
    profiles: Mapping[str, GatewayProfile] | None = None,
    uses: Uses | None = None,
) -> Comparison:
    """Compare what a client of ``from_gateway`` relies on with what ``to_gateway`` does.

    ``reports`` are (label, report) pairs, most authoritative last; ``profiles`` give the documented
    baseline for aspects no report covers. Unknown gateway ids raise :class:`UsageError`.
    """
    labelled = list(reports)
    profiles = dict(profiles or {})
    uses = uses or Uses.all()
    a = load_facts(from_gateway, labelled, profiles)
    b = load_facts(to_gateway, labelled, profiles)
    known = sorted({o.gateway for _, r in labelled for o in r.observations} | set(profiles))
    for name, facts, flag in ((from_gateway, a, "--from"), (to_gateway, b, "--to")):
        if not facts.known:
            raise UsageError(
                f"nothing is known about gateway {name!r}.{did_you_mean(name, known)}",
                where=flag,
                fix=f"use one of: {', '.join(known) or '(none: run `kling-conformance run` first)'}",
            )
    result = Comparison(
        from_gateway=from_gateway, to_gateway=to_gateway, sources=[label for label, _ in labelled], uses=uses
    )
    for label, report in labelled:
        if report.meta.incomplete:
            result.notes.append(f"{label} is marked incomplete: some aspects may be missing")
    if not labelled:
        result.notes.append("no report given: every fact comes from the built-in profiles (documented behaviour)")
    builder = _Builder(a, b, uses, result)
    operations = a.operations()
    if not uses.everything:
        missing = [op for op in uses.operations if op not in operations and op not in ENDPOINTS]
        result.notes += [f"{op} is declared in the uses file but {from_gateway} does not offer it" for op in missing]
        operations = [op for op in operations if op in uses.operations] + [op for op in missing if op in b.operations()]
    compare_access(builder)
    for op in operations:
        if op in ENDPOINTS:
            continue  # compared by compare_access
        _compare_operation(builder, op)
    _compare_gateway_wide(builder)
    order = list(Kind)
    result.differences.sort(key=lambda d: (not d.breaking, order.index(d.kind), d.operation, d.subject))
    return result
