#!/usr/bin/env python
"""Regenerate the bundled cassettes reproducibly (byte-stable output).

    python scripts/regenerate_cassettes.py                # all built-in gateways, into cassettes/
    python scripts/regenerate_cassettes.py --gateway newapi --out /tmp/c   # a subset elsewhere

Two kinds, never blurred (each cassette's ``kling_conformance.evidence.kind`` says which):

* **emulator**: the full scenario catalog recorded live against the in-process reference emulator, one
  emulator per gateway, fixed seed, a virtual clock shared by harness and emulator, scenarios one at a
  time, the emulator origin and callback receiver mapped to fixed placeholder hosts;
* **doc-derived**: one cassette per documented operation (gateways the emulator cannot serve as
  themselves, see ``conformance.emulator.coverage``, get only these) (``<operation>.doc-example``) holding the
  gateway document's request example and the response it documents, with the document file and line
  range (from ``specs/gateways/<id>.yaml``). These replace the emulator's doc-example recordings.

``tests/harness/test_bundled_cassettes.py`` re-runs this into a temporary folder and fails when the
committed cassettes differ.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import types
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.harness.clock import SharedVirtualClock  # noqa: E402
from conformance.harness.docexamples import doc_cassettes  # noqa: E402
from conformance.harness.options import RunOptions  # noqa: E402
from conformance.harness.runner import execute_run  # noqa: E402
from conformance.paths import cassettes_dir  # noqa: E402

SEED = 7
#: Evidence date written into emulator cassettes; bump it when the recordings are intentionally renewed.
RECORDED_AT = "2026-11-22"
#: Virtual epoch the emulator sees (2026-11-22T00:00:00Z): fixed timestamps in every body.
EPOCH = 1_795_305_600.0
TIME_SCALE = 0.002
FAIL_SHARE = 0.2
#: A free port each time: nothing recorded depends on it (origins become placeholders, video ids hash the path),
#: so regenerations can run side by side.
PORT = 0


@contextmanager
def emulator_clock(clock: SharedVirtualClock) -> Iterator[None]:
    """Make the emulator read the harness's virtual clock (its bodies then carry fixed timestamps)."""
    import conformance.emulator.callbacks as callbacks_module
    import conformance.emulator.gateway as gateway_module

    def now() -> float:
        return EPOCH + clock.now()

    shim = types.SimpleNamespace(
        **{name: getattr(gateway_module.time, name) for name in dir(gateway_module.time) if not name.startswith("__")}
    )
    shim.time = now
    with ExitStack() as stack:
        for module in (gateway_module, callbacks_module):
            if hasattr(module, "time"):  # the modules read wall time as time.time()
                stack.enter_context(mock.patch.object(module, "time", shim))
            if hasattr(module, "_wall"):  # older emulator builds wrapped it
                stack.enter_context(mock.patch.object(module, "_wall", now))
        yield


def builtin_ids() -> list[str]:
    """Every built-in gateway id."""
    from conformance.profiles import load_builtin_profiles

    return list(load_builtin_profiles())


async def record_gateway(gateway: str, out: Path) -> int:
    """Record the whole catalog of ``gateway`` against the emulator into ``out``; returns cassettes written."""
    clock = SharedVirtualClock()
    options = RunOptions(
        gateways=[gateway],
        mode="record",
        emulator=True,
        cassettes_dir=out,
        seed=SEED * 1000 + zlib.crc32(gateway.encode()) % 1000,  # fixed, and distinct per gateway
        stable=True,
        recorded_at=RECORDED_AT,
        time_scale=TIME_SCALE,
        emulator_fail_share=FAIL_SHARE,
        write_report=False,
        clock=clock,
        quiet=True,
        emulator_port=PORT,
    )
    from conformance.harness.runner import RunState

    state = RunState()
    with emulator_clock(clock):
        await execute_run(options, state=state)
    return state.cassettes_written


def emulable(gateway: str) -> bool:
    """Whether the emulator can serve ``gateway`` as itself (doc-only gateways get doc-derived cassettes only)."""
    from conformance.emulator.coverage import served_by_default
    from conformance.profiles import load_profile

    return served_by_default(load_profile(gateway))


def regenerate(gateways: Sequence[str], out: Path) -> dict[str, tuple[int, int]]:
    """Rewrite ``out/<gateway>/`` for each gateway; returns (emulator, doc-derived) counts per gateway."""
    counts: dict[str, tuple[int, int]] = {}
    for gateway in gateways:
        with tempfile.TemporaryDirectory(dir=out if out.exists() else None) as tmp:
            staging = Path(tmp)
            recorded = asyncio.run(record_gateway(gateway, staging)) if emulable(gateway) else 0
            (staging / gateway).mkdir(parents=True, exist_ok=True)
            docs = doc_cassettes(gateway)
            for cassette in docs:
                cassette.write(staging / gateway / f"{cassette.scenario}.yaml")
            target = out / gateway
            if target.exists():
                shutil.rmtree(target)
            out.mkdir(parents=True, exist_ok=True)
            (staging / gateway).rename(target)
        counts[gateway] = (recorded, len(docs))
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", action="append", default=[], help="gateway id (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None, help="cassette folder (default: the bundled one)")
    args = parser.parse_args(argv)
    out = args.out or cassettes_dir()
    counts = regenerate(args.gateway or builtin_ids(), out)
    for gateway, (emulator, docs) in counts.items():
        print(f"{gateway}: {emulator} emulator cassette(s), {docs} doc-derived")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
