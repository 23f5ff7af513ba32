"""Which gateway a document describes, and which canonical operation a documented method + path is.

Known gateways are data (``data/known_gateways.yaml``). Operations follow the canonical spec's
pattern: create ``POST /v1/{videos|images}/{family}``, get ``GET .../{family}/{task_id}``, list
``GET .../{family}``; a gateway's own prefix (``/kling``) is whatever precedes ``/v1/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from conformance.docs.model import FieldDoc, GatewayDocument, url_host, url_path

_DATA = Path(__file__).resolve().parent / "data" / "known_gateways.yaml"

#: Task families of the canonical spec with their create path below the prefix (same table as
#: ``conformance.profiles.model.FAMILIES``; a test keeps the two equal).
FAMILY_PATHS: dict[str, str] = {
    "generations": "/v1/images/generations",
    "text2video": "/v1/videos/text2video",
    "image2video": "/v1/videos/image2video",
    "multi-image2video": "/v1/videos/multi-image2video",
    "video-extend": "/v1/videos/video-extend",
    "effects": "/v1/videos/effects",
    "kolors-virtual-try-on": "/v1/images/kolors-virtual-try-on",
    "lip-sync": "/v1/videos/lip-sync",
}

_PLACEHOLDER = re.compile(r"^\{(?P<name>[^}]+)\}$")


@dataclass(frozen=True, slots=True)
class KnownGateway:
    """A gateway the extractor can recognise."""

    id: str
    title: str
    host: str | None
    hosts: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResolvedOperation:
    """A documented method + path mapped onto a canonical operation.

    ``path`` is the concrete OpenAPI path with the gateway prefix (``/kling/v1/videos/image2video``);
    ``template`` is the path as documented when it differs (APICore's ``/kling/v1/{action}/{action2}/{task_id}``).
    """

    operation_id: str
    method: str
    path: str
    prefix: str
    template: str | None = None


@lru_cache(maxsize=1)
def known_gateways() -> tuple[KnownGateway, ...]:
    """The gateways in ``data/known_gateways.yaml``."""
    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return tuple(
        KnownGateway(
            id=item["id"],
            title=item["title"],
            host=item.get("host"),
            hosts=tuple(item.get("hosts") or ()),
            names=tuple(item.get("names") or ()),
        )
        for item in data["gateways"]
    )


def known_gateway(gateway_id: str) -> KnownGateway | None:
    """The catalog entry for ``gateway_id``, if any."""
    return next((gw for gw in known_gateways() if gw.id == gateway_id), None)


def identify_gateway(document: GatewayDocument, lines: list[str] | None = None) -> KnownGateway | None:
    """The gateway a document describes: by documented host first, then by a name it shows."""
    hosts = [url_host(url) for url in _document_urls(document)]
    for host in hosts:
        if host is None:
            continue
        for gateway in known_gateways():
            if any(host == known or host.endswith("." + known) for known in gateway.hosts):
                return gateway
    texts = [document.title, *(lines or ())]
    for text in texts:
        for gateway in known_gateways():
            if any(name in text for name in gateway.names):
                return gateway
    return None


def _document_urls(document: GatewayDocument) -> list[str]:
    urls = [document.endpoint.url] if document.endpoint is not None else []
    urls.extend(curl.url for curl in document.curls)
    return urls


def resolve_operations(method: str, url: str, path_params: tuple[FieldDoc, ...] = ()) -> list[ResolvedOperation]:
    """The canonical operations a documented ``method`` + ``url`` stands for (empty when none).

    A templated family segment (``{action2}``) expands to every family its parameter description
    lists; a templated kind segment (``{action}``) to ``images``/``videos`` as its description allows.
    """
    path = url_path(url)
    index = path.find("/v1/")
    if index < 0:
        return []
    prefix = path[:index]
    segments = path[index + 1 :].rstrip("/").split("/")
    if len(segments) < 3 or len(segments) > 4:
        return []
    _, kind, family = segments[:3]
    has_id = len(segments) == 4
    kinds = _candidates(kind, path_params, ("images", "videos"))
    families = _candidates(family, path_params, tuple(FAMILY_PATHS))
    templated = bool(_PLACEHOLDER.match(kind) or _PLACEHOLDER.match(family))
    action = _action(method.upper(), has_id)
    if action is None:
        return []
    resolved = []
    for name in families:
        canonical = FAMILY_PATHS.get(name)
        if canonical is None or canonical.split("/")[2] not in kinds:
            continue
        concrete = prefix + canonical + ("/{task_id}" if has_id else "")
        resolved.append(
            ResolvedOperation(
                operation_id=f"{name}.{action}",
                method=method.upper(),
                path=concrete,
                prefix=prefix,
                template=path if templated else None,
            )
        )
    return resolved


def _action(method: str, has_id: bool) -> str | None:
    if method == "POST" and not has_id:
        return "create"
    if method == "GET":
        return "get" if has_id else "list"
    return None


def _candidates(segment: str, params: tuple[FieldDoc, ...], vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """A literal segment stands for itself; a placeholder for the vocabulary words its description names."""
    match = _PLACEHOLDER.match(segment)
    if match is None:
        return (segment,)
    param = next((p for p in params if p.name == match.group("name")), None)
    if param is None:
        return ()
    text = f"{param.description} {param.example or ''}"
    return tuple(
        word for word in vocabulary if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(word)}(?![A-Za-z0-9_-])", text)
    )


def template_values(template: str, path_params: tuple[FieldDoc, ...]) -> dict[str, list[str]]:
    """For each placeholder of a documented template, the values its description lists (for the record)."""
    values: dict[str, list[str]] = {}
    for segment in template.split("/"):
        match = _PLACEHOLDER.match(segment)
        if match is None or match.group("name") == "task_id":
            continue
        values[match.group("name")] = list(_candidates(segment, path_params, ("images", "videos", *FAMILY_PATHS)))
    return values
