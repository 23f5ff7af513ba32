"""Rewrite the README's reliability section from the figures the hardening suite measured.

    pytest tests/hardening            # writes tests/hardening/.figures/*.json
    python scripts/update_reliability.py [--check]

The section sits between ``<!-- reliability:start -->`` and ``<!-- reliability:end -->`` in README.md
(created at the end of the file when absent). Its numbers come only from the figure files and from
``benchmarks/results/load.json`` (written by ``python benchmarks/bench_load.py --json-out ...``), so they
cannot be typed by hand: ``tests/hardening/test_reliability_readme.py`` fails when the README differs
from what the suite measured. ``--check`` exits 1 instead of writing when the section is out of date.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIGURES = ROOT / "tests" / "hardening" / ".figures"
LOAD_RESULT = ROOT / "benchmarks" / "results" / "load.json"
START = "<!-- reliability:start -->"
END = "<!-- reliability:end -->"
AREAS = ("hostile", "secrets", "interrupts", "bad_inputs", "load", "canary", "inside", "budget")


class MissingFigures(Exception):
    """Some area's figures were not produced (run the whole hardening suite first)."""


def load_figures(folder: Path = FIGURES) -> dict[str, dict[str, int]]:
    """The counts of every area; raises :class:`MissingFigures` naming the missing ones."""
    found: dict[str, dict[str, int]] = {}
    missing = []
    for area in AREAS:
        path = folder / f"{area}.json"
        if not path.is_file():
            missing.append(area)
            continue
        found[area] = {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["counts"].items()}
    if missing:
        raise MissingFigures(f"no figures for {', '.join(missing)} in {folder}; run `pytest tests/hardening` first")
    return found


def load_benchmark(path: Path = LOAD_RESULT) -> dict[str, Any] | None:
    """The committed full-size load benchmark result, if one was recorded."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def render(figures: dict[str, dict[str, int]], bench: dict[str, Any] | None) -> str:
    """The markdown of the section (between the markers, markers excluded)."""
    h, s, i, b, ld, c, ins, bud = (figures[a] for a in AREAS)
    lines = [
        "Measured by `pytest tests/hardening` (every figure below is written by the test run and checked",
        "against this section by `tests/hardening/test_reliability_readme.py`; refresh it with",
        "`python scripts/update_reliability.py`).",
        "",
        "| promise | measured |",
        "|---|---|",
        f"| hostile responses survived (run finishes, report written, other gateway unaffected) "
        f"| **{h.get('survived', 0)} of {h.get('tried', 0)}** |",
        f"| hostile responses named in a `fail`/`error` message | {h.get('named', 0)} of {h.get('tried', 0)}"
        + (f" ({h['known_gaps']} known gaps, tracked as expected failures)" if h.get("known_gaps") else "")
        + " |",
        f"| API key found in anything written ({s.get('record_runs', 0)} record runs, every profile, "
        f"{s.get('forms_searched', 0)} encodings searched) | **{s.get('secrets_found', 0)}** |",
        f"| API key echoed back by a hostile gateway (`Location`, `WWW-Authenticate`, `X-*`, body; also in "
        f"`--base-url` userinfo and query): occurrences in any file written or in stdout/stderr "
        f"({c.get('runs', 0)} record runs, {c.get('forms_searched', 0)} forms searched: plain, URL, JSON, hex, "
        f"base64/base64url at 3 alignments) | **{c.get('hits', 0)}** |",
        f"| credentials (`Authorization`, a custom auth header) sent to a second origin when every task poll "
        f"is redirected there (2 runs) | **{c.get('credentials_to_other_origin', 0)}** |",
        f"| result URLs and redirects pointing inside ({ins.get('cases', 0)} cases: private address, another "
        f"loopback port, `file:`, relative, redirect chain, poll redirect): hits on the internal service / "
        f"internal replies stored | **{ins.get('internal_hits', 0)} / {ins.get('internal_replies_stored', 0)}** |",
        f"| live runs against gateways that bill every request ({bud.get('runs', 0)} runs, budgets 0/1/5, "
        f"accept-all and create-then-503): tasks created over `--max-paid-tasks` / report differing from the "
        f"server's count | **{bud.get('over_budget', 0)} / {bud.get('report_mismatch', 0)}** |",
        f"| interrupted record runs (SIGINT/SIGKILL at seeded random moments) with nothing lost "
        f"| **{i.get('nothing_lost', 0)} of {i.get('trials', 0)}** |",
        f"| concurrent runs into one reports folder, all reports complete | {i.get('concurrent_runs', 0)} |",
        f"| bad inputs tried, each exit 2 with a one-paragraph fix and no traceback "
        f"| **{b.get('exit_2_with_fix', 0)} of {b.get('tried', 0)}** |",
        f"| load test: {ld.get('tasks', 0)} concurrent tasks, {ld.get('gateways', 0)} gateways, faults on 10% "
        f"of calls: lost results / duplicated creations | {ld.get('lost_results', 0)} / "
        f"{ld.get('duplicated_creations', 0)} |",
    ]
    if bench is not None:
        growth = (bench.get("rss_mb_last_quarter") or 0.0) - (bench.get("rss_mb_first_quarter") or 0.0)
        lines += [
            "",
            f"Load benchmark (`python benchmarks/bench_load.py`, {bench.get('measured_on', '?')}, "
            f"{bench.get('cpus', '?')} CPUs): {bench['tasks']} concurrent tasks across every profile for "
            f"{bench['seconds']} s at `--time-scale {bench['time_scale']}`, faults on "
            f"{bench['fault_share']:.0%} of calls: {bench['results_terminal']} results, "
            f"{bench['lost_results']} lost, {bench['duplicated_creations']} duplicated creations, "
            f"{bench['orphaned_by_fault']} creates whose answer a fault destroyed (counted on the emulator), "
            f"client RSS {bench['rss_mb_first_quarter']} → {bench['rss_mb_last_quarter']} MB "
            f"({growth:+.1f} MB).",
        ]
    return "\n".join(lines)


def current_section(text: str) -> str | None:
    """The text between the markers, stripped; ``None`` when the markers are absent."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def replace_section(text: str, body: str) -> str:
    """``text`` with the section replaced (or appended with its markers)."""
    block = f"{START}\n{body}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Rewrite the README reliability section from measured figures.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when the README is out of date; write nothing.")
    args = parser.parse_args(argv)
    try:
        body = render(load_figures(), load_benchmark())
    except MissingFigures as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = README.read_text(encoding="utf-8")
    if current_section(text) == body.strip():
        print("README reliability section is up to date")
        return 0
    if args.check:
        print("README reliability section is out of date: run python scripts/update_reliability.py", file=sys.stderr)
        return 1
    tmp = README.with_name(f".{README.name}.{os.getpid()}.tmp")
    tmp.write_text(replace_section(text, body), encoding="utf-8")
    os.replace(tmp, README)
    print(f"README reliability section rewritten from {FIGURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
