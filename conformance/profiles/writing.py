"""Writing: turn a canonical Kling create body into a gateway's own body, as its profile describes.

A :class:`~conformance.profiles.model.RequestMapping` (``[operations."<op>".request]``) renames,
nests, drops and translates the canonical fields and adds constants such as the gateway's own model
name per family and mode. Without a mapping the canonical body is sent unchanged. Pure data in, data
out: the harness applies it to catalog scenarios, invalid probes and fuzz cases alike.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from conformance.profiles.model import RequestMapping

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` of ``out``, creating tables on the way."""
    *parents, leaf = path.split(".")
    node = out
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def _translate(mapping: RequestMapping, name: str, value: Any) -> Any:
    table = mapping.values.get(name)
    if table is not None and isinstance(value, (str, int, float, bool)) and str(value) in table:
        return copy.deepcopy(table[str(value)])
    return value


def _render(template: Any, fields: dict[str, Any]) -> tuple[bool, Any]:
    """``template`` with its ``{field}`` placeholders filled (inside lists and tables too): (filled, value).

    Unfilled when a placeholder's field has no value; a lone ``"{field}"`` keeps the value's JSON type.
    """
    if isinstance(template, list):
        items = [_render(item, fields) for item in template]
        return all(ok for ok, _ in items), [value for _, value in items]
    if isinstance(template, dict):
        entries = {key: _render(value, fields) for key, value in template.items()}
        return all(ok for ok, _ in entries.values()), {key: value for key, (_, value) in entries.items()}
    if not isinstance(template, str) or "{" not in template:
        return True, copy.deepcopy(template)
    whole = _PLACEHOLDER.fullmatch(template)
    if whole:
        name = whole.group(1)
        return (name in fields), copy.deepcopy(fields.get(name))
    missing = [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in fields]
    if missing:
        return False, None
    return True, _PLACEHOLDER.sub(lambda m: str(fields[m.group(1)]), template)


def map_request(mapping: RequestMapping | None, body: Any) -> Any:
    """The gateway's own body for the canonical ``body`` (``body`` itself when there is no mapping).

    Non-object bodies (raw text of a wrong-content-type probe) pass through. A ``set`` template whose
    field is neither in the body nor in ``defaults`` is left out rather than sent half-filled.
    """
    if mapping is None or not isinstance(body, dict):
        return body
    fields = {name: _translate(mapping, name, value) for name, value in {**mapping.defaults, **body}.items()}
    out: dict[str, Any] = {}
    for name in body:
        if name in mapping.drop:
            continue
        target = mapping.rename.get(name)
        if target is None:
            if mapping.unmapped == "drop":
                continue
            target = f"{mapping.nest}.{name}" if mapping.nest else name
        _put(out, target, copy.deepcopy(fields[name]))
    for path, template in mapping.set.items():
        filled, value = _render(template, fields)
        if filled:
            _put(out, path, value)
    return out


def mapped_path(mapping: RequestMapping | None, json_path: str) -> str:
    """Where the canonical field at ``json_path`` (``$.duration``) lands in the gateway's body."""
    if mapping is None or not json_path.startswith("$.") or json_path == "$":
        return json_path
    name, _, rest = json_path[2:].partition(".")
    if name in mapping.drop or (name not in mapping.rename and mapping.unmapped == "drop"):
        return json_path
    target = mapping.rename.get(name) or (f"{mapping.nest}.{name}" if mapping.nest else name)
    return "$." + target + (f".{rest}" if rest else "")


def _take(body: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Remove and return the value at the dotted ``path`` of ``body``."""
    *parents, leaf = path.split(".")
    node: Any = body
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and leaf in node:
        return True, node.pop(leaf)
    return False, None


def _read_template(template: Any, value: Any, out: dict[str, Any]) -> None:
    """Fill ``out`` from a ``set`` value sent as ``template``: a lone ``"{field}"`` gives the field back."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            out.setdefault(whole.group(1), value)
    elif isinstance(template, list) and isinstance(value, list):
        for item_template, item in zip(template, value, strict=False):
            _read_template(item_template, item, out)
    elif isinstance(template, dict) and isinstance(value, dict):
        for key, item_template in template.items():
            if key in value:
                _read_template(item_template, value[key], out)


def unmap_request(mapping: RequestMapping | None, body: Any) -> Any:
    """The canonical body a gateway's own ``body`` stands for: :func:`map_request` read backwards.

    Renamed fields come back under their canonical names, ``values`` are translated back, ``set``
    constants are removed and the fields kept under ``nest`` come back to the top. What cannot be read
    back (a dropped field, a template such as ``kling-video/{model_name}``) is simply absent.
    """
    if mapping is None or not isinstance(body, dict):
        return body
    rest = copy.deepcopy(body)
    out: dict[str, Any] = {}

    def back(name: str, value: Any) -> Any:
        for canonical, sent in (mapping.values.get(name) or {}).items():
            if sent == value and type(sent) is type(value):
                return canonical
        return value

    for name, target in mapping.rename.items():
        found, value = _take(rest, target)
        if found:
            out[name] = back(name, value)
    for path, template in mapping.set.items():
        found, value = _take(rest, path)
        if found:
            _read_template(template, value, out)
    if mapping.unmapped == "keep":
        kept: Any = rest
        for part in mapping.nest.split(".") if mapping.nest else ():
            kept = kept.get(part) if isinstance(kept, dict) else None
        for name, value in (kept or {}).items() if isinstance(kept, dict) else ():
            out.setdefault(name, back(name, value))
    return out
