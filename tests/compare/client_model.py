"""Third-party Kling clients, modelled: each is its uses file, run for real against the emulator.

A model client does what its uses file says and nothing else: it takes a host (or a base URL with a
path), sends its credential the way its home gateway documents it (a Kling-signed AK/SK JWT or a
gateway key), calls the declared operations with the home gateway's paths, reads the declared fields,
polls until a status word it knows is terminal, calls ``account.costs`` when declared, and checks the
declared error situations by HTTP status (or status and error code). ``experience`` says what broke,
or ``""`` when everything worked: the ground truth the switching gate's predictions are scored on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.compare.knowledge import canonical_status, shape_fields
from conformance.compare.uses import Uses
from conformance.profiles.auth import auth_parts, sign_jwt
from conformance.profiles.model import GatewayProfile

GATEWAY_KEY = "kc-model-client-gateway-key-0001"
ACCESS_KEY, SECRET_KEY = "AKMODELCLIENT0001", "SKMODELCLIENT0001secret"
EMULATOR_KEYS = (GATEWAY_KEY, f"{ACCESS_KEY}|{SECRET_KEY}")

BODIES: dict[str, dict[str, Any]] = {
    "text2video": {"model_name": "kling-v1", "prompt": "a red fox running through snow", "duration": "5"},
    "image2video": {
        "model_name": "kling-v1",
        "image": "https://cdn.example.com/fox.jpg",
        "prompt": "the fox turns its head",
        "duration": "5",
    },
}


#: What a client written for a new-api deployment sends: new-api routes on the body's ``model`` key.
NEWAPI_BODIES: dict[str, dict[str, Any]] = {
    family: {("model" if key == "model_name" else key): value for key, value in body.items()}
    for family, body in BODIES.items()
}


@dataclass(frozen=True, slots=True)
class ModelClient:
    """A client written against ``home``, described by its uses file (YAML text), sending ``bodies``."""

    name: str
    home: str
    uses_yaml: str
    bodies: dict[str, dict[str, Any]] = field(default_factory=lambda: BODIES)


def lookup(body: Any, path: str) -> Any:
    """The value at ``path`` (``a.b[].c``: the first item's), or ``None``."""
    node = body
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
        if many:
            if not isinstance(node, list) or not node:
                return None
            node = node[0]
    return node


class _Broke(Exception):
    pass


def experience(client: ModelClient, uses: Uses, home: GatewayProfile, target: GatewayProfile, base: str) -> str:
    """Run ``client`` against ``target`` served at ``base`` (the emulator's mount of it): why it broke, or ``""``."""
    credential = uses.auth or home.auth.credential
    token = sign_jwt(ACCESS_KEY, SECRET_KEY) if credential == "kling-jwt" else GATEWAY_KEY
    root = base if uses.base_url == "host" else base + target.path_prefix
    strip = "" if uses.base_url == "host" else home.path_prefix

    def url(path: str) -> str:
        return root + path[len(strip) :]

    def call(http: httpx.Client, method: str, path: str, body: Any = None, secret: str = token) -> httpx.Response:
        parts = auth_parts(home.auth, secret)  # the client writes it the way its home documents
        return http.request(method, url(path), json=body, headers=dict(parts.headers), params=dict(parts.query))

    try:
        with httpx.Client(trust_env=False, timeout=10.0) as http:
            for op in uses.operations:
                if op == "account.costs":
                    _account(http, call, home)
            for op in uses.operations:
                if op.endswith(".create"):
                    _task(http, call, op, uses, home, client.bodies)
            for situation in uses.errors:
                _error(http, call, situation, uses, home, client.bodies)
    except _Broke as exc:
        return str(exc)
    return ""


def _json(response: httpx.Response, what: str) -> Any:
    if not 200 <= response.status_code < 300:
        raise _Broke(f"{what}: HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise _Broke(f"{what}: not JSON") from None


def _account(http: httpx.Client, call: Any, home: GatewayProfile) -> None:
    body = _json(call(http, "GET", home.endpoint("account.costs").path), "account.costs")
    if not isinstance(body, dict) or lookup(body, "data.resource_pack_subscribe_infos") is None:
        raise _Broke("account.costs: no resource packs")


def _task(
    http: httpx.Client, call: Any, op: str, uses: Uses, home: GatewayProfile, bodies: dict[str, dict[str, Any]]
) -> None:
    family = op.rsplit(".", 1)[0]
    operation = home.operation(op)
    assert operation is not None, op
    created = _json(call(http, "POST", operation.path, bodies[family]), op)
    for path in uses.reads_of(op):
        if lookup(created, path) is None:
            raise _Broke(f"{op}: no {path}")
    id_path = next((p for p in uses.reads_of(op) if p.rsplit(".", 1)[-1] in ("task_id", "id")), "data.task_id")
    task_id = lookup(created, id_path)
    get_op = f"{family}.get"
    if get_op not in uses.operations or task_id is None:
        return
    get = home.operation(get_op)
    assert get is not None, get_op
    reads = uses.reads_of(get_op)
    status_path = next((p for p in reads if "status" in p.rsplit(".", 1)[-1]), "data.task_status")
    known = list(uses.statuses or get.status_vocabulary)
    terminal = {w for w in known if canonical_status(w) in ("succeed", "failed")}
    seen: list[str] = []
    deadline = time.monotonic() + 20.0
    while True:
        body = _json(call(http, "GET", get.path.replace("{task_id}", str(task_id))), get_op)
        word = lookup(body, status_path)
        if isinstance(word, str) and word not in seen:
            seen.append(word)
        if word in terminal:
            break
        if time.monotonic() > deadline:
            raise _Broke(f"{get_op}: never finished (saw {seen or 'no status'} at {status_path})")
        time.sleep(0.01)  # a poll interval, as any polling client has
    if canonical_status(str(word)) == "succeed":
        for path in reads:
            if lookup(body, path) is None:
                raise _Broke(f"{get_op}: no {path}")


def _error(
    http: httpx.Client,
    call: Any,
    situation: str,
    uses: Uses,
    home: GatewayProfile,
    bodies: dict[str, dict[str, Any]],
) -> None:
    errors = home.errors
    how = dict(uses.error_reads).get(situation, "body")
    if situation == "unknown_task":
        get = next((home.operation(op) for op in uses.operations if op.endswith(".get")), None)
        if get is None:
            return
        response = call(http, "GET", get.path.replace("{task_id}", "987654321098765432"))
        status, code = errors.unknown_task_status, errors.unknown_task_code
        shape = errors.unknown_task_shape
    elif situation == "auth":
        op = next(home.operation(o) for o in uses.operations if o.endswith(".create"))
        assert op is not None
        family = op.operation_id.rsplit(".", 1)[0]
        response = call(http, "POST", op.path, bodies[family], secret="kc-wrong-key-000000")
        status, code, shape = errors.auth_status, errors.auth_invalid_code, errors.auth_shape
    else:
        return
    if response.status_code != status:
        raise _Broke(f"{situation} error: HTTP {response.status_code}, expected {status}")
    if how == "body":
        code_path = shape_fields(shape).get("error_code")
        try:
            got = lookup(response.json(), code_path.path) if code_path else None
        except ValueError:
            got = None
        if str(got) != str(code):
            raise _Broke(f"{situation} error: code {got!r}, expected {code!r}")
