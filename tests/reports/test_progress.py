"""Progress display: plain lines for CI, levels, rich live table on terminals, no keys in logs."""

from __future__ import annotations

import io

from rich.console import Console

from conformance.models import Outcome
from conformance.reports.progress import (
    NullProgress,
    PlainProgress,
    ProgressSink,
    RichProgress,
    make_progress,
    scrub,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _drive(sink: ProgressSink, clock: FakeClock) -> None:
    sink.run_started(["yibuapi", "newapi"], {"yibuapi": 2, "newapi": 2}, 3)
    sink.task_started("yibuapi", "image2video.create.minimal")
    sink.paid_task_used("yibuapi")
    clock.now += 4
    sink.task_finished("yibuapi", "image2video.create.minimal", Outcome.PASS)
    sink.task_started("newapi", "image2video.get.unknown")
    clock.now += 2
    sink.task_finished("newapi", "image2video.get.unknown", "error: ReadTimeout")
    sink.message("using key Bearer sk-abcdefghijklmnop from KLING_API_KEY")
    sink.task_started("yibuapi", "image2video.get.known")
    clock.now += 1
    sink.task_finished("yibuapi", "image2video.get.known", "done")
    sink.run_finished(findings=5)


def test_plain_mode_lines() -> None:
    out, clock = io.StringIO(), FakeClock()
    _drive(PlainProgress(out, clock=clock), clock)
    assert out.getvalue().splitlines() == [
        "[0:00] run started: 2 gateways, 4 tasks planned, paid-task budget 3",
        "[0:06] newapi image2video.get.unknown: error: ReadTimeout (1/2)",
        "[0:06] using key Bearer [REDACTED] from KLING_API_KEY",
        "[0:07] yibuapi: 2/2 tasks done in 0:07, 0 errored, 1 paid",
        "[0:07] run finished: 3/4 tasks (1 errored), 5 findings, paid tasks 1/3",
    ]


def test_quiet_prints_only_the_closing_line_and_verbose_every_task() -> None:
    quiet, verbose, clock = io.StringIO(), io.StringIO(), FakeClock()
    _drive(PlainProgress(quiet, level="quiet", clock=clock), clock)
    assert quiet.getvalue().splitlines() == ["[0:07] run finished: 3/4 tasks (1 errored), 5 findings, paid tasks 1/3"]
    clock = FakeClock()
    _drive(PlainProgress(verbose, level="verbose", clock=clock), clock)
    lines = verbose.getvalue().splitlines()
    assert "[0:00] yibuapi image2video.create.minimal: started" in lines
    assert "[0:04] yibuapi image2video.create.minimal: pass (1/2)" in lines
    assert "[0:00] yibuapi: paid task used (1/3)" in lines
    assert len(lines) == 11


def test_total_planned_count_and_unlimited_budget() -> None:
    out, clock = io.StringIO(), FakeClock()
    sink = PlainProgress(out, clock=clock)
    sink.run_started(["a", "b", "c"], 7, {"max_paid_tasks": None})
    assert [g.planned for g in sink.state.gateways.values()] == [3, 2, 2]
    sink.run_finished()
    assert out.getvalue().splitlines()[-1].endswith("paid tasks 0/∞")


def test_rich_table_shows_one_line_per_gateway_with_eta_and_budget() -> None:
    clock = FakeClock()
    console = Console(file=io.StringIO(), width=120, force_terminal=False)
    sink = RichProgress(console, clock=clock)
    sink.run_started(["yibuapi", "newapi"], {"yibuapi": 4, "newapi": 2}, 5)
    sink.task_started("yibuapi", "s1")
    sink.paid_task_used("yibuapi")
    clock.now += 10
    sink.task_finished("yibuapi", "s1", "done")
    sink.task_started("yibuapi", "s2")
    render = Console(file=io.StringIO(), width=120)
    render.print(sink.table())
    text = render.file.getvalue()  # type: ignore[attr-defined]
    yibu = next(line for line in text.splitlines() if line.startswith("yibuapi"))
    assert yibu.split() == ["yibuapi", "1", "1/4", "0:10", "0:30", "1"]
    assert "paid tasks used 1/5" in text
    sink.run_finished()
    assert "run finished: 1/6 tasks" in console.file.getvalue()  # type: ignore[attr-defined]


def test_make_progress_picks_plain_for_pipes_and_rich_for_terminals() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(make_progress("normal", io.StringIO()), PlainProgress)
    assert not isinstance(make_progress("normal", io.StringIO()), RichProgress)
    assert isinstance(make_progress("verbose", Tty()), RichProgress)
    assert isinstance(make_progress("normal", Tty(), force_plain=True), PlainProgress)
    assert isinstance(NullProgress(), ProgressSink)


def test_scrub_masks_key_like_text() -> None:
    assert scrub("Authorization: Bearer abc.def") == "Authorization: Bearer [REDACTED]"
    assert scrub("key sk-0123456789abcdef leaked") == "key [REDACTED] leaked"
    assert scrub("url ?api_key=XYZ123&x=1") == "url ?api_key=[REDACTED]&x=1"
    assert scrub("task 842250903629086785 done") == "task 842250903629086785 done"
