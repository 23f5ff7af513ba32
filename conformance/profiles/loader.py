"""Load gateway profiles: built-ins by id, user profiles from ``.toml`` paths, with layering and caching.

A profile file is parsed, scanned for literal keys, validated against ``profile.schema.json``, layered
on its ``extends`` base and its ``derived_from`` gateway spec, then built into a frozen
:class:`~conformance.profiles.model.GatewayProfile`. Every problem is a
:class:`~conformance.errors.ProfileError` (exit code 2) naming the file, the key and the fix.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance import paths
from conformance.errors import ProfileError, UsageError, did_you_mean
from conformance.profiles.build import build_profile
from conformance.profiles.derive import profile_layer_from_spec
from conformance.profiles.merge import merge_layers
from conformance.profiles.model import GatewayProfile
from conformance.profiles.validate import check_shape_ids, parse_toml, validate_profile_data

#: Built-in gateway ids in their display order (others found in builtin/ follow alphabetically).
BUILTIN_ORDER: tuple[str, ...] = (
    "kling-official",
    "yibuapi",
    "apicore",
    "bynewapi",
    "n1n",
    "winfull",
    "newapi",
    "onehub",
)


def builtin_profile_ids() -> list[str]:
    """Ids of the built-in profiles (``conformance/profiles/builtin/<id>.toml``)."""
    found = {p.stem for p in paths.builtin_profiles_dir().glob("*.toml")}
    ordered = [gid for gid in BUILTIN_ORDER if gid in found]
    return ordered + sorted(found - set(ordered))


def _builtin_path(gateway_id: str) -> Path:
    return paths.builtin_profiles_dir() / f"{gateway_id}.toml"


def _display(path: Path) -> str:
    """A path as users should see it: relative to the cwd when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _resolve_extends(reference: str, *, profile_file: Path, where: str) -> Path:
    if reference in builtin_profile_ids():
        return _builtin_path(reference)
    candidate = Path(reference)
    if reference.endswith(".toml"):
        candidate = candidate if candidate.is_absolute() else profile_file.resolve().parent / candidate
        if candidate.is_file():
            return candidate
    raise ProfileError(
        f"extends names unknown profile {reference!r}.{did_you_mean(reference, builtin_profile_ids())}",
        where=where,
        field="extends",
        fix=f"use a built-in id ({', '.join(builtin_profile_ids())}) or a path to another profile .toml",
    )


