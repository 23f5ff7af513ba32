"""One gateway's traffic must never be judged as another's, within one run.

The local callback receiver is shared by every gateway of a run; it once keyed deliveries by family only
(``/callback/<family>``), so gateway A's callbacks were counted for gateway B. Callback URLs now name
the gateway and the scenario (``/callback/<gateway>/<scenario>``); this test keeps it that way.
"""

from __future__ import annotations

from pathlib import Path

from hardening_live import CALLBACK_CHECKS, emulator_run

from conformance.models import Outcome


def test_callbacks_stay_with_their_gateway(tmp_path: Path) -> None:
    """Four Kling-family gateways in one fault-free run: no callback check may fail."""
    run = emulator_run(["kling-official", "yibuapi", "n1n", "winfull"], tmp_path)
    leaked = [
        f"{r.gateway}: {r.check}: {r.message}"
        for r in run.report.results
        if r.check in CALLBACK_CHECKS and r.outcome in (Outcome.FAIL, Outcome.ERROR)
    ]
    assert not leaked, leaked[:3]
