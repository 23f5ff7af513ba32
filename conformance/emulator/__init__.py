"""Reference gateway emulator: serves every gateway profile over real HTTP.

Public API: :class:`EmulatorConfig`, :class:`FaultPlan`, :func:`create_app`, :func:`start_emulator`,
:class:`RunningEmulator`, :func:`local_tls` (https with a local CA), and the :data:`FAULT_KINDS` registry.
"""

from __future__ import annotations

from conformance.emulator import fault_lies as _fault_lies  # noqa: F401  (registers the content faults)
from conformance.emulator import faults_hostile as _faults_hostile  # noqa: F401  (registers the hostile kinds)
from conformance.emulator.app import create_app
from conformance.emulator.config import DEFAULT_KEYS_ENV, EmulatorConfig
from conformance.emulator.fault_kinds import FAULT_KINDS, FaultKind
from conformance.emulator.fault_middleware import FAULT_HEADER
from conformance.emulator.faults import FaultPlan, FaultRule
from conformance.emulator.gateway import OUTCOME_HEADER
from conformance.emulator.server import RunningEmulator, start_emulator
from conformance.emulator.tls import LocalTLS, local_tls

__all__ = [
    "DEFAULT_KEYS_ENV",
    "FAULT_HEADER",
    "FAULT_KINDS",
    "OUTCOME_HEADER",
    "EmulatorConfig",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "LocalTLS",
    "RunningEmulator",
    "create_app",
    "local_tls",
    "start_emulator",
]
