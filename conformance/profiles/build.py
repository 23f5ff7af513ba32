"""Build the frozen :class:`GatewayProfile` from merged profile data, and check cross-references.

The schema checks each file's own keys; this module checks the merged result (which also holds what
came from ``extends`` and ``derived_from``): required keys present, shape ids, id formats and check ids
known, a lifecycle that ends in a terminal word.
"""

from __future__ import annotations

from typing import Any

from conformance.errors import ProfileError, did_you_mean
from conformance.models import EvidenceKind
from conformance.profiles.expressions import compile_expression
from conformance.profiles.model import (
    ENDPOINTS,
    FAMILIES,
    ID_FORMATS,
    AuthSpec,
    Departure,
    DocumentedExample,
    EndpointProfile,
    ErrorProfile,
    ExtendedFamilies,
    GatewayProfile,
    LifecycleProfile,
    OperationProfile,
    RequestMapping,
    TaskProtocol,
)
from conformance.profiles.validate import OPERATION_IDS, schema_enum
from conformance.scrub import register_secrets, url_secrets

_DEFAULT_METHOD = {"create": "POST", "get": "GET", "list": "GET"}
_CODE_FIELDS = frozenset(
    {
        "auth_code",
        "auth_invalid_code",
        "invalid_param_code",
        "missing_prompt_code",
        "unknown_task_code",
        "type_mismatch_code",
        "rate_limit_code",
        "unsupported_code",
    }
)


def default_path(operation_id: str, path_prefix: str) -> str:
    """The canonical path of ``operation_id`` below the base URL, e.g. ``/kling/v1/videos/image2video/{task_id}``."""
    family, kind = operation_id.rsplit(".", 1)
    path = path_prefix + FAMILIES[family]
    return f"{path}/{{task_id}}" if kind == "get" else path


class _Checker:
    """Raises :class:`ProfileError` for unknown ids, naming the file that brought them in."""

    def __init__(self, where: str, reading: Any = None) -> None:
        self.where = where
        own = [shape.id.value for shape in reading.shapes] if reading is not None else []
        self.shapes = list(dict.fromkeys([*schema_enum("shape"), *own]))
        self.checks = [c for c in schema_enum("departure", "check") if c]

    def one_of(self, value: str, valid: list[str], *, field: str, what: str) -> str:
        if value not in valid:
            raise ProfileError(
                f"unknown {what} {value!r}.{did_you_mean(value, valid)}",
                where=self.where,
                field=field,
                fix=f"use one of: {', '.join(valid)}",
            )
        return value

    def shape(self, value: str, field: str) -> str:
        return self.one_of(value, self.shapes, field=field, what="shape id")


def _operation(op_id: str, raw: dict[str, Any], prefix: str, check: _Checker, errors: ErrorProfile) -> OperationProfile:
    field = f'operations."{op_id}"'
    documented_shape = str(raw.get("documented_shape", ""))
    if documented_shape:
        check.shape(documented_shape, f"{field}.documented_shape")
    response_shape = check.shape(
        str(raw.get("response_shape") or documented_shape or "kling"), f"{field}.response_shape"
    )
    id_format = check.one_of(
        str(raw.get("id_format", "kling-numeric")), list(ID_FORMATS), field=f"{field}.id_format", what="id format"
    )
    kwargs: dict[str, Any] = {
        "operation_id": op_id,
        "method": str(raw.get("method", _DEFAULT_METHOD[op_id.rsplit(".", 1)[1]])),
        "path": str(raw.get("path") or default_path(op_id, prefix)),
        "supported": bool(raw.get("supported", True)),
        "documented": bool(raw.get("documented", False)),
        "response_shape": response_shape,
        "id_format": id_format,
        "documented_shape": documented_shape,
        "evidence": str(raw.get("evidence", "")),
        "path_variants": tuple(str(v) for v in raw.get("path_variants", ())),
        "unsupported_status": int(raw.get("unsupported_status", errors.unsupported_status)),
    }
    if "request" in raw:
        kwargs["request"] = _request_mapping(raw["request"], field=f"{field}.request", check=check)
    if "task" in raw:
        kwargs["task"] = _task_protocol(op_id, raw["task"], field=f"{field}.task", check=check)
    if "status_vocabulary" in raw:
        kwargs["status_vocabulary"] = tuple(str(v) for v in raw["status_vocabulary"])
    if "success_status" in raw:
        kwargs["success_status"] = int(raw["success_status"])
    return OperationProfile(**kwargs)


