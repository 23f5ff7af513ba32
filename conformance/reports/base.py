"""The reporter contract and the ``REPORTERS`` registry.

A reporter turns a :class:`~conformance.runmodel.RunReport` into the text of one file. Reporters never
see the harness; they read the report only, so a re-render of an old ``report.json`` gives the same
files as the run that wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.registry import Registry
from conformance.runmodel import RunReport


@dataclass(frozen=True, slots=True, kw_only=True)
class Reporter:
    """One output format: its file name inside ``reports/<run-id>/`` and its render function."""

    name: str
    filename: str
    description: str
    render: Callable[[RunReport], str]


REPORTERS: Registry[Reporter] = Registry("reporter")


def reporter(name: str, filename: str) -> Callable[[Callable[[RunReport], str]], Callable[[RunReport], str]]:
    """Register a render function as the reporter ``name`` writing ``filename``; its docstring describes it."""

    def decorator(function: Callable[[RunReport], str]) -> Callable[[RunReport], str]:
        doc = (function.__doc__ or "").strip().splitlines()
        REPORTERS.add(name, Reporter(name=name, filename=filename, description=doc[0] if doc else "", render=function))
        return function

    return decorator
