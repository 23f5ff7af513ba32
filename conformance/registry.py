"""One registry pattern for checks, normalizers and reporters.

A :class:`Registry` maps a unique name to an item. Registering a name twice is a programming error and
raises; looking up an unknown name raises :class:`~conformance.errors.UsageError` with a
"did you mean" suggestion, because names usually come from users (flags, profiles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from conformance.errors import UsageError, did_you_mean

T = TypeVar("T")


class Registry(Generic[T]):
    """A named, ordered collection of plug-in items."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self.version = 0  # bumped on every change, so callers can cache what they derive from the items

    def add(self, name: str, item: T) -> T:
        """Register ``item`` under ``name``; duplicate names raise ``ValueError``."""
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        self.version += 1
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorator(item: T) -> T:
            return self.add(name, item)

        return decorator

    def get(self, name: str) -> T:
        """The item called ``name``; unknown names raise ``UsageError`` listing the valid ones."""
        try:
            return self._items[name]
        except KeyError:
            valid = ", ".join(sorted(self._items))
            raise UsageError(
                f"unknown {self.kind} {name!r}.{did_you_mean(name, self._items)}",
                fix=f"use one of: {valid}",
            ) from None

    def names(self) -> list[str]:
        """Registered names in registration order."""
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        """(name, item) pairs in registration order."""
        return list(self._items.items())

    def remove(self, name: str) -> None:
        """Unregister ``name`` (tests use this to restore a registry)."""
        self._items.pop(name, None)
        self.version += 1

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
