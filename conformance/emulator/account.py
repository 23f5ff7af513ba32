"""``GET /account/costs``: the account's resource packs, as the official API answers (§2 Account row).

Body (reference/kling-contract.md §2, from ComfyUI's ``KlingResourcePackageResponse``): the official
envelope around ``data{code, msg, resource_pack_subscribe_infos[...]}``, each pack with
``resource_pack_type`` ``decreasing_total|constant_period``, quantities, ms times and a ``status`` of
``toBeOnline|online|expired|runOut``. The optional ``start_time``/``end_time`` (ms) query parameters
must be integers when given; the pack list does not depend on them.
"""

from __future__ import annotations

from collections.abc import Mapping

from conformance.emulator.render import Answer, RenderContext, stamp
from conformance.profiles.model import GatewayProfile

_DAY = 86_400.0


def account_costs(profile: GatewayProfile, query: Mapping[str, str], ctx: RenderContext) -> Answer:
    """The resource packs of the emulated account (one video pack online, one image pack run out)."""
    for name in ("start_time", "end_time"):
        value = query.get(name)
        if value is not None and not value.strip().lstrip("-").isdigit():
            body = {"code": 1201, "message": f"{name} must be an integer (ms)", "request_id": ctx.request_id()}
            return Answer(profile.errors.invalid_param_status, body)
    unit = profile.lifecycle.timestamp_unit
    bought = ctx.now - 30 * _DAY
    packs = [
        {
            "resource_pack_id": "emulator-pack-video",
            "resource_pack_name": "Video Generation - 1000 Units",
            "resource_pack_type": "decreasing_total",
            "total_quantity": 1000.0,
            "remaining_quantity": 750.0,
            "purchase_time": stamp(bought, unit),
            "effective_time": stamp(bought, unit),
            "invalid_time": stamp(bought + 365 * _DAY, unit),
            "status": "online",
        },
        {
            "resource_pack_id": "emulator-pack-image",
            "resource_pack_name": "Image Generation - 100 Units",
            "resource_pack_type": "decreasing_total",
            "total_quantity": 100.0,
            "remaining_quantity": 0.0,
            "purchase_time": stamp(bought, unit),
            "effective_time": stamp(bought, unit),
            "invalid_time": stamp(bought + 90 * _DAY, unit),
            "status": "runOut",
        },
    ]
    data = {"code": 0, "msg": "success", "resource_pack_subscribe_infos": packs}
    return Answer(200, {"code": 0, "message": "SUCCEED", "request_id": ctx.request_id(), "data": data})
