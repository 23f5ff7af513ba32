"""Catalog entries for the extended families a gateway documents (issue 17), from the spec's family table.

Only a profile that documents extended families (``[extended_families]``; kling-official: all) gets
them; every other gateway's catalog is unchanged. Bodies are the spec's documented request examples;
paths are the spec's below the profile's prefix. Per family, by its ``kind``:

- ``sync`` (tts, image-recognize, identify-face): ``<family>.call.example``, one call (paid: a sync call
  is billed like a task, so it is sent with the create purpose the run's money guard counts), judged by
  ``sync_call_answers_at_once``;
- ``task``: ``<family>.create.example`` (paid) and ``<family>.get.example`` (free, queries the task the
  create returned), judged by ``task_family_answers_a_task``. A task that ``needs`` another family's
  session (advanced-lip-sync after identify-face) has no scenario yet: its calls would belong to two
  families, which shards split (the emulator serves the pair; tests/emulator cover it);
- ``flow`` (multi-elements): ``<family>.flow``: init-selection, add-selection with the session id the
  init answered, then the create with it (paid), judged by ``flow_session_carries_to_the_task``.
"""

from __future__ import annotations

import copy
from typing import Any

from conformance.harness.scenarios import RequestSpec, Scenario
from conformance.profiles.model import GatewayProfile

#: Where a flow's later requests take the session id from (JSONPath-like dotted path of the first answer).
SESSION_FROM = "data.session_id"
SESSION_PLACEHOLDER = "{session_id}"


def _with_session(body: Any) -> Any:
    """``body`` with its ``session_id`` replaced by the placeholder a flow fills in."""
    if isinstance(body, dict) and "session_id" in body:
        return {**body, "session_id": SESSION_PLACEHOLDER}
    return body


def extended_scenarios(profile: GatewayProfile) -> list[Scenario]:
    """The extended-family scenarios of ``profile`` (``[]`` when it documents none)."""
    from conformance import spec

    out: list[Scenario] = []
    gw = profile.id
    prefix = profile.path_prefix
    for name in profile.extended_families.families:
        info = spec.family(name)
        if info.kind == "sync" and info.operations:
            op = spec.operation(info.operations[0])
            # Billed like a task: sent as a create, so the run's --max-paid-tasks guard counts it.
            request = RequestSpec(method=op.method, path=prefix + op.path, purpose="create", body=op.example_request)
            out.append(
                Scenario(
                    id=f"{op.operation_id}.example",
                    gateway=gw,
                    operation_id=op.operation_id,
                    requests=(request,),
                    paid=True,
                    request_body=copy.deepcopy(op.example_request),
                    meta={"case": "extended", "kind": "sync"},
                )
            )
        elif info.kind == "task" and not info.needs and f"{name}.create" in info.operations:
            create = spec.operation(f"{name}.create")
            get = spec.operation(f"{name}.get")
            sid = f"{name}.create.example"
            out.append(
                Scenario(
                    id=sid,
                    gateway=gw,
                    operation_id=create.operation_id,
                    requests=(
                        RequestSpec(
                            method="POST", path=prefix + create.path, purpose="create", body=create.example_request
                        ),
                    ),
                    paid=True,
                    request_body=copy.deepcopy(create.example_request),
                    meta={"case": "extended", "kind": "task"},
                )
            )
            out.append(
                Scenario(
                    id=f"{name}.get.example",
                    gateway=gw,
                    operation_id=get.operation_id,
                    requests=(RequestSpec(method="GET", path=prefix + get.path, purpose="query"),),
                    depends_on=sid,
                    meta={"case": "extended", "kind": "task"},
                )
            )
        elif info.kind == "flow" and len(info.steps) >= 2:
            init, add = (spec.operation(step) for step in info.steps[:2])
            create = spec.operation(f"{name}.create")
            requests = (
                RequestSpec(
                    method="POST",
                    path=prefix + init.path,
                    purpose="call",
                    body=init.example_request,
                    meta={"extract": {"session_id": SESSION_FROM}},
                ),
                RequestSpec(
                    method="POST",
                    path=prefix + add.path,
                    purpose="call",
                    body=_with_session(add.example_request),
                    operation_id=add.operation_id,
                    meta={"fill_body": True},
                ),
                RequestSpec(
                    method="POST",
                    path=prefix + create.path,
                    purpose="create",
                    body=_with_session(create.example_request),
                    operation_id=create.operation_id,
                    meta={"fill_body": True},
                ),
            )
            out.append(
                Scenario(
                    id=f"{name}.flow",
                    gateway=gw,
                    operation_id=init.operation_id,
                    requests=requests,
                    paid=True,
                    request_body=copy.deepcopy(init.example_request),
                    meta={"case": "extended", "kind": "flow"},
                )
            )
    return out
