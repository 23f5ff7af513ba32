"""Gateway profiles: TOML data files (validated by ``profile.schema.json``) describing each gateway.

Public API::

    load_profile("yibuapi")                 # a built-in by id, or a path to a .toml file
    builtin_profile_ids()                   # ["kling-official", "yibuapi", ...]
    load_builtin_profiles()                 # {id: GatewayProfile}, parsed once per process
    resolve_profiles(["all"], ["my.toml"])  # what --gateway/--profile select
    profile_to_dict(profile)                # JSON-ready form

Layering: ``extends`` (base profile) < ``derived_from`` (``specs/gateways/<id>.yaml``) < the file's keys.
"""

from __future__ import annotations

from conformance.profiles.loader import (
    builtin_profile_ids,
    clear_cache,
    load_builtin_profiles,
    load_profile,
    load_profile_file,
    profile_from_data,
    resolve_profiles,
)
from conformance.profiles.model import (
    FAMILIES,
    ID_FORMATS,
    AuthSpec,
    Departure,
    ErrorProfile,
    ExtendedFamilies,
    GatewayProfile,
    LifecycleProfile,
    OperationProfile,
)
from conformance.profiles.serialize import profile_to_dict
from conformance.profiles.validate import OPERATION_IDS, SCHEMA_PATH, profile_schema

__all__ = [
    "FAMILIES",
    "ID_FORMATS",
    "OPERATION_IDS",
    "SCHEMA_PATH",
    "AuthSpec",
    "Departure",
    "ErrorProfile",
    "ExtendedFamilies",
    "GatewayProfile",
    "LifecycleProfile",
    "OperationProfile",
    "builtin_profile_ids",
    "clear_cache",
    "load_builtin_profiles",
    "load_profile",
    "load_profile_file",
    "profile_from_data",
    "profile_schema",
    "profile_to_dict",
    "resolve_profiles",
]
