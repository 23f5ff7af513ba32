"""Known departures that turn a fuzz failure into ``waived``: the profile's reviewed facts.

Two sources, both the gateway's own profile:

- departures listed in the merged document (``x-departures``: the profile's ``request`` departures, e.g.
  a field the gateway silently drops), matched by operation and JSON path;
- behaviour the profile models explicitly: a Go gateway answering a JSON type mismatch with HTTP 500
  (``errors.type_mismatch_status``), seconds instead of milliseconds (``lifecycle.timestamp_unit``),
  an error envelope other than Kling's (``errors.shape``), a success body other than the Kling envelope
  (``operations.<op>.response_shape``).

Anything else stays a finding.
"""

from __future__ import annotations

from conformance.fuzz.document import FuzzTarget
from conformance.fuzz.findings import Observation
from conformance.profiles.model import GatewayProfile


def profile_waiver(profile: GatewayProfile, target: FuzzTarget, obs: Observation) -> str:
    """The reason ``obs`` (a failure) is a known departure of ``profile``, or ``""``."""
    if obs.field and obs.check in ("negative_data_rejection", "not_a_server_error", "positive_data_acceptance"):
        departure = target.departure_for(obs.operation, f"$.{obs.field}")
        if departure is not None:
            return f"known departure {departure.get('source', '')}: {departure.get('reason', '')}".strip()
    message = obs.message
    errors = profile.errors
    if (
        obs.check == "not_a_server_error"
        and obs.status_code == errors.type_mismatch_status
        and errors.type_mismatch_status >= 500
        and "incorrect type" in obs.example
    ):
        return (
            f"profile: a JSON type mismatch is answered with HTTP {errors.type_mismatch_status} "
            f"(errors.type_mismatch_status)"
        )
    if obs.check == "kling_task_fields" and "timestamps in s" in message and profile.lifecycle.timestamp_unit == "s":
        extra = [p for p in message.split(":", 1)[-1].split(";") if "timestamps in s" not in p and p.strip()]
        if not extra:
            return "profile: the gateway's own timestamps are in seconds (lifecycle.timestamp_unit = s)"
    if obs.check == "kling_error_body" and errors.shape != "kling-error" and errors.shape in message:
        return f"profile: errors are {errors.shape} bodies (errors.shape), not Kling's {{code, message}}"
    if obs.check == "positive_data_acceptance" and profile.requires_prompt and "prompt" not in obs.body_fields:
        return "profile: the gateway requires a non-empty prompt (requires_prompt)"
    op = profile.operation(obs.operation)
    if (
        obs.check in ("response_schema_conformance", "kling_task_fields")
        and op is not None
        and (op.response_shape != "kling" and op.response_shape in message)
    ):
        return f"profile: {obs.operation} answers with a {op.response_shape} body (response_shape)"
    return ""
