#!/usr/bin/env python
"""Report rendering: index.html and summary.md against report.json, same report, same process.

    python benchmarks/bench_reports.py [path/to/report.json or run folder]   (default: reports/latest)

Make the report first with ``kling-conformance run`` (the bundled replay). Prints each format's size and
its best-of-7 render time, and the ratio of that time to the report.json render (the reference), so the
figure does not depend on how fast this machine is.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.reports import REPORTERS, load_report  # noqa: E402


def best_of(render: object, report: object, rounds: int = 7) -> tuple[float, int]:
    """Best wall time of ``rounds`` renders, in seconds, and the rendered size in bytes."""
    best, size = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        text = render(report)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
        size = len(text.encode("utf-8") if isinstance(text, str) else text)
    return best, size


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "reports" / "latest"
    report = load_report(source)
    sizes = f"{len(report.results)} results, {len(report.exchanges)} exchanges, {len(report.meta.gateways)} gateways"
    print(f"report: {sizes}")
    for name in ("json", "markdown", "html"):  # warm up: imports, caches
        REPORTERS.get(name).render(report)
    reference, _ = best_of(REPORTERS.get("json").render, report)
    for name in ("json", "markdown", "html"):
        reporter = REPORTERS.get(name)
        seconds, size = best_of(reporter.render, report)
        print(
            f"  {reporter.filename:<12} {size:>10,} B  {seconds * 1000:8.1f} ms  "
            f"{seconds / reference:5.2f}x the report.json render"
        )


if __name__ == "__main__":
    main()