def _request_mapping(raw: dict[str, Any], *, field: str, check: _Checker) -> RequestMapping:
    renamed = [str(v) for v in raw.get("rename", {}).values()]
    for target in renamed:
        if renamed.count(target) > 1:
            raise ProfileError(
                f"two canonical fields are renamed to the same place {target!r}",
                where=check.where,
                field=f"{field}.rename",
                fix="give each renamed field its own path, or drop one of them",
            )
    clash = sorted(set(raw.get("rename", {})) & set(raw.get("drop", ())))
    if clash:
        raise ProfileError(
            f"{clash[0]!r} is both renamed and dropped",
            where=check.where,
            field=f"{field}.drop",
            fix=f"remove {clash[0]!r} from drop, or from rename",
        )
    return RequestMapping(
        rename={str(k): str(v) for k, v in raw.get("rename", {}).items()},
        nest=str(raw.get("nest", "")),
        drop=tuple(str(v) for v in raw.get("drop", ())),
        unmapped=str(raw.get("unmapped", "keep")),
        values={str(k): {str(a): b for a, b in dict(v).items()} for k, v in raw.get("values", {}).items()},
        set={str(k): v for k, v in raw.get("set", {}).items()},
        defaults={str(k): v for k, v in raw.get("defaults", {}).items()},
        evidence=str(raw.get("evidence", "")),
    )


def _expression(text: Any, *, field: str, check: _Checker) -> str:
    try:
        compile_expression(str(text))
    except ValueError as exc:
        raise ProfileError(
            f"{text!r} is not a valid JSONPath query ({exc})",
            where=check.where,
            field=field,
            fix="write an RFC 9535 JSONPath query such as $.data.task_id; keys holding dots in brackets: $['a.b']",
        ) from None
    return str(text)


def _task_protocol(op_id: str, raw: dict[str, Any], *, field: str, check: _Checker) -> TaskProtocol:
    if not op_id.endswith(".create"):
        raise ProfileError(
            f"a task protocol belongs to a create operation, not {op_id!r}",
            where=check.where,
            field=field,
            fix=f'move this table to [operations."{op_id.rsplit(".", 1)[0]}.create".task]',
        )
    if raw.get("poll_url") and raw.get("poll_path"):
        raise ProfileError(
            "poll_url and poll_path both say where to poll",
            where=check.where,
            field=f"{field}.poll_path",
            fix="keep poll_url (a URL taken from the create body) or poll_path (a template), not both",
        )
    exprs = {
        key: _expression(raw[key], field=f"{field}.{key}", check=check)
        for key in ("task_id", "poll_url", "status", "result_url")
        if key in raw
    }
    echo = {str(k): _expression(v, field=f"{field}.echo.{k}", check=check) for k, v in raw.get("echo", {}).items()}
    return TaskProtocol(
        **exprs,
        poll_path=str(raw.get("poll_path", "")),
        terminal=tuple(str(v) for v in raw.get("terminal", ())),
        result_path=str(raw.get("result_path", "")),
        echo=echo,
        evidence=str(raw.get("evidence", "")),
    )


def _errors(raw: dict[str, Any], check: _Checker) -> ErrorProfile:
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key.endswith("shape"):
            kwargs[key] = check.shape(str(value), f"errors.{key}")
        elif key in _CODE_FIELDS or key == "rate_limit_message":
            kwargs[key] = str(value)
        else:
            kwargs[key] = int(value)
    return ErrorProfile(**kwargs)


