"""Gateway profile data model: how to talk to one gateway and what it is documented or known to do.

Profiles are data (TOML files validated by ``profile.schema.json``); these frozen dataclasses are
their in-memory form. The loader (``conformance.profiles.loader``) builds them; the emulator, the
harness, the checks and ``compare`` read them. Nothing here does I/O.

Operation ids are the canonical spec's operationIds: ``<family>.create|get|list`` where family is one
of :data:`FAMILIES` (e.g. ``image2video.create``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.models import EvidenceKind

#: Task families of the canonical spec, with their create path below ``/v1``.
FAMILIES: dict[str, str] = {
    "generations": "/v1/images/generations",
    "text2video": "/v1/videos/text2video",
    "image2video": "/v1/videos/image2video",
    "multi-image2video": "/v1/videos/multi-image2video",
    "video-extend": "/v1/videos/video-extend",
    "effects": "/v1/videos/effects",
    "kolors-virtual-try-on": "/v1/images/kolors-virtual-try-on",
    "lip-sync": "/v1/videos/lip-sync",
}

#: Endpoints beyond the task families (no create/get/list), with their method and canonical path.
#: ``account.costs``: the resource packs of the account (reference/kling-contract.md §2, Account row).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "account.costs": ("GET", "/account/costs"),
}

#: Optional request parameters the catalog probes one by one (``<family>.create.param.<name>``), agreed order.
OPTIONAL_PARAM_NAMES: tuple[str, ...] = (
    "cfg_scale",
    "camera_control",
    "masks",
    "image_tail",
    "negative_prompt",
    "aspect_ratio",
    "callback_url",
    "external_task_id",
    "sound",
)
#: Image-encoding variants of the ``image`` field, probed as ``<family>.create.param.<name>`` too.
IMAGE_ENCODING_PARAM_NAMES: tuple[str, ...] = ("image-base64", "image-data-uri")
#: Every ``<family>.create.param.<name>`` scenario name, in the agreed order.
PARAM_SCENARIO_NAMES: tuple[str, ...] = OPTIONAL_PARAM_NAMES + IMAGE_ENCODING_PARAM_NAMES

#: Id formats a profile may name, with the regex each stands for.
ID_FORMATS: dict[str, str] = {
    "kling-numeric": r"^[0-9]{15,20}$",  # 18-digit numeric string today
    "kling-legacy": r"^[A-Za-z0-9_-]{20,24}$",  # early ids equal to request_id
    "newapi-task": r"^task_[A-Za-z0-9]{32}$",
    "prefixed-ulid": r"^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$",
    "any": r"^.+$",
}


#: Credential kinds a client may send (``AuthSpec.credential``) and a gateway may accept (``AuthSpec.accepts``).
TOKEN_KINDS: tuple[str, ...] = ("api-key", "kling-jwt")
#: How a token is written into its header (``AuthSpec.scheme``): the prefix before it, "" for none.
AUTH_SCHEMES: dict[str, str] = {"bearer": "Bearer", "key": "Key", "raw": ""}


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthSpec:
    """How a client authenticates to the gateway, and what the gateway accepts.

    ``credential``: what the client sends, ``api-key`` (the key held in ``env``, as is) or ``kling-jwt``
    (an HS256 JWT signed per request from the AK/SK held in ``access_key_env``/``secret_key_env``;
    without them the value of ``env`` is sent as a pre-signed token). ``scheme`` writes the token into
    ``header`` as ``Bearer <t>`` (``bearer``), ``Key <t>`` (``key``) or ``<t>`` (``raw``), by default
    ``Bearer`` in ``Authorization`` and nothing in another header; a non-empty
    ``query`` sends it as that query parameter instead. ``accepts``: the token kinds the gateway takes
    (empty = ``(credential,)``). Keys never appear in a profile, only the variable names.
    """

    credential: str = "api-key"
    scheme: str = ""  # "" = Bearer in Authorization, no prefix in any other header
    header: str = "Authorization"
    query: str = ""
    env: str = "KLING_API_KEY"
    access_key_env: str = "KLING_ACCESS_KEY"
    secret_key_env: str = "KLING_SECRET_KEY"
    accepts: tuple[str, ...] = ()
    evidence: str = ""

    @property
    def accepted(self) -> tuple[str, ...]:
        """Token kinds the gateway accepts (``accepts``, or the one it documents for clients)."""
        return self.accepts or (self.credential,)

    @property
    def prefix(self) -> str:
        """The text before the token in the header (``Bearer``), ``""`` for none.

        Without an explicit ``scheme`` the ``Authorization`` header takes ``Bearer`` and any other
        header (``x-api-key``) the bare token.
        """
        if not self.scheme:
            return "Bearer" if self.header.lower() == "authorization" else ""
        return AUTH_SCHEMES.get(self.scheme.lower(), "")

    def describe(self) -> str:
        """One line: where and how the token goes (``Authorization: Bearer <kling-jwt>``, ``?key=<api-key>``)."""
        if self.query:
            return f"?{self.query}=<{self.credential}>"
        prefix = f"{self.prefix} " if self.prefix else ""
        return f"{self.header}: {prefix}<{self.credential}>"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestMapping:
    """Writing: how the canonical Kling create body becomes the gateway's own body.

    Applied by :func:`conformance.profiles.writing.map_request`. Paths are dotted (``input.prompt``);
    ``rename`` maps a canonical field to its path on the gateway, ``nest`` is where every other kept
    field goes (``""`` = top level), ``drop`` lists canonical fields never sent, ``unmapped`` is
    ``keep`` or ``drop`` (fields neither renamed nor dropped), ``values`` translates canonical values
    per field, ``set`` adds constants (a string may hold ``{field}`` placeholders filled from the
    canonical body, after ``values``, or from ``defaults`` when the body omits the field).
    """

    rename: dict[str, str] = field(default_factory=dict)
    nest: str = ""
    drop: tuple[str, ...] = ()
    unmapped: str = "keep"
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    set: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    evidence: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskProtocol:
    """Driving: how a created task is followed to its end (on a create operation).

    Expressions are RFC 9535 JSONPath (``$.status_url``), evaluated on parsed JSON bodies. ``task_id`` finds the id
    that fills ``{task_id}`` in the create body (``""`` = the reading's task id); ``poll_url`` finds a
    URL to poll in the create body (absolute on the gateway's own origin, or a path), else
    ``poll_path`` is the poll template (``""`` = the get operation's path); ``status`` finds the raw
    status word in a poll body (``""`` = the reading's raw status); ``terminal`` lists raw words that
    end polling (besides canonical terminal statuses); ``result_url`` (on the create body, then the
    last poll body) or ``result_path`` names a separate result endpoint fetched once the task is
    terminal; ``echo`` maps a canonical parameter to where the get/poll/result bodies echo it.
    """

    task_id: str = ""
    poll_url: str = ""
    poll_path: str = ""
    status: str = ""
    terminal: tuple[str, ...] = ()
    result_url: str = ""
    result_path: str = ""
    echo: dict[str, str] = field(default_factory=dict)
    evidence: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationProfile:
    """What a gateway does for one canonical operation.

    ``path`` is the template below the base URL (e.g. ``/kling/v1/videos/image2video/{task_id}``);
    ``path_variants`` are other templates the gateway also answers (``{action}``/``{action2}`` allowed).
    ``response_shape`` is a :class:`~conformance.normalize.result.Shape` value; ``status_vocabulary``
    the raw status words it emits in lifecycle order; ``success_status`` the HTTP status on success.
    """

    operation_id: str
    method: str
    path: str
    supported: bool = True
    documented: bool = False
    response_shape: str = "kling"
    status_vocabulary: tuple[str, ...] = ("submitted", "processing", "succeed", "failed")
    id_format: str = "kling-numeric"
    success_status: int = 200
    path_variants: tuple[str, ...] = ()
    unsupported_status: int = 404
    documented_shape: str = ""  # the shape the gateway's own document shows ("" = not documented)
    evidence: str = ""  # where the operation is documented or known from (file:lines, reference §)
    request: RequestMapping | None = None  # writing: None = the canonical body is sent as is
    task: TaskProtocol | None = None  # driving (create operations): None = POST, then GET the get path

    @property
    def family(self) -> str:
        """The task family (``image2video``) of this operation."""
        return self.operation_id.rsplit(".", 1)[0]

    @property
    def kind(self) -> str:
        """``create``, ``get`` or ``list``."""
        return self.operation_id.rsplit(".", 1)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointProfile:
    """An endpoint beyond the task families (:data:`ENDPOINTS`, e.g. ``account.costs``) on one gateway.

    ``path`` is below the base URL (the official ``/account/costs``; a gateway's under its prefix).
    Unsupported (the default for a gateway that does not list it) means the gateway does not serve it.
    """

    endpoint_id: str
    method: str
    path: str
    supported: bool = False
    evidence: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendedFamilies:
    """Which of the spec's extended families (``x-kling-families`` tier extended) the gateway documents.

    From ``[extended_families]``: ``documented`` is the list as written (``["*"]`` = every one);
    ``families`` the resolved names, in table order. ``evidence`` says where that was read (a seed's
    line range, a reference section); ``note`` anything else a user choosing a gateway should know.
    Never inherited through ``extends``: a gateway documents what its own document shows.
    """

    documented: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    evidence: str = ""
    note: str = ""

    def documents(self, family: str) -> bool:
        """The gateway documents the extended family ``family``."""
        return family in self.families


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorProfile:
    """The error shapes and HTTP statuses a gateway uses.

    Shapes are :class:`~conformance.normalize.result.Shape` values (``kling-error``, ``newapi-error``,
    ``openai-error``). ``*_code`` are the code values in the body (Kling ints as strings, or new-api
    strings such as ``task_not_exist``).
    """

    shape: str = "kling-error"
    auth_shape: str = "kling-error"
    auth_status: int = 401
    auth_code: str = "1001"
    invalid_param_status: int = 400
    invalid_param_code: str = "1201"
    unknown_task_status: int = 404
    unknown_task_shape: str = "kling-error"
    unknown_task_code: str = "1203"
    type_mismatch_status: int = 400  # new-api: 500 build_request_failed
    type_mismatch_code: str = "1201"
    rate_limit_status: int = 429
    rate_limit_code: str = "1302"
    rate_limit_message: str = "API request too fast"
    auth_invalid_code: str = "1002"  # code for a wrong key (auth_code is the missing-key code)
    missing_prompt_code: str = ""  # new-api: "invalid_request" for an empty prompt ("" = invalid_param_code)
    unsupported_status: int = 404  # what an operation the gateway does not route answers
    unsupported_shape: str = "kling-error"
    unsupported_code: str = "1202"


@dataclass(frozen=True, slots=True, kw_only=True)
class Departure:
    """A known, reviewed way the gateway departs from the canonical contract.

    ``check`` names the catalog check the departure waives (empty: informational only);
    ``operation`` the operationId it applies to (empty: all); ``json_path`` the field concerned.
    ``evidence`` says where we know it from (document file and lines, reference section).
    """

    id: str
    reason: str
    evidence: str
    check: str = ""
    operation: str = ""
    json_path: str = ""
    kind: str = "behaviour"  # request | response | behaviour | documentation


@dataclass(frozen=True, slots=True, kw_only=True)
class LifecycleProfile:
    """How tasks progress on this gateway (used by the emulator, checked by lifecycle checks).

    ``schedule`` pairs each raw status word with the seconds (unscaled) after submission at which the
    task enters it; the last entry is the terminal success word. ``failed_word`` is the raw word of a
    failed task. ``timestamp_unit`` is ``ms`` or ``s`` for the gateway's own timestamps.
    """

    schedule: tuple[tuple[str, float], ...] = (("submitted", 0.0), ("processing", 5.0), ("succeed", 60.0))
    failed_word: str = "failed"
    timestamp_unit: str = "ms"
    callback: str = "official"  # official | upstream-id | none
    callback_signature: str = ""  # "" (not signed) | standard-webhooks (the 3.x contract)
    callback_secret_env: str = ""  # the variable holding the secret to verify them with (never the secret)


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentedExample:
    """One exchange as a gateway's public documentation shows it (``[[examples]]``), with its source URL."""

    operation_id: str
    method: str
    path: str
    source: str
    status: int = 200
    request: Any = None
    response: Any = None
    retrieved: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayProfile:
    """Everything the tool knows about one gateway."""

    id: str
    title: str
    family: str  # kling | newapi | onehub | custom: behaviour family the emulator models
    evidence_kind: EvidenceKind
    evidence_source: str
    base_url: str
    path_prefix: str = "/kling"
    auth: AuthSpec = field(default_factory=AuthSpec)
    operations: dict[str, OperationProfile] = field(default_factory=dict)
    endpoints: dict[str, EndpointProfile] = field(default_factory=dict)
    extended_families: ExtendedFamilies = field(default_factory=ExtendedFamilies)
    errors: ErrorProfile = field(default_factory=ErrorProfile)
    lifecycle: LifecycleProfile = field(default_factory=LifecycleProfile)
    departures: tuple[Departure, ...] = ()
    accepts_data_uri: bool = False
    requires_prompt: bool = False
    drops_fields: tuple[str, ...] = ()  # request fields accepted but silently dropped
    list_query: bool = True
    external_id_query: bool = True
    source_file: str = ""  # the TOML file the profile came from
    extra: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    extends: str = ""  # id of the profile this one layers on ("" = none)
    derived_from: str = ""  # the gateway spec (specs/gateways/<id>.yaml) it takes documented facts from
    examples: tuple[DocumentedExample, ...] = ()  # documented exchanges (doc-derived cassettes)
    reading_data: dict[str, Any] = field(default_factory=dict)  # the merged [reading] table, as written
    #: ``[reading]`` compiled once (``conformance.normalize.reading.model.Description``); ``None``: the
    #: classic set (how the built-in families read).
    reading: Any = field(default=None, compare=False, repr=False)

    def operation(self, operation_id: str) -> OperationProfile | None:
        """The profile of ``operation_id``, or ``None`` when the gateway does not document or support it."""
        return self.operations.get(operation_id)

    def endpoint(self, endpoint_id: str) -> EndpointProfile:
        """The gateway's :data:`ENDPOINTS` entry ``endpoint_id`` (unsupported when the profile does not list it)."""
        found = self.endpoints.get(endpoint_id)
        if found is not None:
            return found
        method, path = ENDPOINTS[endpoint_id]
        return EndpointProfile(endpoint_id=endpoint_id, method=method, path=self.path_prefix + path)

    def supported_operations(self) -> list[str]:
        """Operation ids the gateway supports, in canonical order."""
        return [op for op, prof in self.operations.items() if prof.supported]

    def departures_for(self, check: str, operation: str = "") -> list[Departure]:
        """Departures that waive ``check`` on ``operation`` (or on every operation)."""
        return [
            d
            for d in self.departures
            if d.check == check and (not d.operation or not operation or d.operation == operation)
        ]
