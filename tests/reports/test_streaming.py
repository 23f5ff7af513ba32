"""The report writers stream: writing a report of many results never holds the whole text of a file.

Each streamed format gives exactly the bytes of its whole render, a secret cut across two pieces is still
scrubbed, and the memory traced while writing stays a small fraction of what is written (a writer that
rendered a whole file in memory would need at least that file's size).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from report_samples import build_report, result

from conformance.models import Outcome
from conformance.reports import REPORTERS, write_reports
from conformance.reports.writer import atomic_write_pieces
from conformance.runmodel import RunReport
from conformance.scrub import _registry, register_secrets, scrub_registered_stream

#: Fat results (a 2 KB ``actual`` each), so that the big files are many MB while the test stays fast.
_FAT = "x" * 2_000


def _big_report(count: int = 10_000) -> RunReport:
    base = build_report()
    gateways = [f"gw-{n:03d}" for n in range(40)]
    results = [
        result(
            gateways[i % len(gateways)],
            f"check_{i % 30}",
            (Outcome.FAIL, Outcome.PASS, Outcome.SKIPPED)[i % 3],
            area="core",
            operation="text2video.create",
            subject=f"scenario-{i}",
            message=f"result {i}",
            expected={"n": i},
            actual={"body": _FAT + str(i)},
        )
        for i in range(count)
    ]
    base.meta.gateways = gateways
    return RunReport(meta=base.meta, results=results, observations=base.observations, exchanges=base.exchanges)


@pytest.mark.parametrize("name", ["json", "junit", "html"])
def test_streamed_pieces_are_the_whole_render(name: str) -> None:
    reporter = REPORTERS.get(name)
    assert reporter.stream is not None
    for report in (build_report(), _big_report(600)):
        assert "".join(reporter.pieces(report)) == reporter.render(report)
    empty = build_report()
    empty.results, empty.observations, empty.exchanges = [], [], {}
    assert "".join(reporter.pieces(empty)) == reporter.render(empty)


def test_writing_many_results_holds_a_small_fraction_of_what_it_writes(tmp_path: Path) -> None:
    report = _big_report()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        run_dir = write_reports(report, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    written = {p.name: p.stat().st_size for p in run_dir.iterdir()}
    largest = max(written.values())
    assert largest > 15_000_000, written  # the test is meaningful: the big files are > 15 MB
    # A whole render of the largest file alone needs `largest` bytes twice (its str, then its UTF-8 copy).
    assert peak - before < largest / 2, f"traced {(peak - before) / 1e6:.1f} MB writing files of {written}"


def test_a_secret_cut_across_pieces_is_still_scrubbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conformance.scrub._registry", dict(_registry))
    secret = "sk-stream-secret-0123456789"
    register_secrets(secret)
    text = ("a" * 97 + secret + "b" * 13) * 50
    pieces = [text[i : i + 7] for i in range(0, len(text), 7)]  # every secret crosses a piece boundary
    out = b"".join(scrub_registered_stream((p.encode() for p in pieces), chunk_bytes=64))
    assert secret.encode() not in out
    assert out == text.replace(secret, "[REDACTED]").encode()
    atomic_write_pieces(tmp_path / "f.txt", pieces)
    assert (tmp_path / "f.txt").read_bytes() == out
