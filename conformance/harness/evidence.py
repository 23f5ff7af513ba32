"""Which evidence a scenario, a trace or a result carries in a run (replay, emulator, live).

A replayed scenario carries its cassette's evidence; a scenario of a live or emulator run carries the
run's (``live`` with the host, ``emulator`` with the profile, ``engine`` with the engine's repo@commit
when ``--engine`` says the host is a locally run gateway engine); a scenario the profile itself rules out
(not supported, not documented) carries the profile's evidence, since nothing was sent for it.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable

from conformance import __version__
from conformance.checks.base import ScenarioTrace
from conformance.harness.cassette import Cassette
from conformance.harness.options import RunOptions
from conformance.models import Evidence, EvidenceKind
from conformance.profiles.model import GatewayProfile


def profile_evidence(profile: GatewayProfile) -> Evidence:
    """The evidence behind what the profile itself says (a scenario skipped as not supported/documented)."""
    return Evidence(
        kind=profile.evidence_kind, source=profile.evidence_source or f"profile {profile.id}", tool_version=__version__
    )


def evidence_factory(
    options: RunOptions,
    profile: GatewayProfile,
    base_url: str,
    cassettes: dict[str, Cassette],
    profile_skipped: frozenset[str] = frozenset(),
) -> Callable[[str], Evidence]:
    """Evidence per scenario id: its cassette's (replay) or the run's; the profile's for scenarios the
    profile rules out (``profile_skipped``: not supported, not documented), which nothing was sent for."""
    by_profile = profile_evidence(profile)
    run_evidence = _run_evidence(options, profile, base_url, cassettes)
    return lambda scenario: by_profile if scenario in profile_skipped else run_evidence(scenario)


def _run_evidence(
    options: RunOptions, profile: GatewayProfile, base_url: str, cassettes: dict[str, Cassette]
) -> Callable[[str], Evidence]:
    date = options.recorded_at or today()
    if options.mode == "replay":
        fallback = Evidence(kind=EvidenceKind.USER_SUPPLIED, source="no cassette", tool_version=__version__)
        return lambda scenario: cassettes[scenario].evidence if scenario in cassettes else fallback
    if options.engine:
        ev = engine_evidence(options.engine, date)
    elif options.emulator:
        ev = Evidence(
            kind=EvidenceKind.EMULATOR,
            source=f"emulator profile {profile.id}",
            recorded_at=date,
            tool_version=__version__,
        )
    else:
        host = urllib.parse.urlsplit(base_url).hostname or base_url
        ev = Evidence(kind=EvidenceKind.LIVE, source=host, recorded_at=date, tool_version=__version__)
    return lambda scenario: ev


def engine_evidence(engine: str, date: str) -> Evidence:
    """Evidence of a call answered by a gateway engine (``<repo>@<commit>``) run locally, whose Kling
    upstream is this tool's emulator: never ``live``, since neither the deployment nor Kling is real."""
    return Evidence(kind=EvidenceKind.ENGINE, source=engine, recorded_at=date, tool_version=__version__)


def mode_evidence(options: RunOptions, profile: GatewayProfile) -> Evidence:
    """The evidence a scenario of this run would have carried (for scenarios that never finished)."""
    if options.mode == "replay":
        return Evidence(kind=EvidenceKind.USER_SUPPLIED, source="no cassette", tool_version=__version__)
    if options.engine:
        return engine_evidence(options.engine, "")
    if options.emulator:
        return Evidence(kind=EvidenceKind.EMULATOR, source=f"emulator profile {profile.id}", tool_version=__version__)
    host = urllib.parse.urlsplit(profile.base_url).hostname or profile.base_url
    return Evidence(kind=EvidenceKind.LIVE, source=host, tool_version=__version__)


def fallback_evidence(traces: dict[str, ScenarioTrace], options: RunOptions) -> Evidence:
    """Evidence for a result no exchange backs (a check that found nothing): the first trace that ran."""
    ran = [t.evidence for t in traces.values() if not t.skipped_reason and t.exchanges]
    if ran:
        return ran[0]
    if options.engine:
        return engine_evidence(options.engine, "")
    kind = (
        EvidenceKind.EMULATOR
        if options.emulator
        else (EvidenceKind.LIVE if options.mode != "replay" else EvidenceKind.USER_SUPPLIED)
    )
    return Evidence(kind=kind, source="no scenario ran", tool_version=__version__)


def today() -> str:
    """Today's UTC date, ISO format (a recording's date)."""
    return dt.datetime.now(dt.UTC).date().isoformat()
