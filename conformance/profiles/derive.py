"""Turn a derived gateway spec (``specs/gateways/<id>.yaml``) into a partial profile.

The extractor (``kling-conformance docs extract``) writes one OpenAPI 3.1 document per gateway with
``servers``, ``x-gateway: {id, title, host, path_prefix, sources}``, ``paths`` whose operations carry
canonical ``operationId`` and ``x-documented-shape``, and ``x-departures``. This module reads the
parts a profile needs, so the seed gateways have one source of truth: the document, not a copy of it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from conformance import paths
from conformance.errors import ProfileError
from conformance.profiles.model import FAMILIES
from conformance.profiles.validate import OPERATION_IDS

_METHODS = ("get", "post")
_DEPARTURE_KINDS = ("request", "response", "behaviour", "documentation")
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def resolve_spec_path(reference: str, *, profile_file: Path | None) -> Path:
    """Find ``reference`` (e.g. ``specs/gateways/yibuapi.yaml``).

    Looked up as an absolute path, then next to the profile file, then in the current directory, then
    in the bundled data root (the checkout, or ``conformance/_bundled`` in a wheel). Built-in profiles
    look only in the bundled data root, so a stray ``specs/`` in the current directory cannot change them.
    """
    candidate = Path(reference)
    if candidate.is_absolute():
        return candidate
    data_root = paths.specs_dir().parent
    roots: list[Path] = []
    builtin = profile_file is not None and profile_file.resolve().parent == paths.builtin_profiles_dir().resolve()
    if profile_file is not None and not builtin:  # built-ins read only the bundled specs
        roots.append(profile_file.resolve().parent)
        roots.append(Path.cwd())
    roots.append(data_root)
    for root in roots:
        if (root / candidate).is_file():
            return root / candidate
    return roots[-1] / candidate


def _read_spec(spec_path: Path, *, where: str) -> dict[str, Any]:
    if not spec_path.is_file():
        raise ProfileError(
            f"derived_from file {spec_path} does not exist",
            where=where,
            field="derived_from",
            fix="run `kling-conformance docs extract` to write it, or correct the path "
            "(relative to the profile file, the current directory or the bundled specs/)",
        )
    try:
        document = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(
            f"derived_from file {spec_path} is not readable YAML ({exc.__class__.__name__})",
            where=where,
            field="derived_from",
            fix="re-run `kling-conformance docs extract` to regenerate it",
        ) from None
    if not isinstance(document, dict):
        raise ProfileError(
            f"derived_from file {spec_path} is not an OpenAPI document",
            where=where,
            field="derived_from",
            fix="point derived_from at a specs/gateways/<id>.yaml file",
        )
    return document


def _provenance(value: Any) -> str:
    """``seeds/<file>:<lines>`` from an extractor provenance ``{file, lines}`` (or a plain string)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    file = str(value.get("file", "")).strip()
    if file and "/" not in file:
        file = f"seeds/{file}"
    lines = value.get("lines")
    if isinstance(lines, list | tuple) and lines:
        lines = f"{lines[0]}-{lines[-1]}" if len(lines) > 1 and lines[0] != lines[-1] else str(lines[0])
    return f"{file}:{lines}" if file and lines not in (None, "") else file


def _source_files(gateway: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for source in gateway.get("sources") or []:
        text = _provenance(source).split(":", 1)[0]
        if text and text not in out:
            out.append(text)
    return out


def _concrete_path(template: str, operation_id: str) -> str:
    """Fill ``{action}``/``{action2}`` from the operation's canonical path (APICore documents them)."""
    family = operation_id.rsplit(".", 1)[0]
    canonical = FAMILIES.get(family, "")
    segments = canonical.strip("/").split("/")  # v1, videos|images, action2
    if len(segments) >= 3:
        template = template.replace("{action}", segments[1]).replace("{action2}", segments[2])
    return re.sub(r"\{(?!task_id\})[^}]+\}", "{task_id}", template) if "{" in template else template


def _operations(document: dict[str, Any], server_path: str, fallback_evidence: str) -> dict[str, dict[str, Any]]:
    operations: dict[str, dict[str, Any]] = {}
    for template, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op_ids = operation.get("x-operation-ids") or [operation.get("operationId")]
            for op_id in op_ids:
                if op_id not in OPERATION_IDS:
                    continue
                entry: dict[str, Any] = {
                    "documented": True,
                    "method": method.upper(),
                    "path": _concrete_path(server_path + str(template), str(op_id)),
                }
                shape = operation.get("x-documented-shape")
                if isinstance(shape, str) and shape:
                    entry["documented_shape"] = shape
                evidence = _provenance(operation.get("x-provenance")) or fallback_evidence
                if evidence:
                    entry["evidence"] = evidence
                operations[str(op_id)] = entry
    return operations


def _departures(document: dict[str, Any], *, where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, raw in enumerate(document.get("x-departures") or []):
        if not isinstance(raw, dict) or not raw.get("id"):
            raise ProfileError(
                f"x-departures[{index}] has no id",
                where=where,
                field=f"x-departures[{index}]",
                fix="re-run `kling-conformance docs extract`",
            )
        kind = str(raw.get("kind") or "documentation")
        departure = {
            "id": str(raw["id"]),
            "reason": str(raw.get("reason") or ""),
            "evidence": _provenance(raw.get("provenance")) or where,
            "check": str(raw.get("check") or ""),
            "operation": str(raw.get("operation") or ""),
            "json_path": str(raw.get("json_path") or ""),
            "kind": kind if kind in _DEPARTURE_KINDS else _closest_kind(kind),
        }
        out.append(departure)
    return out


def _closest_kind(kind: str) -> str:
    lowered = kind.lower()
    for candidate in _DEPARTURE_KINDS:
        if candidate[:4] in lowered:
            return candidate
    return "documentation"


def profile_layer_from_spec(reference: str, *, profile_file: Path | None, where: str) -> dict[str, Any]:
    """The ``derived_from`` layer: base URL, path prefix, title, evidence, documented operations, departures."""
    spec_path = resolve_spec_path(reference, profile_file=profile_file)
    document = _read_spec(spec_path, where=where)
    gateway = document.get("x-gateway") if isinstance(document.get("x-gateway"), dict) else {}
    assert isinstance(gateway, dict)
    servers = document.get("servers") or []
    server_url = str(servers[0].get("url", "")) if servers and isinstance(servers[0], dict) else ""
    split = urlsplit(server_url)
    server_path = split.path.rstrip("/") if split.netloc else ""
    # The document decides the host. When it names none, base_url is "" (the user passes --base-url):
    # inheriting the base profile's host would point one gateway's profile at another's server.
    layer: dict[str, Any] = {"base_url": ""}
    if split.netloc:
        layer["base_url"] = f"{split.scheme or 'https'}://{split.netloc}"
    elif gateway.get("host"):
        layer["base_url"] = f"https://{gateway['host']}"
    prefix = gateway.get("path_prefix", server_path)
    if isinstance(prefix, str):
        layer["path_prefix"] = prefix.rstrip("/")
    title = gateway.get("title") or (document.get("info") or {}).get("title")
    if title:
        layer["title"] = str(title)
    files = _source_files(gateway)
    layer["evidence"] = {"kind": "doc-derived", "source": ", ".join(files) or str(reference)}
    layer["operations"] = _operations(document, server_path, ", ".join(files))
    layer["departures"] = _departures(document, where=str(spec_path))
    return layer