def _load_layered(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The fully layered data of the profile file at ``path`` (before building)."""
    resolved = path.resolve()
    where = _display(path)
    if resolved in chain:
        loop = " -> ".join(_display(p) for p in (*chain, resolved))
        raise ProfileError(f"extends forms a loop: {loop}", where=where, field="extends", fix="remove one extends")
    if resolved.parent == paths.builtin_profiles_dir().resolve() and resolved.is_file():
        if resolved.stem in _LAYERING:  # a built-in extends chain that loops back
            raise ProfileError("extends forms a loop", where=where, field="extends", fix="remove one extends")
        return dict(_builtin_layered(resolved.stem))
    return _layer_file(path, (*chain, resolved))


def _layer_file(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    own, text = parse_toml(path)
    return _layer_data(own, path, chain, text=text)


def _layer_data(own: dict[str, Any], path: Path, chain: tuple[Path, ...], *, text: str = "") -> dict[str, Any]:
    where = _display(path)
    validate_profile_data(own, source=Path(where), text=text)
    base: dict[str, Any] = {}
    if "extends" in own:
        base = _load_layered(_resolve_extends(str(own["extends"]), profile_file=path, where=where), chain)
    derived = None
    if "derived_from" in own:
        derived = profile_layer_from_spec(str(own["derived_from"]), profile_file=path, where=where)
    merged = merge_layers(base, derived, own)
    check_shape_ids(own, merged, source=Path(where), text=text)
    return _drop_departures(merged, own.get("drop_departures", []), where=where)


def _drop_departures(data: dict[str, Any], drop: list[str], *, where: str) -> dict[str, Any]:
    """Remove inherited departures named in ``drop_departures`` (each must exist)."""
    known = [str(d["id"]) for d in data.get("departures", [])]
    for departure_id in drop:
        if departure_id not in known:
            raise ProfileError(
                f"drop_departures names {departure_id!r}, which no lower layer defines."
                f"{did_you_mean(departure_id, known)}",
                where=where,
                field="drop_departures",
                fix=f"use one of: {', '.join(known) or '(none inherited)'}",
            )
    data["departures"] = [d for d in data.get("departures", []) if str(d["id"]) not in drop]
    data.pop("drop_departures", None)
    return data


_LAYERING: set[str] = set()  # built-ins being layered right now (loop guard for the cached path)


@functools.cache
def _builtin_layered(gateway_id: str) -> dict[str, Any]:
    path = _builtin_path(gateway_id)
    _LAYERING.add(gateway_id)
    try:
        return _layer_file(path, (path.resolve(),))
    finally:
        _LAYERING.discard(gateway_id)


@functools.cache
def _builtin_profile(gateway_id: str) -> GatewayProfile:
    path = _builtin_path(gateway_id)
    data = _builtin_layered(gateway_id)
    if data.get("id") != gateway_id:
        raise ProfileError(
            f"built-in profile file declares id {data.get('id')!r}",
            where=_display(path),
            field="id",
            fix=f'set id = "{gateway_id}" (built-in files are named after their id)',
        )
    return build_profile(data, source_file=_display(path))


def load_profile_file(path: str | Path) -> GatewayProfile:
    """Load a user profile from a ``.toml`` file (not cached: the file may change between runs)."""
    file = Path(path)
    data = _load_layered(file)
    return build_profile(data, source_file=_display(file))


def profile_from_data(data: dict[str, Any], *, source: str = "<profile data>") -> GatewayProfile:
    """Build a profile from already-parsed TOML data (validated and layered exactly like a file).

    ``source`` names it in error messages; relative ``extends``/``derived_from`` paths resolve against
    the current directory.
    """
    path = Path(source)
    return build_profile(_layer_data(dict(data), path, (path.resolve(),)), source_file=source)


def load_profile(id_or_path: str) -> GatewayProfile:
    """A built-in profile by id, or a profile file by path (anything ending in ``.toml`` or existing)."""
    if id_or_path in builtin_profile_ids():
        return _builtin_profile(id_or_path)
    if id_or_path.endswith(".toml") or Path(id_or_path).is_file():
        return load_profile_file(id_or_path)
    raise ProfileError(
        f"unknown gateway {id_or_path!r}.{did_you_mean(id_or_path, builtin_profile_ids())}",
        where="--gateway",
        fix=f"use one of: {', '.join(builtin_profile_ids())}, or give a profile file with --profile PATH.toml",
    )


def load_builtin_profiles() -> dict[str, GatewayProfile]:
    """Every built-in profile by id, in display order (parsed once per process)."""
    return {gid: _builtin_profile(gid) for gid in builtin_profile_ids()}


def clear_cache() -> None:
    """Forget parsed built-ins (tests that edit data files call this)."""
    _builtin_layered.cache_clear()
    _builtin_profile.cache_clear()


def resolve_profiles(gateway_ids: Sequence[str], profile_paths: Sequence[str]) -> list[GatewayProfile]:
    """Profiles selected by ``--gateway ID`` (repeatable; ``all``) and ``--profile PATH.toml`` flags.

    With neither flag every built-in is selected. A ``--profile`` file whose id equals a selected
    built-in replaces it in place. Unknown ids raise :class:`UsageError` with "did you mean".
    """
    builtins = builtin_profile_ids()
    from_files = [load_profile_file(profile_path) for profile_path in profile_paths]
    file_ids = [p.id for p in from_files]
    selected: list[str] = []
    for gateway_id in gateway_ids:
        if gateway_id == "all":
            selected.extend(g for g in builtins if g not in selected)
        elif gateway_id in builtins or gateway_id in file_ids:
            if gateway_id not in selected:
                selected.append(gateway_id)
        else:
            known = [*builtins, *file_ids, "all"]
            raise UsageError(
                f"unknown gateway {gateway_id!r}.{did_you_mean(gateway_id, known)}",
                where="--gateway",
                fix=f"use one of: {', '.join(dict.fromkeys([*builtins, *file_ids]))}, all; "
                "or add your own with --profile PATH.toml",
            )
    if not gateway_ids and not profile_paths:
        selected = list(builtins)
    profiles: dict[str, GatewayProfile] = {gid: _builtin_profile(gid) for gid in selected if gid in builtins}
    for profile in from_files:
        profiles[profile.id] = profile
    return list(profiles.values())
