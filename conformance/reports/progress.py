"""Progress of a long run, as the harness reports it.

The harness calls a :class:`ProgressSink`; it never needs to know how progress is shown:

- ``run_started(gateways, planned_tasks, budget)``: once. ``planned_tasks`` is the number of scenarios
  per gateway (a mapping) or a total; ``budget`` is ``max_paid_tasks`` (``None`` = unlimited).
- ``task_started(gateway, scenario)`` / ``task_finished(gateway, scenario, outcome)``: around every
  scenario; ``outcome`` is free text (``done``, ``skipped: budget``, ``error: ReadTimeout``, or an
  :class:`~conformance.models.Outcome`). Text starting with ``error`` or ``fail`` is shown even when not
  verbose.
- ``paid_task_used(gateway)``: each time a task-creating (paid) call is made.
- ``message(text)``: a free line of information.
- ``run_finished(findings=None)``: once, at the end (also after Ctrl-C), with the number of fail and error
  results the checks found once the run was judged (``None`` when it never was).

A *task* that ends in ``error`` is counted as errored while the run goes; findings are what the checks
conclude afterwards, so they only appear in the closing line.

:func:`make_progress` picks the display: a rich live table (one line per gateway: tasks in flight,
done/total, elapsed, ETA, paid tasks used) when the stream is a terminal, plain log lines otherwise
(CI). Levels: ``quiet`` (nothing but the final line), ``normal``, ``verbose`` (every task). The sink
only ever receives ids, and :func:`scrub` masks anything key-like in messages as a second line of
defence, so logs never contain keys.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO, runtime_checkable

_KEY_LIKE = re.compile(
    r"(?i)(bearer\s+)[^\s\"',;]+"
    r"|\b(sk-[A-Za-z0-9_-]{8,})"
    r"|((?:api[_-]?key|token|secret|authorization)[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)[^\s\"',;&]+"
)


def scrub(text: str) -> str:
    """``text`` with bearer tokens, ``sk-…`` keys and ``key=…`` values replaced by ``[REDACTED]``."""

    def mask(match: re.Match[str]) -> str:
        prefix = match.group(1) or match.group(3) or ""
        return f"{prefix}[REDACTED]"

    return _KEY_LIKE.sub(mask, text)


@runtime_checkable
class ProgressSink(Protocol):
    """What the harness calls while a run progresses (see the module docstring)."""

    def run_started(self, gateways: Sequence[str], planned_tasks: Mapping[str, int] | int, budget: Any) -> None: ...

    def task_started(self, gateway: str, scenario: str) -> None: ...

    def task_finished(self, gateway: str, scenario: str, outcome: Any) -> None: ...

    def paid_task_used(self, gateway: str) -> None: ...

    def message(self, text: str) -> None: ...

    def run_finished(self, findings: int | None = None) -> None: ...


@dataclass(slots=True)
class GatewayProgress:
    """Counters of one gateway."""

    planned: int = 0
    in_flight: int = 0
    done: int = 0
    findings: int = 0  # tasks that ended in error (the checks' findings come at the end)
    paid: int = 0
    started_at: float | None = None
    finished_at: float | None = None

    def eta(self, now: float) -> float | None:
        """Seconds left, extrapolated from the pace so far (``None`` before the first task ends)."""
        if self.started_at is None or self.done == 0 or self.planned <= self.done:
            return 0.0 if self.planned and self.done >= self.planned else None
        elapsed = now - self.started_at
        return elapsed / self.done * (self.planned - self.done)


def _is_finding(outcome: Any) -> bool:
    text = str(getattr(outcome, "value", outcome)).lower()
    return text.startswith(("error", "fail"))


def _budget_cap(budget: Any) -> int | None:
    if isinstance(budget, Mapping):
        budget = budget.get("max_paid_tasks")
    return budget if isinstance(budget, int) else None


def fmt_seconds(seconds: float | None) -> str:
    """``1:05`` style duration, ``?`` when unknown."""
    if seconds is None:
        return "?"
    whole = max(0, round(seconds))
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressState:
    """The counters every display shares; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.gateways: dict[str, GatewayProgress] = {}
        self.budget: int | None = None
        self.started_at = clock()

    def start(self, gateways: Sequence[str], planned: Mapping[str, int] | int, budget: Any) -> None:
        """Reset for a new run."""
        with self.lock:
            self.started_at = self.clock()
            self.budget = _budget_cap(budget)
            per_gateway = planned if isinstance(planned, Mapping) else {}
            self.gateways = {g: GatewayProgress(planned=int(per_gateway.get(g, 0))) for g in gateways}
            if not isinstance(planned, Mapping) and gateways:
                share, rest = divmod(int(planned), len(gateways))
                for index, gateway in enumerate(gateways):
                    self.gateways[gateway].planned = share + (1 if index < rest else 0)

    def gateway(self, name: str) -> GatewayProgress:
        """Counters of ``name`` (created on first use)."""
        return self.gateways.setdefault(name, GatewayProgress())

    @property
    def paid(self) -> int:
        """Paid tasks used across gateways."""
        return sum(g.paid for g in self.gateways.values())

    def totals(self) -> tuple[int, int, int]:
        """(done, planned, findings) across gateways."""
        values = list(self.gateways.values())
        return sum(g.done for g in values), sum(g.planned for g in values), sum(g.findings for g in values)


