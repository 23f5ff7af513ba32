"""What the reference emulator cannot model of a profile, so it never passes off one gateway as another.

The emulator serves each profile through a behaviour family (kling, newapi, onehub, kling-v3 for the
3.x contract). A ``custom`` profile that describes its own answers, request dialect or task protocol is
served from that description (``emulator/described.py``); a Kling-shaped custom profile is served as
Kling. A profile whose answers nothing describes (only its request, say) would be emulated as something
it is not, and a run against that stub would "pass" checks of a gateway that looks nothing like it: such
profiles are refused with the reasons (exit 2) instead.
"""

from __future__ import annotations

from conformance.errors import UsageError
from conformance.profiles.model import GatewayProfile

#: Response shapes the Kling family renders (a custom profile is served as Kling).
_KLING_SHAPES = frozenset({"kling", "kling-error"})


def emulation_gaps(profile: GatewayProfile) -> list[str]:
    """Why the emulator would misrepresent ``profile`` (empty: it can serve it as itself)."""
    gaps: list[str] = []
    if profile.family == "kling-v3":  # emulator/v3.py serves the 3.x contract itself (specs/kling-v3.openapi.yaml)
        return gaps
    from conformance.emulator.described import description_gaps, is_described

    if is_described(profile):  # served from its own description (emulator/described.py)
        return description_gaps(profile)
    for op_id, op in profile.operations.items():
        if not op.supported:
            continue
        if op.request is not None:
            gaps.append(f'{op_id} writes its own request body ([operations."{op_id}".request])')
        if op.task is not None:
            gaps.append(f'{op_id} follows its own task protocol ([operations."{op_id}".task])')
        if profile.family == "custom" and op.response_shape not in _KLING_SHAPES:
            gaps.append(f"{op_id} answers {op.response_shape!r} bodies, which only a real {profile.id} gives")
    return gaps


def refuse_unemulable(profiles: list[GatewayProfile] | tuple[GatewayProfile, ...]) -> None:
    """Raise :class:`UsageError` naming every profile the emulator would misrepresent, and why."""
    problems = [(p, gaps) for p in profiles if (gaps := emulation_gaps(p))]
    if not problems:
        return
    lines = "; ".join(f"{p.id}: {', '.join(gaps[:3])}{' …' if len(gaps) > 3 else ''}" for p, gaps in problems)
    raise UsageError(
        f"the emulator cannot serve {', '.join(p.id for p, _ in problems)} as itself ({lines}); it would answer "
        "as official Kling and pass checks the real gateway was never put to",
        where=", ".join(p.source_file or p.id for p, _ in problems),
        field="family",
        fix="run it against the gateway (--mode live or record with --base-url), or replay its cassettes "
        "(--mode replay); leave it out of --emulator runs with --gateway",
    )


def emulable_default(profiles: list[GatewayProfile], explicit: set[str]) -> list[GatewayProfile]:
    """``profiles`` without the built-ins the emulator cannot serve, unless the user named them (``explicit``).

    ``run --emulator`` and ``serve --all`` with no gateway named mean "every gateway the emulator can be";
    naming one it cannot be is refused by :func:`refuse_unemulable` with the reasons.
    """
    from conformance.profiles import builtin_profile_ids

    builtin = set(builtin_profile_ids())  # a user's own --profile file is always explicit
    return [p for p in profiles if p.id in explicit or p.id not in builtin or served_by_default(p)]


def served_by_default(profile: GatewayProfile) -> bool:
    """Whether ``run --emulator`` / ``serve --all`` with no gateway named serve ``profile``: the gateways the
    emulator models from their engines and documents (the eight seed/engine gateways, kling-official-v3).
    The documented-only built-ins served from their own description (fal, replicate, ...) are served when
    named (``-g fal``), so the default run and the bundled cassettes stay what they were."""
    from conformance.emulator.described import is_described

    return not emulation_gaps(profile) and not is_described(profile)


def emulable_builtin_ids() -> list[str]:
    """Ids of the built-in profiles the emulator serves as themselves, in display order."""
    from conformance.profiles import builtin_profile_ids, load_profile

    return [gid for gid in builtin_profile_ids() if served_by_default(load_profile(gid))]
