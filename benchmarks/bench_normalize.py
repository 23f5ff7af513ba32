"""Classify a 10,000-body corpus with ``conformance.normalize`` and report pure-CPU time and bodies/s.

    python benchmarks/bench_normalize.py [N] [ROUNDS]

The corpus mixes every family and error shape: it is built from the table-driven cases in
``tests/normalize/cases/`` (families A, A′, B, C, D, E, error envelopes 1–6, seed examples and edge
cases such as HTML pages, invalid UTF-8 and duplicate keys), weighted towards the everyday bodies
(official and new-api lifecycles, errors) and given fresh task ids, timestamps and URLs per body so no
two bodies are byte-identical. Times are ``time.process_time`` (pure CPU), the median of ROUNDS rounds
after one warm-up round (and the best round). The reference is ``orjson.loads`` alone over the same
corpus in the same run (perf-anchors §2: parse + prebuilt validation is the practical floor per body),
so the ratio says what classification and field extraction cost on top of parsing. A calibration
probe is printed alongside.
"""

from __future__ import annotations

import base64
import collections
import json
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import orjson

from conformance.normalize import normalize

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "normalize" / "cases"
KLING_ID = "867283741759111202"
NEWAPI_ID = "task_Zx8Qm2Lp4Rt6Vw0Yb3Nc5Df7Gh9Jk1Ls"
MS = "1762237353241"
WEIGHTS = {  # how often bodies of each case file appear (everyday traffic is official and new-api)
    "family_a_official.json": 30,
    "family_b_newapi_wrapper.json": 20,
    "family_c_openai_video.json": 12,
    "errors.json": 12,
    "family_a_prime_gateway_ids.json": 8,
    "family_d_flat.json": 6,
    "family_e_hybrids.json": 6,
    "seed_examples.json": 4,
    "edge_cases.json": 2,
}


def case_bodies() -> list[tuple[str, str, bytes, int | None]]:
    """(case file, case id, raw body, HTTP status) of every normalizer test case, in file order."""
    bodies = []
    for file in sorted(CASES_DIR.glob("*.json")):
        for row in json.loads(file.read_text(encoding="utf-8"))["cases"]:
            if "body_text" in row:
                raw = row["body_text"].encode("utf-8")
            elif "body_base64" in row:
                raw = base64.b64decode(row["body_base64"])
            else:
                raw = json.dumps(row["body"], ensure_ascii=False).encode("utf-8")
            bodies.append((file.name, row["id"], raw, row.get("status_code")))
    return bodies


def _templates() -> list[tuple[str, bytes, int | None]]:
    return [(file, raw, status) for file, _, raw, status in case_bodies()]


def build_corpus(size: int, seed: int = 7) -> list[tuple[bytes, int | None]]:
    """``size`` (body, status code) pairs, mixed by :data:`WEIGHTS`, each with its own ids."""
    rng = random.Random(seed)
    by_file: dict[str, list[tuple[bytes, int | None]]] = collections.defaultdict(list)
    for name, raw, status in _templates():
        by_file[name].append((raw, status))
    files = [name for name in WEIGHTS if name in by_file]
    weights = [WEIGHTS[name] for name in files]
    corpus = []
    for index in range(size):
        raw, status = rng.choice(by_file[rng.choices(files, weights)[0]])
        kling_id = str(800000000000000000 + rng.randrange(10**17))
        new_id = "task_" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", k=32))
        raw = (
            raw.replace(KLING_ID.encode(), kling_id.encode())
            .replace(NEWAPI_ID.encode(), new_id.encode())
            .replace(MS.encode(), str(1762237353241 + index * 1000).encode())
        )
        corpus.append((raw, status))
    return corpus


def _cpu_seconds(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """(median, best) CPU seconds of ``rounds`` runs after a warm-up."""
    run()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times), min(times)


def main(argv: list[str]) -> None:
    """Build the corpus, time both passes, print the figures."""
    size = int(argv[1]) if len(argv) > 1 else 10_000
    rounds = int(argv[2]) if len(argv) > 2 else 5
    corpus = build_corpus(size)
    total_bytes = sum(len(raw) for raw, _ in corpus)

    def classify() -> object:
        return [normalize(raw, status_code=status) for raw, status in corpus]

    def parse_only() -> object:
        out = []
        for raw, _ in corpus:
            try:
                out.append(orjson.loads(raw))
            except orjson.JSONDecodeError:
                out.append(None)
        return out

    probe = min(timeit.repeat("sum(range(10000))", number=200, repeat=7)) / 200 * 1e6
    normalize_s, normalize_best = _cpu_seconds(classify, rounds)
    orjson_s, orjson_best = _cpu_seconds(parse_only, rounds)
    shapes = collections.Counter(normalize(raw, status_code=status).shape.value for raw, status in corpus)

    print(f"corpus: {size} bodies, {total_bytes / 1e6:.2f} MB, mean {total_bytes / size:.0f} B/body")
    print(f"shapes: {dict(sorted(shapes.items(), key=lambda item: -item[1]))}")
    print(f"calibration probe sum(range(10000)): {probe:.0f} µs (quiet machine: ~195 µs)")
    for label, seconds in (("normalize", normalize_s), ("orjson.loads only", orjson_s)):
        rate, per_body = size / seconds, seconds / size * 1e6
        print(f"{label + ':':<19}{seconds:.3f} s CPU  {rate:>10,.0f} bodies/s  {per_body:.1f} µs/body")
    print(f"ratio normalize / orjson.loads: {normalize_s / orjson_s:.1f}x (median of {rounds} rounds after a warm-up)")
    print(
        f"best of {rounds}: normalize {size / normalize_best:,.0f} bodies/s, orjson.loads {size / orjson_best:,.0f}"
        f" bodies/s, ratio {normalize_best / orjson_best:.1f}x (a shared machine slows the median, the best less)"
    )


if __name__ == "__main__":
    main(sys.argv)