class PlainProgress:
    """Plain log lines for CI and pipes: ``[m:ss] text``."""

    def __init__(
        self, stream: TextIO | None = None, *, level: str = "normal", clock: Callable[[], float] = time.monotonic
    ):
        self.stream = stream or sys.stderr
        self.level = level
        self.state = ProgressState(clock)

    def _emit(self, text: str) -> None:
        elapsed = fmt_seconds(self.state.clock() - self.state.started_at)
        self.stream.write(f"[{elapsed}] {scrub(text)}\n")
        self.stream.flush()

    def run_started(self, gateways: Sequence[str], planned_tasks: Mapping[str, int] | int, budget: Any) -> None:
        """Record the plan and announce it."""
        self.state.start(gateways, planned_tasks, budget)
        _, planned, _ = self.state.totals()
        cap = "unlimited" if self.state.budget is None else str(self.state.budget)
        if self.level != "quiet":
            self._emit(f"run started: {len(gateways)} gateways, {planned} tasks planned, paid-task budget {cap}")

    def task_started(self, gateway: str, scenario: str) -> None:
        """Count a task in flight."""
        with self.state.lock:
            progress = self.state.gateway(gateway)
            progress.in_flight += 1
            if progress.started_at is None:
                progress.started_at = self.state.clock()
        if self.level == "verbose":
            self._emit(f"{gateway} {scenario}: started")

    def _count_finished(self, gateway: str, outcome: Any) -> tuple[GatewayProgress, bool, bool]:
        """Update counters; returns (gateway counters, is a finding, gateway just completed)."""
        with self.state.lock:
            progress = self.state.gateway(gateway)
            progress.in_flight = max(0, progress.in_flight - 1)
            progress.done += 1
            finding = _is_finding(outcome)
            progress.findings += finding
            complete = bool(progress.planned) and progress.done == progress.planned
            if complete:
                progress.finished_at = self.state.clock()
        return progress, finding, complete

    def task_finished(self, gateway: str, scenario: str, outcome: Any) -> None:
        """Count a finished task; findings are always shown, the rest only when verbose."""
        progress, finding, complete = self._count_finished(gateway, outcome)
        text = str(getattr(outcome, "value", outcome))
        if self.level == "verbose" or (finding and self.level != "quiet"):
            self._emit(f"{gateway} {scenario}: {text} ({progress.done}/{progress.planned or '?'})")
        if complete and self.level != "quiet":
            elapsed = (progress.finished_at or 0) - (progress.started_at or 0)
            self._emit(
                f"{gateway}: {progress.done}/{progress.planned} tasks done in {fmt_seconds(elapsed)}, "
                f"{progress.findings} errored, {progress.paid} paid"
            )

    def paid_task_used(self, gateway: str) -> None:
        """Count a paid task."""
        with self.state.lock:
            self.state.gateway(gateway).paid += 1
        if self.level == "verbose":
            self._emit(f"{gateway}: paid task used ({self.state.paid}/{self.state.budget or '∞'})")

    def message(self, text: str) -> None:
        """A free information line (hidden when quiet)."""
        if self.level != "quiet":
            self._emit(text)

    def run_finished(self, findings: int | None = None) -> None:
        """The closing line, printed at every level: tasks, errored tasks, findings of the checks, paid tasks."""
        done, planned, errored = self.state.totals()
        cap = "∞" if self.state.budget is None else self.state.budget
        judged = "" if findings is None else f", {findings} finding{'' if findings == 1 else 's'}"
        self._emit(
            f"run finished: {done}/{planned} tasks ({errored} errored){judged}, paid tasks {self.state.paid}/{cap}"
        )