def _lifecycle(raw: dict[str, Any], where: str) -> LifecycleProfile:
    kwargs: dict[str, Any] = {}
    if "schedule" in raw:
        schedule = tuple((str(step["status"]), float(step["at"])) for step in raw["schedule"])
        times = [at for _, at in schedule]
        if times != sorted(times):
            raise ProfileError(
                "lifecycle.schedule must be in time order",
                where=where,
                field="lifecycle.schedule",
                fix="sort the steps by their 'at' seconds",
            )
        kwargs["schedule"] = schedule
    for key in ("failed_word", "timestamp_unit", "callback", "callback_signature", "callback_secret_env"):
        if key in raw:
            kwargs[key] = str(raw[key])
    lifecycle = LifecycleProfile(**kwargs)
    if lifecycle.failed_word in {word for word, _ in lifecycle.schedule}:
        raise ProfileError(
            f"lifecycle.failed_word {lifecycle.failed_word!r} also appears in the success schedule",
            where=where,
            field="lifecycle.failed_word",
            fix="the schedule lists the words of a succeeding task; failed_word is the failure word",
        )
    return lifecycle


def _departures(raw: list[dict[str, Any]], check: _Checker) -> tuple[Departure, ...]:
    out = []
    for index, item in enumerate(raw):
        field = f"departures[{index}]"
        if item.get("check"):
            check.one_of(str(item["check"]), check.checks, field=f"{field}.check", what="check id")
        if item.get("operation"):
            check.one_of(str(item["operation"]), list(OPERATION_IDS), field=f"{field}.operation", what="operation id")
        if not item.get("reason") or not item.get("evidence"):
            raise ProfileError(
                f"departure {item.get('id')!r} needs a reason and its evidence",
                where=check.where,
                field=field,
                fix='add reason = "..." and evidence = "seeds/<file>:<lines>" or "reference/<file> §<n>"',
            )
        out.append(
            Departure(
                id=str(item["id"]),
                reason=str(item["reason"]),
                evidence=str(item["evidence"]),
                check=str(item.get("check", "")),
                operation=str(item.get("operation", "")),
                json_path=str(item.get("json_path", "")),
                kind=str(item.get("kind", "behaviour")),
            )
        )
    return tuple(out)


def _endpoints(raw: dict[str, Any], prefix: str, where: str) -> dict[str, EndpointProfile]:
    out: dict[str, EndpointProfile] = {}
    for endpoint_id, fields in raw.items():
        if endpoint_id not in ENDPOINTS:
            raise ProfileError(
                f"unknown endpoint {endpoint_id!r}.{did_you_mean(endpoint_id, list(ENDPOINTS))}",
                where=where,
                field=f"endpoints.{endpoint_id}",
                fix=f"use one of: {', '.join(ENDPOINTS)}",
            )
        method, path = ENDPOINTS[endpoint_id]
        out[endpoint_id] = EndpointProfile(
            endpoint_id=endpoint_id,
            method=str(fields.get("method", method)),
            path=str(fields.get("path", prefix + path)),
            supported=bool(fields.get("supported", True)),
            evidence=str(fields.get("evidence", "")),
        )
    return out


def _extended_families(raw: dict[str, Any], where: str) -> ExtendedFamilies:
    """``[extended_families]``: names checked against the spec's family table, ``"*"`` expanded."""
    from conformance.spec import extended_families

    known = extended_families()
    documented = tuple(str(name) for name in raw.get("documented", ()))
    if "*" in documented:
        resolved = known
    else:
        for name in documented:
            if name not in known:
                raise ProfileError(
                    f"unknown extended family {name!r}.{did_you_mean(name, list(known))}",
                    where=where,
                    field="extended_families.documented",
                    fix=f'use "*" or names of the spec\'s x-kling-families (extended): {", ".join(known)}',
                )
        resolved = tuple(name for name in known if name in documented)
    return ExtendedFamilies(
        documented=documented, families=resolved, evidence=str(raw.get("evidence", "")), note=str(raw.get("note", ""))
    )


