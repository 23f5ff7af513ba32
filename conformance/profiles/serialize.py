"""JSON-ready form of a :class:`GatewayProfile` (for reports and ``kling-conformance gateways --json``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.profiles.model import ENDPOINTS, GatewayProfile, OperationProfile


def _operation_to_dict(operation: OperationProfile) -> dict[str, Any]:
    data = dataclasses.asdict(operation)
    data.pop("operation_id")
    data["status_vocabulary"] = list(operation.status_vocabulary)
    data["path_variants"] = list(operation.path_variants)
    for key in ("request", "task"):  # writing and driving appear only where a profile declares them
        if data.get(key) is None:
            data.pop(key, None)
    return data


def profile_to_dict(profile: GatewayProfile) -> dict[str, Any]:
    """Everything in ``profile`` as plain JSON types; never contains a key (only the variable name)."""
    data: dict[str, Any] = {
        "id": profile.id,
        "title": profile.title,
        "description": profile.description,
        "family": profile.family,
        "evidence": {"kind": profile.evidence_kind.value, "source": profile.evidence_source},
        "base_url": profile.base_url,
        "path_prefix": profile.path_prefix,
        "extends": profile.extends,
        "derived_from": profile.derived_from,
        "source_file": profile.source_file,
        "auth": {**dataclasses.asdict(profile.auth), "accepts": list(profile.auth.accepted)},
        "endpoints": {e: dataclasses.asdict(profile.endpoint(e)) for e in ENDPOINTS},
        "extended_families": {
            "documented": list(profile.extended_families.families),
            "evidence": profile.extended_families.evidence,
            "note": profile.extended_families.note,
        },
        "supported_operations": profile.supported_operations(),
        "operations": {op: _operation_to_dict(prof) for op, prof in profile.operations.items()},
        "errors": dataclasses.asdict(profile.errors),
        "lifecycle": {
            "schedule": [{"status": word, "at": at} for word, at in profile.lifecycle.schedule],
            "failed_word": profile.lifecycle.failed_word,
            "timestamp_unit": profile.lifecycle.timestamp_unit,
            "callback": profile.lifecycle.callback,
        },
        "departures": [dataclasses.asdict(d) for d in profile.departures],
        "flags": {
            "accepts_data_uri": profile.accepts_data_uri,
            "requires_prompt": profile.requires_prompt,
            "drops_fields": list(profile.drops_fields),
            "list_query": profile.list_query,
            "external_id_query": profile.external_id_query,
        },
        "extra": profile.extra,
    }
    if profile.lifecycle.callback_signature:  # signed callbacks (the 3.x contract) only where declared
        data["lifecycle"]["callback_signature"] = profile.lifecycle.callback_signature
        data["lifecycle"]["callback_secret_env"] = profile.lifecycle.callback_secret_env
    if profile.examples:  # documented exchanges appear only where a profile has them
        data["examples"] = [dataclasses.asdict(e) for e in profile.examples]
    return data
