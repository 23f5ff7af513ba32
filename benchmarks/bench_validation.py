"""Validate a ~293-byte Kling query body N times, four ways, and print bodies/s and ratios.

    python benchmarks/bench_validation.py [N]

(a) naive ``jsonschema.validate`` per call (few iterations: it checks the metaschema and builds a
validator every call), (b) a prebuilt ``jsonschema.Draft202012Validator`` (the reference), (c) a prebuilt
``jsonschema_rs.Draft202012Validator``, (d) ``conformance.spec.compiled(...).is_valid`` — the path the
checks use — plus ``.issues`` on an invalid body. The schema is the canonical ``image2video.get`` 200
response, resolved to a self-contained Draft 2020-12 schema. Compare figures only within one run
(perf-anchors §0: this VM swings 2–3× under load); a calibration probe is printed alongside.
"""

from __future__ import annotations

import statistics
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema_rs
import orjson

from conformance.spec import compiled, operation

BODY: dict[str, Any] = {
    "code": 0,
    "message": "SUCCEED",
    "request_id": "c0656403-5b5f-4d4e-9a0f-8e3b2d1c7a64",
    "data": {
        "task_id": "867283741759111202",
        "task_status": "succeed",
        "task_result": {"videos": [{"id": "v1", "url": "https://cdn.klingai.com/bs2/a.mp4", "duration": "5.1"}]},
        "created_at": 1762237353241,
        "updated_at": 1762237611902,
    },
}
INVALID: dict[str, Any] = {**BODY, "code": "0", "data": {**BODY["data"], "created_at": 1762237353}}


def _rate(func: Callable[[], object], iterations: int, repeats: int = 5) -> float:
    """Median calls/s over ``repeats`` timed runs after one warm-up."""
    func()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            func()
        rates.append(iterations / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    """Run the four variants and print the table."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    schema = operation("image2video.get").response_schemas["200"]
    raw = orjson.dumps(BODY)
    probe = min(timeit.repeat("sum(range(10000))", number=200, repeat=7)) / 200 * 1e6
    print(f"body: {len(raw)} bytes; N={n}; calibration probe sum(range(10000)): {probe:.0f} µs")

    reference = jsonschema.Draft202012Validator(schema)
    fast = jsonschema_rs.Draft202012Validator(schema)
    ours = compiled(schema)
    assert reference.is_valid(BODY) and fast.is_valid(BODY) and ours.is_valid(BODY)
    assert not ours.is_valid(INVALID) and len(ours.issues(INVALID)) == 3

    def ours_with_issues() -> object:
        return ours.is_valid(BODY) or ours.issues(BODY)

    results = [
        (
            "(a) jsonschema.validate, naive per call",
            _rate(lambda: jsonschema.validate(BODY, schema), max(n // 400, 20)),
        ),
        ("(b) prebuilt Draft202012Validator.is_valid", _rate(lambda: reference.is_valid(BODY), max(n // 10, 200))),
        ("(c) prebuilt jsonschema_rs .is_valid", _rate(lambda: fast.is_valid(BODY), n * 5)),
        ("(d) compiled().is_valid (valid body)", _rate(lambda: ours.is_valid(BODY), n * 5)),
        ("(d) compiled(): is_valid, else issues", _rate(ours_with_issues, n * 5)),
        ("(d) compiled().issues on invalid body", _rate(lambda: ours.issues(INVALID), max(n // 10, 200))),
        ("    orjson.loads + compiled().is_valid", _rate(lambda: ours.is_valid(orjson.loads(raw)), n * 2)),
        ("    compiled(same dict) lookup (cache hit)", _rate(lambda: compiled(schema), n)),
    ]
    base = results[1][1]
    print(f"{'method':46} {'bodies/s':>12} {'µs each':>9} {'vs (b)':>8}")
    for name, rate in results:
        print(f"{name:46} {rate:12,.0f} {1e6 / rate:9.2f} {rate / base:7.2f}x")


if __name__ == "__main__":
    main()
