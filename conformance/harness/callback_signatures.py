"""Signed callbacks (the 3.x contract): each delivery's signature judged when it is received.

A profile whose ``[lifecycle] callback_signature`` is ``standard-webhooks`` signs every notification
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>``, see
``specs/kling-v3.openapi.yaml`` ``x-kling-webhook-signature``). The signature covers the exact bytes
received, which a cassette does not keep (origins are mapped to placeholders), so the verdict is
reached while recording and kept in the cassette's meta (``callback_signatures``); replay reads it.

The secret comes from the variable the profile names (``callback_secret_env``); against the emulator
without that variable, from the emulator's public test secret. Without a secret the verdict is
``unknown`` with the reason, never a guess. Freshness (the 5-minute tolerance) is the receiver's
concern at the moment of receipt; here each delivery is judged at its own timestamp. The secret is
never recorded, only the verdicts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from conformance.checks.base import CallbackDelivery
from conformance.profiles.model import GatewayProfile

#: The meta key holding the verdicts in traces and cassettes.
META_KEY = "callback_signatures"


def signature_verdicts(
    profile: GatewayProfile, deliveries: Sequence[CallbackDelivery], *, emulator: bool
) -> list[dict[str, Any]] | None:
    """One ``{"verdict": "valid"|"invalid"|"unknown", "reason"}`` per delivery; ``None`` when unsigned."""
    if profile.lifecycle.callback_signature != "standard-webhooks":
        return None
    from conformance.spec.v3 import verify_webhook

    variable = profile.lifecycle.callback_secret_env
    secret = os.environ.get(variable) if variable else None
    if not secret and emulator:
        from conformance.emulator.v3 import webhook_secret

        secret = webhook_secret()
    verdicts: list[dict[str, Any]] = []
    for delivery in deliveries:
        if not secret:
            reason = f"no secret to verify with (set ${variable or 'the secret variable'})"
            verdicts.append({"verdict": "unknown", "reason": reason})
            continue
        headers = {str(k).lower(): str(v) for k, v in delivery.headers}
        stamp = headers.get("webhook-timestamp", "")
        now = float(stamp) if stamp.isdigit() else 0.0
        verdict = verify_webhook(secret, headers, delivery.body, now=now)
        verdicts.append({"verdict": "valid" if verdict.ok else "invalid", "reason": verdict.reason})
    return verdicts
