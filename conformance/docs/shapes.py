"""The documented response shape of an example body, and path helpers over examples and schemas.

The shape ids are the project's (``conformance.normalize.result.Shape`` values). The docs layer sits
above the normalizer, so it carries its own small classifier for the bodies documents show; a test
keeps it in agreement with ``conformance.normalize.normalize`` on every documented example.
"""

from __future__ import annotations

from typing import Any

from conformance.jsonpath import json_type, lookup

#: The official task status words, in lifecycle order.
KLING_STATUSES = ("submitted", "processing", "succeed", "failed")


def classify_shape(body: Any) -> str:
    """Shape id of a documented JSON body (``kling``, ``flat-task``, ``empty``, ...)."""
    if body is None or body == {} or body == "" or body == []:
        return "empty"
    if not isinstance(body, dict):
        return "unknown"
    code = body.get("code")
    if "code" in body and isinstance(code, int) and not isinstance(code, bool):
        return "kling" if code == 0 else "kling-error"
    if isinstance(code, str):
        return "newapi-task" if code == "success" else "newapi-error"
    obj = body.get("object")
    if (isinstance(obj, str) and obj.startswith("video")) or {"id", "status", "progress"} <= body.keys():
        return "openai-video"
    if "task_id" in body and "status" in body:
        return "flat-task"
    if isinstance(body.get("error"), dict):
        return "openai-error"
    return "unknown"


def find_key(body: Any, name: str) -> str | None:
    """The shortest path whose last key is ``name`` (breadth first), or ``None``."""
    queue: list[tuple[str, Any]] = [("$", body)]
    while queue:
        path, value = queue.pop(0)
        if isinstance(value, dict):
            for key, child in value.items():
                if key == name:
                    return f"{path}.{key}"
                queue.append((f"{path}.{key}", child))
        elif isinstance(value, list) and value:
            queue.append((f"{path}[0]", value[0]))
    return None


def status_word(body: Any) -> tuple[str, str] | None:
    """(path, word) of the task status a documented body shows, if any."""
    for path in ("$.data.task_status", "$.data.status", "$.task_status", "$.status"):
        found, value = lookup(body, path)
        if found and isinstance(value, str):
            return path, value
    return None


def schema_types_at(schema: Any, parts: list[str | int]) -> set[str] | None:
    """The JSON types a (``$ref``-free) schema allows at ``parts``; ``None`` when unconstrained."""
    if not isinstance(schema, dict):
        return None
    constraints: list[set[str] | None] = []
    if not parts:
        constraints.append(_own_types(schema))
    else:
        head, rest = parts[0], parts[1:]
        child = schema.get("items") if isinstance(head, int) else (schema.get("properties") or {}).get(head)
        if child is not None:
            constraints.append(schema_types_at(child, rest))
    constraints.extend(schema_types_at(sub, parts) for sub in schema.get("allOf") or [])
    for keyword in ("anyOf", "oneOf"):
        branches = [schema_types_at(sub, parts) for sub in schema.get(keyword) or []]
        if branches:
            union: set[str] | None = set()
            for branch in branches:
                union = None if branch is None or union is None else union | branch
            constraints.append(union)
    known = [c for c in constraints if c is not None]
    if not known:
        return None
    result = set(known[0])
    for other in known[1:]:
        result &= other
    return result


def _own_types(schema: dict[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(t) for t in declared}
    if "const" in schema:
        return {json_type(schema["const"])}
    if isinstance(schema.get("enum"), list):
        return {json_type(value) for value in schema["enum"]}
    return None


def schema_annotation_at(schema: Any, parts: list[str | int], keyword: str) -> str | None:
    """The first value of annotation ``keyword`` (``x-kling-uncertain``) on the schemas at ``parts``."""
    if not isinstance(schema, dict):
        return None
    if not parts and isinstance(schema.get(keyword), str):
        return str(schema[keyword])
    if parts:
        head, rest = parts[0], parts[1:]
        child = schema.get("items") if isinstance(head, int) else (schema.get("properties") or {}).get(head)
        found = schema_annotation_at(child, rest, keyword)
        if found is not None:
            return found
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combinator) or []:
            found = schema_annotation_at(sub, parts, keyword)
            if found is not None:
                return found
    return None


def type_compatible(documented: str, allowed: set[str] | None) -> bool:
    """Whether a documented type fits the canonical types (``integer`` fits ``number``)."""
    if allowed is None or documented in allowed:
        return True
    return documented == "integer" and "number" in allowed