def _auth(raw: dict[str, Any]) -> AuthSpec:
    values = dict(raw)
    if "accepts" in values:
        values["accepts"] = tuple(str(kind) for kind in values["accepts"])
    return AuthSpec(**values)


def build_profile(data: dict[str, Any], *, source_file: str) -> GatewayProfile:
    """A :class:`GatewayProfile` from merged profile data (all three layers applied)."""
    reading_data = data.get("reading") or {}
    reading = compile_reading(reading_data, where=source_file, profile_id=str(data.get("id", "")))
    check = _Checker(source_file, reading)
    for key, fix in (
        ("title", 'add title = "My gateway"'),
        ("family", 'add family = "kling" (or newapi, onehub, custom), or extends = "kling-official"'),
        ("base_url", 'add base_url = "https://api.example.com" or derived_from = "specs/gateways/<id>.yaml"'),
    ):
        missing = key not in data if key == "base_url" else not data.get(key)
        if missing:
            raise ProfileError(f"missing required key {key!r}", where=source_file, field=key, fix=fix)
    evidence = data.get("evidence") or {"kind": "user-supplied", "source": "user-supplied"}
    register_secrets(*url_secrets(str(data["base_url"])))  # a key in a base URL never reaches disk or terminal
    prefix = str(data.get("path_prefix", "/kling"))
    flags = data.get("flags", {})
    extra = {k: v for k, v in data.items() if k == "emulator"}
    errors = _errors(data.get("errors", {}), check)
    return GatewayProfile(
        id=str(data["id"]),
        title=str(data["title"]),
        family=str(data["family"]),
        evidence_kind=EvidenceKind(evidence["kind"]),
        evidence_source=str(evidence.get("source") or evidence["kind"]),
        base_url=str(data["base_url"]).rstrip("/"),
        path_prefix=prefix,
        auth=_auth(data.get("auth", {})),
        operations={op: _operation(op, raw, prefix, check, errors) for op, raw in data.get("operations", {}).items()},
        endpoints=_endpoints(data.get("endpoints", {}), prefix, source_file),
        extended_families=_extended_families(data.get("extended_families", {}), source_file),
        errors=errors,
        lifecycle=_lifecycle(data.get("lifecycle", {}), source_file),
        departures=_departures(data.get("departures", []), check),
        accepts_data_uri=bool(flags.get("accepts_data_uri", False)),
        requires_prompt=bool(flags.get("requires_prompt", False)),
        drops_fields=tuple(str(f) for f in flags.get("drops_fields", ())),
        list_query=bool(flags.get("list_query", True)),
        external_id_query=bool(flags.get("external_id_query", True)),
        source_file=source_file,
        extra=extra,
        description=str(data.get("description", "")),
        extends=str(data.get("extends", "")),
        derived_from=str(data.get("derived_from", "")),
        examples=tuple(_example(item) for item in data.get("examples", ())),
        reading_data=reading_data,
        reading=reading,
    )


def _example(raw: dict[str, Any]) -> DocumentedExample:
    op_id = str(raw["operation"])
    kind = op_id.rsplit(".", 1)[1]
    return DocumentedExample(
        operation_id=op_id,
        method=str(raw.get("method", _DEFAULT_METHOD[kind])),
        path=str(raw.get("path", "")),
        source=str(raw["source"]),
        status=int(raw.get("status", 200)),
        request=raw.get("request"),
        response=raw.get("response"),
        retrieved=str(raw.get("retrieved", "")),
        note=str(raw.get("note", "")),
    )


def compile_reading(raw: dict[str, Any], *, where: str, profile_id: str) -> Any:
    """Compile a profile's ``[reading]`` once (``None`` when it has none); errors name the key and the fix."""
    if not raw:
        return None
    from conformance.normalize.reading import DescriptionError, compile_reading_table

    try:
        return compile_reading_table(raw, profile_id=profile_id)
    except DescriptionError as exc:
        raise ProfileError(exc.problem, where=where, field=exc.field, fix=exc.fix) from None
