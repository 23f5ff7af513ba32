"""The terminal summary: findings named pytest-style, capped, -q/-v honoured, colour only on a TTY without NO_COLOR."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from conformance.cli.cmd_run import print_summary
from conformance.models import Outcome
from conformance.reports.console import DEFAULT_LIMIT, failure_summary, finding_line, findings
from conformance.runmodel import RunReport


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _many_failures(report: RunReport, n: int) -> RunReport:
    template = next(r for r in report.results if r.outcome is Outcome.FAIL)
    extra = [replace(template, subject=f"image2video.create.param.p{i:02d}") for i in range(n)]
    return replace(report, results=[*report.results, *extra])


def test_each_finding_is_one_line_with_gateway_check_subject_reason_and_evidence(report: RunReport) -> None:
    found = findings(report.results)
    assert found and all(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in found)
    first_error = next(i for i, r in enumerate(found) if r.outcome is Outcome.ERROR)
    assert all(r.outcome is Outcome.FAIL for r in found[:first_error])  # failures first
    line = finding_line(found[0]).text
    r = found[0]
    assert line.startswith(f"FAIL  {r.gateway} · {r.check} · ")
    assert line.endswith(f"[{r.evidence.kind.value}]") and "\n" not in line
    assert len(line) < 250


def test_summary_is_capped_with_a_count_of_the_rest(report: RunReport) -> None:
    big = _many_failures(report, 30)
    total = len(findings(big.results))
    lines = [line.text for line in failure_summary(big.results)]
    assert len(lines) == 1 + DEFAULT_LIMIT + 1
    assert lines[-1].startswith(f"… and {total - DEFAULT_LIMIT} more")
    assert len(failure_summary(big.results, limit=None)) == 1 + total
    clean = replace(report, results=[r for r in report.results if r.outcome is Outcome.PASS])
    assert failure_summary(clean.results) == []


def test_quiet_keeps_totals_and_findings_verbose_lists_all(
    report: RunReport, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    big = _many_failures(report, 30)
    print_summary(big, quiet=False, verbose=False)
    normal = capsys.readouterr().out
    print_summary(big, quiet=True, verbose=False)
    quiet = capsys.readouterr().out
    print_summary(big, quiet=False, verbose=True)
    verbose = capsys.readouterr().out
    for gateway in big.meta.gateways:
        assert f"\n  {gateway} " in normal and f"\n  {gateway} " not in quiet
    assert "total" in quiet and "findings (" in quiet and "more (see -v" in quiet
    assert "more (see -v" not in verbose
    assert verbose.count("\nFAIL  ") == sum(r.outcome is Outcome.FAIL for r in big.results)
    assert normal.index("total") < normal.index("findings (")  # after the per-gateway lines


def test_colour_on_a_terminal_and_never_with_no_color(report: RunReport, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    tty = Tty()
    monkeypatch.setattr("sys.stdout", tty)
    print_summary(report, quiet=False, verbose=False)
    assert "\x1b[" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Tty()
    monkeypatch.setattr("sys.stdout", plain)
    print_summary(report, quiet=False, verbose=False)
    assert "\x1b[" not in plain.getvalue() and "FAIL  " in plain.getvalue()
    monkeypatch.delenv("NO_COLOR")
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stdout", pipe)
    print_summary(report, quiet=False, verbose=False)
    assert "\x1b[" not in pipe.getvalue()
