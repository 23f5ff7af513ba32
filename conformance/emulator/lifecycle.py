"""Task timelines (status words on a schedule, scaled) and ids in each gateway's format."""

from __future__ import annotations

import random
import string
import uuid

from conformance.emulator.config import EmulatorConfig, Schedule
from conformance.emulator.state import Phase
from conformance.models import TaskStatus
from conformance.profiles.model import GatewayProfile

_CANONICAL: dict[str, TaskStatus] = {
    **dict.fromkeys(("submitted", "queued", "not_start", "initializing", "pending", "submit"), TaskStatus.SUBMITTED),
    **dict.fromkeys(("processing", "in_progress", "running"), TaskStatus.PROCESSING),
    **dict.fromkeys(("succeed", "succeeded", "success", "completed"), TaskStatus.SUCCEED),
    **dict.fromkeys(("failed", "failure", "fail"), TaskStatus.FAILED),
}

#: Kling's own word for each canonical status (what the upstream says inside gateway wrappers).
KLING_WORD: dict[TaskStatus, str] = {
    TaskStatus.SUBMITTED: "submitted",
    TaskStatus.PROCESSING: "processing",
    TaskStatus.SUCCEED: "succeed",
    TaskStatus.FAILED: "failed",
    TaskStatus.UNKNOWN: "processing",
}

FAILURE_REASONS = (
    "Failure to pass the risk control system",
    "Image pixel is invalid",
    "The generated content may violate the community guidelines",
)


def canonical_status(word: str) -> TaskStatus:
    """Canonical status of a gateway's raw status word (``IN_PROGRESS`` → processing)."""
    return _CANONICAL.get(word.lower(), TaskStatus.UNKNOWN)


def base_schedule(profile: GatewayProfile, config: EmulatorConfig) -> Schedule:
    """The (word, unscaled seconds) schedule for ``profile`` after the config's overrides."""
    if profile.id in config.schedules:
        return tuple(config.schedules[profile.id])
    schedule = profile.lifecycle.schedule
    if config.task_seconds is not None and schedule and schedule[-1][1] > 0:
        factor = config.task_seconds / schedule[-1][1]
        schedule = tuple((word, at * factor) for word, at in schedule)
    return schedule


def build_timeline(schedule: Schedule, time_scale: float, failed_word: str, fail: bool) -> tuple[Phase, ...]:
    """Phases of one task; a failing task ends in ``failed_word`` where it would have succeeded."""
    phases = [Phase(word, canonical_status(word), at * time_scale) for word, at in schedule]
    if not phases:
        phases = [Phase("submitted", TaskStatus.SUBMITTED, 0.0)]
    if fail:
        last = phases[-1]
        phases[-1] = Phase(failed_word, TaskStatus.FAILED, last.at)
    return tuple(phases)


_ALNUM = string.ascii_letters + string.digits
_B64URL = _ALNUM + "-_"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(id_format: str, rng: random.Random) -> str:
    """A fresh id in ``id_format`` (see ``profiles.model.ID_FORMATS``)."""
    if id_format == "kling-numeric":
        return str(rng.randrange(10**17, 10**18))
    if id_format == "kling-legacy":
        return "".join(rng.choice(_B64URL) for _ in range(22))
    if id_format == "newapi-task":
        return "task_" + "".join(rng.choice(_ALNUM) for _ in range(32))
    if id_format == "prefixed-ulid":
        return "task_" + rng.choice("01234567") + "".join(rng.choice(_CROCKFORD) for _ in range(25))
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def new_request_id(rng: random.Random) -> str:
    """A request id as Kling issues them today (a UUID)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
