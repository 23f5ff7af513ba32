"""Execution layer: scenarios, replay/record/live transports, cassettes, polling, budget, redaction.

Entry points: :func:`conformance.harness.runner.execute_run` (a whole run → ``RunReport``),
:func:`conformance.harness.runner.plan_run` (what a run would do), :class:`RunOptions`.
"""

from __future__ import annotations

from conformance.harness.options import RunOptions

__all__ = ["RunOptions"]
