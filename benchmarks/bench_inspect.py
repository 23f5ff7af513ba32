"""CPU of ``kling-conformance inspect --ndjson -`` on N bodies in one process, against its own start-up.

    python benchmarks/bench_inspect.py [N] [ROUNDS]

The bodies are ``bench_normalize``'s corpus (every family and error shape, fresh ids per body), one JSON
body per line on standard input. Each round runs the installed console script twice: with all N bodies
and with the first body only (the start-up: imports, the reading model, one reading). CPU is the
child's user + system time (``getrusage``), the best of ROUNDS rounds. Printed: the N-body CPU (issue
13's goal: 10,000 bodies well under a second), the start-up, and the per-body cost as a ratio to
``orjson.loads`` of the same bodies measured in this process.
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_normalize import build_corpus


def _child_cpu(command: list[str], stdin: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with stdin.open("rb") as handle:
        subprocess.run(command, stdin=handle, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _ndjson_lines(size: int) -> list[bytes]:
    lines = []
    for raw, _ in build_corpus(size):
        try:
            lines.append(orjson.dumps(orjson.loads(raw)))
        except orjson.JSONDecodeError:  # not JSON: kept as one line, as a gateway's odd body would be
            lines.append(raw.replace(b"\r", b" ").replace(b"\n", b" ") or b'""')
    return lines


def main(argv: list[str]) -> None:
    """Write the NDJSON files, run the command, print the figures."""
    size = int(argv[1]) if len(argv) > 1 else 10_000
    rounds = int(argv[2]) if len(argv) > 2 else 3
    script = shutil.which("kling-conformance")
    if script is None:
        raise SystemExit("kling-conformance is not on PATH: pip install -e . first")
    lines = _ndjson_lines(size)
    start = time.process_time()
    for line in lines:
        with contextlib.suppress(orjson.JSONDecodeError):
            orjson.loads(line)
    orjson_s = time.process_time() - start
    with tempfile.TemporaryDirectory() as folder:
        every, first = Path(folder) / "all.ndjson", Path(folder) / "one.ndjson"
        every.write_bytes(b"\n".join(lines) + b"\n")
        first.write_bytes(lines[0] + b"\n")
        command = [script, "inspect", "--ndjson", "-"]
        totals, starts = [], []
        for _ in range(rounds):
            totals.append(_child_cpu(command, every))
            starts.append(_child_cpu(command, first))
    total, start_up = min(totals), min(starts)
    per_body = (total - start_up) / max(size - 1, 1)
    print(f"inspect --ndjson -: {size:,} bodies in {total:.3f} s CPU (best of {rounds}), start-up {start_up:.3f} s")
    print(
        f"per body: {per_body * 1e6:.1f} µs = {per_body / (orjson_s / size):.1f}x orjson.loads of the same line"
        f" ({orjson_s / size * 1e6:.2f} µs, this process)"
    )


if __name__ == "__main__":
    main(sys.argv)
