"""The scenario catalog: which calls the harness makes against one gateway, and why.

A :class:`Scenario` is one catalog entry (ids as agreed: ``<family>.create.minimal``,
``<family>.create.param.<name>``, ``<family>.create.invalid.<case>``, ``<family>.get.known``,
``<family>.get.variant``, ``<family>.get.unknown``, ``<family>.list.bounds``,
``<family>.get.external-id``, ``<family>.create.doc-example``, ``auth.missing-key``,
``auth.invalid-key``). Request bodies come from ``data/requests.toml``; paths from the profile's
operation templates. Nothing here does I/O beyond reading that data file once.

Cost: every ``create`` that a gateway accepts makes a task somebody pays for. Scenarios are marked
``paid`` accordingly; invalid requests, queries, list and auth scenarios are free.

Combining paid properties: ``<family>.create.param.callback_url`` carries ``external_task_id`` too
and is polled to a terminal state. That single paid task proves callback delivery for every status
change, whether ``external_task_id`` is accepted and echoed, and gives ``get.external-id`` a task to
look up. ``<family>.create.param.external_task_id`` therefore *shares* that task (no second paid
call); its trace is the same exchanges seen from the external-id angle. The minimal create stays
minimal on purpose: if a gateway rejected an optional field, folding it into the minimal request would
cost us the lifecycle evidence as well.
"""

from __future__ import annotations

import copy
import functools
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.harness.images import png_base64, png_data_uri
from conformance.profiles.model import FAMILIES, PARAM_SCENARIO_NAMES, GatewayProfile
from conformance.profiles.writing import map_request, mapped_path

NOT_SUPPORTED = "not supported"
NOT_DOCUMENTED = "not documented"
BUDGET = "budget"
NO_EVIDENCE = "no evidence"

#: Where the harness's callback receiver is named in request bodies (the real receiver address is
#: substituted in live runs and mapped back before anything is recorded).
CALLBACK_PLACEHOLDER = "http://callback-receiver.kling-conformance.invalid"

#: Optional-parameter scenario names, in the agreed order.
PARAM_NAMES = PARAM_SCENARIO_NAMES
INVALID_CASES = ("missing-required", "bad-enum", "out-of-range", "wrong-type", "wrong-content-type")

#: Param scenarios polled to the end: callback_url (for its callbacks), and aspect_ratio and sound, whose
#: result files show whether the gateway honoured them (result_media_matches_request). Polls are free.
_POLLED_PARAMS = ("callback_url", "aspect_ratio", "sound")
#: Families whose top-level ``image`` field takes URL or base64 (image encoding scenarios apply).
_IMAGE_FAMILIES = ("image2video",)
#: Families whose canonical create body has ``external_task_id`` (kling-contract.md §4: video-extend,
#: virtual try-on and lip-sync only take ``callback_url``).
_EXTERNAL_ID_FAMILIES = ("generations", "text2video", "image2video", "multi-image2video", "effects")

#: An id in each format that no gateway will have issued (for ``get.unknown`` and auth probes).
UNKNOWN_IDS = {
    "kling-numeric": "999999999999999999",
    "kling-legacy": "kc-unknown-0000000000000",
    "newapi-task": "task_" + "0" * 32,
    "prefixed-ulid": "task_00000000000000000000000000",
}

#: Scenario priority for the budget (lower runs first); paid scenarios are admitted tier by tier,
#: round-robin across gateways, so a small budget spreads over every gateway's most telling calls.
_PRIORITY = {"minimal": 0, "doc-example": 1, "callback_url": 2}
#: Budget order of families: the two video families clients use most come first.
_FAMILY_ORDER = {
    family: index
    for index, family in enumerate(
        ("image2video", "text2video", *(f for f in FAMILIES if "2video" not in f or f == "multi-image2video"))
    )
}