class RichProgress(PlainProgress):
    """A rich live table, one line per gateway, for terminals; messages print above it."""

    def __init__(self, console: Any = None, *, level: str = "normal", clock: Callable[[], float] = time.monotonic):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        super().__init__(sys.stderr, level=level, clock=clock)
        self._live: Any = None

    def _emit(self, text: str) -> None:
        elapsed = fmt_seconds(self.state.clock() - self.state.started_at)
        self.console.print(f"[{elapsed}] {scrub(text)}", markup=False, highlight=False)

    def table(self) -> Any:
        """The live table as it stands."""
        from rich.table import Table

        now = self.state.clock()
        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("gateway", "in flight", "done", "elapsed", "ETA", "paid"):
            table.add_column(column, justify="left" if column == "gateway" else "right")
        with self.state.lock:
            for name, g in self.state.gateways.items():
                end = g.finished_at or now
                elapsed = fmt_seconds(end - g.started_at) if g.started_at is not None else "-"
                flag = f" ({g.findings} errored)" if g.findings else ""
                table.add_row(
                    name,
                    str(g.in_flight),
                    f"{g.done}/{g.planned or '?'}{flag}",
                    elapsed,
                    fmt_seconds(g.eta(now)),
                    str(g.paid),
                )
            cap = "∞" if self.state.budget is None else str(self.state.budget)
            table.caption = f"paid tasks used {self.state.paid}/{cap}"
        return table

    def run_started(self, gateways: Sequence[str], planned_tasks: Mapping[str, int] | int, budget: Any) -> None:
        """Start the live table."""
        from rich.live import Live

        super().run_started(gateways, planned_tasks, budget)
        if self.level != "quiet":
            self._live = Live(get_renderable=self.table, console=self.console, refresh_per_second=4, transient=False)
            self._live.start()

    def task_finished(self, gateway: str, scenario: str, outcome: Any) -> None:
        """Update counters; per-gateway completion shows in the table, findings print above it."""
        _, finding, _ = self._count_finished(gateway, outcome)
        if self.level == "verbose" or (finding and self.level != "quiet"):
            self._emit(f"{gateway} {scenario}: {getattr(outcome, 'value', outcome)}")

    def run_finished(self, findings: int | None = None) -> None:
        """Stop the live table and print the closing line."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        super().run_finished(findings)


class NullProgress:
    """A sink that shows nothing (library use, tests)."""

    def run_started(self, gateways: Sequence[str], planned_tasks: Mapping[str, int] | int, budget: Any) -> None:
        """Ignore."""

    def task_started(self, gateway: str, scenario: str) -> None:
        """Ignore."""

    def task_finished(self, gateway: str, scenario: str, outcome: Any) -> None:
        """Ignore."""

    def paid_task_used(self, gateway: str) -> None:
        """Ignore."""

    def message(self, text: str) -> None:
        """Ignore."""

    def run_finished(self, findings: int | None = None) -> None:
        """Ignore."""


LEVELS = ("quiet", "normal", "verbose")


def make_progress(level: str = "normal", stream: TextIO | None = None, *, force_plain: bool = False) -> ProgressSink:
    """The right display for ``stream`` (default stderr): rich when it is a terminal, plain lines otherwise."""
    if level not in LEVELS:
        raise ValueError(f"progress level must be one of {LEVELS}, not {level!r}")
    target = stream or sys.stderr
    if not force_plain and getattr(target, "isatty", lambda: False)():
        from rich.console import Console

        return RichProgress(Console(file=target), level=level)
    return PlainProgress(target, level=level)
