"""Route tables per profile: which operation a method and path (below the gateway mount) address."""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.profiles.model import GatewayProfile, OperationProfile

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SEGMENT = {"task_id": r"[^/]+", "action": r"images|videos|audio", "action2": r"[A-Za-z0-9_-]+"}


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A matched route: the operation (``None`` when the path exists but not for this method)."""

    operation: OperationProfile | None
    task_id: str = ""
    path_exists: bool = True


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    method: str
    operation: OperationProfile
    generic: bool  # {action2} names the family: resolve the operation from it


def _compile(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name = match[1]
        parts.append(f"(?P<{name}>{_SEGMENT.get(name, '[^/]+')})")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + "/?$")


class RouteTable:
    """Exact paths in a dict (create, list), ``.../{task_id}`` by prefix, other templates by regex."""

    def __init__(self, profile: GatewayProfile) -> None:
        self._profile = profile
        self._exact: dict[tuple[str, str], OperationProfile] = {}
        self._by_prefix: dict[tuple[str, str], OperationProfile] = {}
        self._patterns: list[_Pattern] = []
        self._paths: set[str] = set()
        for operation in profile.operations.values():
            for template in (operation.path, *operation.path_variants):
                self._add(operation, template)

    def _add(self, operation: OperationProfile, template: str) -> None:
        method = operation.method.upper()
        names = _PLACEHOLDER.findall(template)
        if not names:
            self._exact.setdefault((method, template.rstrip("/")), operation)
            self._paths.add(template.rstrip("/"))
        elif names == ["task_id"] and template.endswith("/{task_id}"):
            prefix = template[: -len("/{task_id}")]
            self._by_prefix.setdefault((method, prefix), operation)
            self._paths.add(prefix + "/*")
        else:
            if any(p.regex.pattern == _compile(template).pattern and p.method == method for p in self._patterns):
                return
            self._patterns.append(_Pattern(_compile(template), method, operation, "action2" in names))

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route for ``method path``; ``None`` when the gateway has no such path at all."""
        method = "GET" if method == "HEAD" else method
        path = path.rstrip("/") or "/"
        found = self._exact.get((method, path))
        if found is not None:
            return RouteMatch(found)
        prefix, _, last = path.rpartition("/")
        found = self._by_prefix.get((method, prefix))
        if found is not None and last:
            return RouteMatch(found, task_id=last)
        for pattern in self._patterns:
            hit = pattern.regex.match(path)
            if hit is None or pattern.method != method:
                continue
            operation = pattern.operation
            if pattern.generic:
                family = hit.group("action2").rsplit("/", 1)[-1]
                resolved = self._profile.operation(f"{family}.{operation.kind}")
                if resolved is None:
                    continue
                operation = resolved
            return RouteMatch(operation, task_id=hit.groupdict().get("task_id") or "")
        if path in self._paths or f"{prefix}/*" in self._paths or any(p.regex.match(path) for p in self._patterns):
            return RouteMatch(None)
        return None