#: Official list-query bounds: pageNum in [1, 1000], pageSize in [1, 500].
LIST_PROBES: tuple[tuple[str, dict[str, int], str], ...] = (
    ("default", {"pageNum": 1, "pageSize": 30}, "accept"),
    ("at-bounds", {"pageNum": 1000, "pageSize": 500}, "accept"),
    ("page-size-beyond", {"pageNum": 1, "pageSize": 501}, "reject"),
    ("page-num-below", {"pageNum": 0, "pageSize": 30}, "reject"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestSpec:
    """One HTTP call of a scenario. ``path`` is below the base URL and may hold ``{task_id}`` or
    ``{external_task_id}`` (filled from the scenario this one depends on). ``auth`` is ``key``,
    ``none`` or ``invalid``. ``raw_body`` (bytes) wins over ``body`` (JSON)."""

    method: str
    path: str
    purpose: str
    body: Any = None
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    auth: str = "key"
    operation_id: str = ""  # when the call belongs to another operation than its scenario's
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """One catalog entry for one gateway."""

    id: str
    gateway: str
    operation_id: str
    requests: tuple[RequestSpec, ...] = ()
    paid: bool = False
    polled: bool = False  # poll the created task to a terminal state
    follow_up_query: bool = False  # query the created task once (param and invalid scenarios)
    depends_on: str = ""  # scenario whose task id / external id fills the path placeholders
    shares_task_with: str = ""  # reuse that scenario's exchanges instead of paying again
    skipped_reason: str = ""
    request_body: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        """Task family (``image2video``); ``auth`` for gateway-wide scenarios."""
        return self.operation_id.rsplit(".", 1)[0] if "." in self.operation_id else self.operation_id

    @property
    def group(self) -> str:
        """The scenario that must run in the same shard (a dependent follows its producer)."""
        return self.shares_task_with or self.depends_on or self.id

    @property
    def priority(self) -> tuple[int, int, str]:
        """Budget order: tier, then family order, then id."""
        tier = _PRIORITY.get(self.meta.get("case", ""), 3)
        return (tier, _FAMILY_ORDER.get(self.family, 99), self.id)


@functools.cache
def _request_data() -> dict[str, Any]:
    with (Path(__file__).parent / "data" / "requests.toml").open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)["families"]
    return data


def minimal_body(family: str) -> dict[str, Any]:
    """The minimal canonical create body of ``family`` (a fresh copy)."""
    body: dict[str, Any] = copy.deepcopy(_request_data()[family]["minimal"])
    return body


def param_body(family: str, name: str, *, external_task_id: str = "", callback_url: str = "") -> dict[str, Any] | None:
    """The minimal body plus optional parameter ``name``, or ``None`` when it does not apply to ``family``.

    ``callback_url`` is the receiver URL to send (default: :func:`callback_url_for` with the family only).
    """
    body = minimal_body(family)
    params: dict[str, Any] = _request_data()[family].get("params", {})
    if name in params:
        body.update(copy.deepcopy(params[name]))
    elif name == "callback_url" or (name == "external_task_id" and family in _EXTERNAL_ID_FAMILIES):
        body["callback_url"] = callback_url or callback_url_for(family)
        if family in _EXTERNAL_ID_FAMILIES:
            body["external_task_id"] = external_task_id
    elif name == "image-base64" and family in _IMAGE_FAMILIES:
        body["image"] = png_base64()
    elif name == "image-data-uri" and family in _IMAGE_FAMILIES:
        body["image"] = png_data_uri()
    else:
        return None
    return body


def callback_url_for(family: str, gateway: str = "", scenario: str = "") -> str:
    """The callback URL sent by ``scenario`` of ``gateway`` (placeholder host; see :data:`CALLBACK_PLACEHOLDER`).

    One receiver serves every gateway of a run, so the path names the gateway and the scenario
    (``/callback/<gateway>/<scenario>``): no gateway's callbacks are ever counted for another.
    """
    if gateway and scenario:
        return f"{CALLBACK_PLACEHOLDER}/callback/{gateway}/{scenario}"
    return f"{CALLBACK_PLACEHOLDER}/callback/{family}"


def callback_path(url: str) -> str:
    """The receiver path of a callback URL we sent (``/callback/<gateway>/<scenario>``)."""
    return urllib.parse.urlsplit(url).path


def external_id_for(family: str, run_token: str) -> str:
    """A unique-per-run ``external_task_id`` (the official API wants it unique per account)."""
    return f"kc-{run_token}-{family}"


def invalid_request(family: str, case: str) -> tuple[dict[str, Any], tuple[tuple[str, str], ...], str] | None:
    """(body, header overrides, offending JSON path) for an invalid case, or ``None`` when n/a."""
    spec = _request_data()[family].get("invalid", {}).get(case)
    if spec is None:
        return None
    body = minimal_body(family)
    for name in spec.get("drop", []):
        body.pop(name, None)
    body.update(copy.deepcopy(spec.get("set", {})))
    headers = (("Content-Type", spec["content_type"]),) if "content_type" in spec else ()
    return body, headers, str(spec.get("field", "$"))


def _fill_action(template: str, family: str) -> str:
    action = FAMILIES[family].split("/")[2]  # "/v1/videos/image2video" -> "videos"
    return template.replace("{action}", action).replace("{action2}", family)


def unknown_id(profile: GatewayProfile, family: str) -> str:
    """A well-formed task id the gateway never issued."""
    op = profile.operation(f"{family}.get") or profile.operation(f"{family}.create")
    fmt = op.id_format if op is not None else "kling-numeric"
    return UNKNOWN_IDS.get(fmt, UNKNOWN_IDS["kling-numeric"])


def build_catalog(
    profile: GatewayProfile,
    *,
    run_token: str = "run",
    doc_examples: dict[str, dict[str, Any]] | None = None,
) -> list[Scenario]:
    """Every scenario for ``profile``, including the ones that cannot run (with their skip reason).

    ``doc_examples`` maps an operation id to ``{"method", "path", "body"}`` taken from the gateway's own
    document (``<family>.create.doc-example``); operations without one are skipped "not documented".
    """
    doc_examples = doc_examples or {}
    out: list[Scenario] = []
    gw = profile.id
    for family in FAMILIES:
        out.extend(_family_scenarios(profile, family, run_token, doc_examples))
        for kind in ("get", "list"):  # documented query examples: free calls, judged on their own
            doc = doc_examples.get(f"{family}.{kind}")
            if doc is not None:
                out.append(
                    Scenario(
                        id=f"{family}.{kind}.doc-example",
                        gateway=gw,
                        operation_id=f"{family}.{kind}",
                        requests=(
                            RequestSpec(
                                method=doc.get("method", "GET"), path=doc["path"], purpose="query", body=doc.get("body")
                            ),
                        ),
                        meta={"case": "doc-example", "source": doc.get("source", "")},
                    )
                )
    out.extend(_auth_scenarios(profile))
    from conformance.harness.extended_scenarios import extended_scenarios  # issue 17: documented ones only

    out.extend(extended_scenarios(profile))
    return [s for s in out if s.gateway == gw]


def _skip(gw: str, sid: str, op: str, reason: str, *, paid: bool = False, case: str = "") -> Scenario:
    return Scenario(id=sid, gateway=gw, operation_id=op, skipped_reason=reason, paid=paid, meta={"case": case})


def _family_scenarios(
    profile: GatewayProfile, family: str, run_token: str, doc_examples: dict[str, dict[str, Any]]
) -> list[Scenario]:
    gw = profile.id
    create_op = profile.operation(f"{family}.create")
    get_op = profile.operation(f"{family}.get")
    list_op = profile.operation(f"{family}.list")
    create_ok = create_op is not None and create_op.supported
    get_ok = get_op is not None and get_op.supported
    c_id, g_id, l_id = f"{family}.create", f"{family}.get", f"{family}.list"
    out: list[Scenario] = []

    # --- creates (paid) -------------------------------------------------------------------------
    doc = doc_examples.get(c_id)
    if doc is None:
        if create_ok:
            out.append(_skip(gw, f"{c_id}.doc-example", c_id, NOT_DOCUMENTED, paid=True, case="doc-example"))
    else:
        out.append(
            Scenario(
                id=f"{c_id}.doc-example",
                gateway=gw,
                operation_id=c_id,
                requests=(
                    RequestSpec(method=doc.get("method", "POST"), path=doc["path"], purpose="create", body=doc["body"]),
                ),
                paid=True,
                follow_up_query=get_ok,
                request_body=doc["body"],
                meta={"case": "doc-example", "source": doc.get("source", "")},
            )
        )
    if not create_ok:
        # One skipped scenario per operation says "not supported"; its parameter and invalid-request
        # variants would only repeat it, check by check.
        out.append(_skip(gw, f"{c_id}.minimal", c_id, NOT_SUPPORTED, paid=True, case="minimal"))
        out.append(_skip(gw, f"{g_id}.known", g_id, NOT_SUPPORTED, case="known"))
        out.append(_skip(gw, f"{l_id}.bounds", l_id, NOT_SUPPORTED, case="bounds"))
        return out
    assert create_op is not None
    create_path = create_op.path
    mapping = create_op.request  # writing: the gateway's own dialect (None = canonical bodies as they are)
    minimal = minimal_body(family)
    out.append(
        Scenario(
            id=f"{c_id}.minimal",
            gateway=gw,
            operation_id=c_id,
            requests=(
                RequestSpec(
                    method=create_op.method, path=create_path, purpose="create", body=map_request(mapping, minimal)
                ),
            ),
            paid=True,
            polled=get_ok,
            request_body=minimal,
            meta={"case": "minimal"},
        )
    )
    ext_id = external_id_for(family, run_token)
    callback_sid = f"{c_id}.param.callback_url"
    for name in PARAM_NAMES:
        sid = f"{c_id}.param.{name}"
        body = param_body(
            family, name, external_task_id=ext_id, callback_url=callback_url_for(family, gw, callback_sid)
        )
        if body is None:
            continue  # the canonical contract has no such parameter for this family
        request = RequestSpec(
            method=create_op.method, path=create_path, purpose="create", body=map_request(mapping, body)
        )
        if name == "external_task_id":
            out.append(
                Scenario(
                    id=sid,
                    gateway=gw,
                    operation_id=c_id,
                    shares_task_with=callback_sid,
                    request_body=body,
                    meta={"case": name, "param": name},
                )
            )
            continue
        out.append(
            Scenario(
                id=sid,
                gateway=gw,
                operation_id=c_id,
                requests=(request,),
                paid=True,
                polled=name in _POLLED_PARAMS and get_ok,
                follow_up_query=name not in _POLLED_PARAMS and get_ok,
                request_body=body,
                meta={"case": name, "param": name},
            )
        )
    for case in INVALID_CASES:
        sid = f"{c_id}.invalid.{case}"
        spec = invalid_request(family, case)
        if spec is None:
            continue  # e.g. no range-checked field in this family
        body, headers, field_path = spec
        meta: dict[str, Any] = {"case": case, "field_path": field_path}
        if mapping is not None:
            meta["wire_field_path"] = mapped_path(mapping, field_path)
        out.append(
            Scenario(
                id=sid,
                gateway=gw,
                operation_id=c_id,
                requests=(
                    RequestSpec(
                        method=create_op.method,
                        path=create_path,
                        purpose="create",
                        body=map_request(mapping, body),
                        headers=headers,
                    ),
                ),
                follow_up_query=get_ok,  # only used when a task was (wrongly) created
                request_body=body,
                meta=meta,
            )
        )

    # --- queries (free) -------------------------------------------------------------------------
    if not get_ok:
        out.append(_skip(gw, f"{g_id}.known", g_id, NOT_SUPPORTED, case="known"))
    else:
        assert get_op is not None
        out.append(
            Scenario(
                id=f"{g_id}.known",
                gateway=gw,
                operation_id=g_id,
                requests=(RequestSpec(method="GET", path=get_op.path, purpose="query"),),
                depends_on=f"{c_id}.minimal",
                meta={"case": "known"},
            )
        )
        variants = tuple(
            RequestSpec(method="GET", path=_fill_action(v, family), purpose="variant", meta={"variant": v})
            for v in get_op.path_variants
        )
        if variants:
            out.append(
                Scenario(
                    id=f"{g_id}.variant",
                    gateway=gw,
                    operation_id=g_id,
                    requests=variants,
                    depends_on=f"{c_id}.minimal",
                    meta={"case": "variant"},
                )
            )
        else:
            out.append(_skip(gw, f"{g_id}.variant", g_id, NOT_DOCUMENTED, case="variant"))
        bad_id = unknown_id(profile, family)
        out.append(
            Scenario(
                id=f"{g_id}.unknown",
                gateway=gw,
                operation_id=g_id,
                requests=(
                    RequestSpec(
                        method="GET",
                        path=get_op.path.replace("{task_id}", bad_id),
                        purpose="query",
                        meta={"task_id": bad_id},
                    ),
                ),
                meta={"case": "unknown", "task_id": bad_id},
            )
        )
        if profile.external_id_query and family in _EXTERNAL_ID_FAMILIES:
            collection = (list_op.path if list_op is not None else create_path).split("?")[0]
            out.append(
                Scenario(
                    id=f"{g_id}.external-id",
                    gateway=gw,
                    operation_id=g_id,
                    # kling-contract.md §2 [UNC]: path or query string; both are tried. The query form is
                    # the list endpoint filtered by external_task_id, so its exchange is a list query.
                    requests=(
                        RequestSpec(
                            method="GET",
                            path=get_op.path.replace("{task_id}", "{external_task_id}"),
                            purpose="query",
                            meta={"form": "path"},
                        ),
                        RequestSpec(
                            method="GET",
                            path=collection,
                            purpose="query",
                            operation_id=l_id,
                            query=(("external_task_id", "{external_task_id}"),),
                            meta={"form": "query"},
                        ),
                    ),
                    depends_on=callback_sid,
                    meta={"case": "external-id", "external_task_id": ext_id},
                )
            )
        elif family in _EXTERNAL_ID_FAMILIES:
            out.append(_skip(gw, f"{g_id}.external-id", g_id, NOT_SUPPORTED, case="external-id"))
    if list_op is not None and list_op.supported and profile.list_query:
        probes = tuple(
            RequestSpec(
                method="GET",
                path=list_op.path,
                purpose="list",
                query=tuple((k, str(v)) for k, v in params.items()),
                meta={"probe": name, "expect": expect, "params": params},
            )
            for name, params, expect in LIST_PROBES
        )
        out.append(
            Scenario(id=f"{l_id}.bounds", gateway=gw, operation_id=l_id, requests=probes, meta={"case": "bounds"})
        )
    else:
        out.append(_skip(gw, f"{l_id}.bounds", l_id, NOT_SUPPORTED, case="bounds"))
    return out


def _auth_scenarios(profile: GatewayProfile) -> list[Scenario]:
    """Auth probes on a free call: the single query of an unknown id on the first supported family."""
    gw = profile.id
    target = next(
        (profile.operation(f"{f}.get") for f in FAMILIES if (op := profile.operation(f"{f}.get")) and op.supported),
        None,
    )
    out: list[Scenario] = []
    for case, auth in (("missing-key", "none"), ("invalid-key", "invalid")):
        sid = f"auth.{case}"
        if target is None:
            out.append(_skip(gw, sid, "auth", NOT_SUPPORTED, case=case))
            continue
        bad_id = unknown_id(profile, target.family)
        out.append(
            Scenario(
                id=sid,
                gateway=gw,
                operation_id=target.operation_id,
                requests=(
                    RequestSpec(method="GET", path=target.path.replace("{task_id}", bad_id), purpose="auth", auth=auth),
                ),
                meta={"case": case, "auth": auth},
            )
        )
    return out
