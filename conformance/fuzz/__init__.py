"""Schemathesis bridge: fuzz a gateway's create requests against the canonical contract.

``run_fuzz(FuzzOptions(gateway=..., emulator=True))`` loads the canonical spec merged with the gateway's
departures (:mod:`conformance.fuzz.document`) into schemathesis, generates create requests (documented
examples, deterministic single-field probes from :mod:`conformance.fuzz.probes`, and schemathesis's
positive/negative hypothesis examples), sends them through our httpx client, judges each response with
schemathesis's checks plus the normalizer-aware Kling checks of :mod:`conformance.fuzz.st_checks`,
queries each created task (create → get), and returns a :class:`~conformance.runmodel.RunReport` whose
results carry evidence ``fuzz``. The money guard lives in :mod:`conformance.fuzz.options`.

Importing this package is cheap: schemathesis and hypothesis load only when a run starts.
"""

from __future__ import annotations

from conformance.fuzz.options import FUZZ_MODES, FuzzOptions, is_loopback_url, paid_budget

__all__ = ["FUZZ_MODES", "FuzzOptions", "is_loopback_url", "paid_budget", "run_fuzz"]


def run_fuzz(options: FuzzOptions, **kwargs: object) -> object:
    """Run a fuzz session (see :func:`conformance.fuzz.engine.run_fuzz`)."""
    from conformance.fuzz.engine import run_fuzz as _run

    return _run(options, **kwargs)  # type: ignore[arg-type]
