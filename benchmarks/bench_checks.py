"""Run the whole check catalog over a synthetic full-matrix run and report pure-CPU time.

    python benchmarks/bench_checks.py [GATEWAYS] [ROUNDS]

The matrix mirrors what the harness captures per gateway: for each of the 8 families a minimal create
polled 20 times to success, 9 optional-parameter creates (one follow-up query each, callbacks on the
callback_url one), 5 invalid requests, known/variant/unknown/external-id queries, the 4 list probes,
plus the two auth probes. Bodies are official-envelope bodies with fresh ids. Times are
``time.process_time`` (pure CPU), the median of ROUNDS rounds after a warm-up, each round on fresh
contexts (no memoised results carried over). The reference, in the same run, is normalizing every
exchange once (``conformance.normalize.normalize``), the per-exchange floor a run pays anyway.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from typing import Any

import orjson

from conformance.checks import load_builtin_checks
from conformance.checks._support import _parse_cached
from conformance.checks.base import CallbackDelivery, CheckContext, ScenarioTrace
from conformance.models import Evidence, EvidenceKind, Exchange, RecordedRequest, RecordedResponse
from conformance.normalize import normalize
from conformance.profiles.model import FAMILIES, OPTIONAL_PARAM_NAMES, GatewayProfile, OperationProfile

EVIDENCE = Evidence(kind=EvidenceKind.EMULATOR, source="bench")
HEADERS = (("content-type", "application/json"),)
MS = 1_762_237_353_241
_ids = itertools.count(867283741759111202)


def _task(task_id: str, status: str, family: str) -> dict[str, Any]:
    task: dict[str, Any] = {
        "task_id": task_id,
        "task_status": status,
        "task_status_msg": "",
        "task_info": {"external_task_id": f"ext-{family}"},
        "created_at": MS,
        "updated_at": MS + 1000,
    }
    if status == "succeed":
        key = "videos" if "/videos/" in FAMILIES[family] else "images"
        task["task_result"] = {key: [{"id": "v", "url": f"https://cdn.example/{task_id}.mp4", "duration": "5.1"}]}
    return task


def _body(data: Any) -> bytes:
    return orjson.dumps({"code": 0, "message": "SUCCEED", "request_id": "r-1", "data": data})


def _exchange(gw: str, scenario: str, op: str, purpose: str, body: bytes, status: int = 200) -> Exchange:
    return Exchange(
        ref=f"{gw}/{scenario}#{next(_ids)}",
        gateway=gw,
        operation_id=op,
        scenario=scenario,
        request=RecordedRequest(method="GET", url="http://127.0.0.1/kling/v1/x?pageNum=1&pageSize=30"),
        response=RecordedResponse(status_code=status, headers=HEADERS, body=body),
        evidence=EVIDENCE,
        meta={"purpose": purpose},
    )


def _trace(gw: str, scenario: str, op: str, exchanges: list[Exchange], **kw: Any) -> ScenarioTrace:
    return ScenarioTrace(
        scenario=scenario, operation_id=op, gateway=gw, evidence=EVIDENCE, exchanges=tuple(exchanges), **kw
    )


def gateway_traces(gw: str) -> dict[str, ScenarioTrace]:
    """Every scenario trace of one gateway."""
    traces: dict[str, ScenarioTrace] = {}
    error = orjson.dumps({"code": 1201, "message": "bad", "request_id": "r-2"})
    for family in FAMILIES:
        create, get, lst = f"{family}.create", f"{family}.get", f"{family}.list"
        task_id = str(next(_ids))
        statuses = ["submitted"] * 3 + ["processing"] * 16 + ["succeed"]
        life = [_exchange(gw, f"{create}.minimal", create, "create", _body(_task(task_id, "submitted", family)))]
        life += [_exchange(gw, f"{create}.minimal", get, "poll", _body(_task(task_id, s, family))) for s in statuses]
        traces[f"{create}.minimal"] = _trace(gw, f"{create}.minimal", create, life)
        for name in OPTIONAL_PARAM_NAMES:
            sid = f"{create}.param.{name}"
            pid = str(next(_ids))
            exchanges = [
                _exchange(gw, sid, create, "create", _body(_task(pid, "submitted", family))),
                _exchange(gw, sid, get, "poll", _body(_task(pid, "succeed", family))),
            ]
            callbacks = (
                tuple(
                    CallbackDelivery(received_at_ms=0.0, headers=HEADERS, body=orjson.dumps(_task(pid, s, family)))
                    for s in ("processing", "succeed")
                )
                if name == "callback_url"
                else ()
            )
            traces[sid] = _trace(
                gw, sid, create, exchanges, callbacks=callbacks, request_body={"external_task_id": f"ext-{family}"}
            )
        for case in ("missing-required", "bad-enum", "out-of-range", "wrong-type", "wrong-content-type"):
            sid = f"{create}.invalid.{case}"
            traces[sid] = _trace(gw, sid, create, [_exchange(gw, sid, create, "create", error, 400)])
        for case, purpose in (("known", "query"), ("variant", "variant"), ("external-id", "query")):
            sid = f"{get}.{case}"
            traces[sid] = _trace(
                gw,
                sid,
                get,
                [_exchange(gw, sid, get, purpose, _body(_task(task_id, "succeed", family)))],
                meta={"task_id": task_id, "external_task_id": f"ext-{family}"},
            )
        sid = f"{get}.unknown"
        unknown = orjson.dumps({"code": 1203, "message": "not found", "request_id": "r-3"})
        traces[sid] = _trace(gw, sid, get, [_exchange(gw, sid, get, "query", unknown, 404)])
        sid = f"{lst}.bounds"
        listing = _body([_task(task_id, "succeed", family)] * 3)
        traces[sid] = _trace(gw, sid, lst, [_exchange(gw, sid, lst, "list", listing) for _ in range(2)])
    for case in ("missing-key", "invalid-key"):
        sid = f"auth.{case}"
        body = orjson.dumps({"code": 1001, "message": "auth", "request_id": "r-4"})
        traces[sid] = _trace(gw, sid, "image2video.get", [_exchange(gw, sid, "image2video.get", "auth", body, 401)])
    return traces


def _profile(gw: str) -> GatewayProfile:
    operations = {
        f"{f}.{k}": OperationProfile(operation_id=f"{f}.{k}", method="GET", path="/x")
        for f in FAMILIES
        for k in ("create", "get", "list")
    }
    return GatewayProfile(
        id=gw,
        title=gw,
        family="kling",
        evidence_kind=EvidenceKind.EMULATOR,
        evidence_source="bench",
        base_url="http://127.0.0.1",
        operations=operations,
    )


def _normalizer(exchange: Exchange) -> Any:
    assert exchange.response is not None
    return normalize(exchange.response.body, status_code=exchange.response.status_code)


def main() -> None:
    """Print per-round CPU time of the catalog and of the normalize-everything reference."""
    gateways = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    specs = [spec for _, spec in load_builtin_checks().items()]
    matrix = {f"gw{i}": gateway_traces(f"gw{i}") for i in range(gateways)}
    exchanges = sum(len(t.exchanges) for traces in matrix.values() for t in traces.values())

    def run_catalog() -> int:
        _parse_cached.cache_clear()  # no parse results carried over between rounds
        verdicts = 0
        for gw, traces in matrix.items():
            ctx = CheckContext(profile=_profile(gw), traces=traces, normalizer=_normalizer)
            for spec in specs:
                verdicts += len(list(spec.function(ctx)))
        return verdicts

    def run_reference() -> int:
        return sum(1 for traces in matrix.values() for t in traces.values() for ex in t.exchanges if _normalizer(ex))

    def timed(function: Any) -> tuple[float, int]:
        function()  # warm-up (validators, caches of the contract layer)
        samples, result = [], 0
        for _ in range(rounds):
            start = time.process_time()
            result = function()
            samples.append(time.process_time() - start)
        return statistics.median(samples), result

    catalog_s, verdicts = timed(run_catalog)
    reference_s, _ = timed(run_reference)
    print(f"matrix: {gateways} gateways, {exchanges} exchanges, {len(specs)} checks, {verdicts} verdicts")
    print(f"reference (normalize every exchange once): {reference_s * 1000:.1f} ms")
    print(
        f"check catalog (incl. its normalizer calls):  {catalog_s * 1000:.1f} ms "
        f"({exchanges / catalog_s:,.0f} exchanges/s)"
    )
    print(f"ratio catalog / reference: {catalog_s / reference_s:.2f}")


if __name__ == "__main__":
    main()
