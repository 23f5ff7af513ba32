"""The reporter contract and the ``REPORTERS`` registry.

A reporter turns a :class:`~conformance.runmodel.RunReport` into the text of one file. Reporters never
see the harness; they read the report only, so a re-render of an old ``report.json`` gives the same
files as the run that wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    #: The same text in pieces (``"".join(stream(report)) == render(report)``), so that a writer never needs
    #: the whole text of a large report in memory; ``None`` when the format is only rendered whole.
    stream: Callable[[RunReport], Iterable[str]] | None = None

    def pieces(self, report: RunReport) -> Iterable[str]:
        """The file's text in pieces: :attr:`stream` when the format has it, else the whole render."""
        return self.stream(report) if self.stream is not None else (self.render(report),)


REPORTERS: Registry[Reporter] = Registry("reporter")


def reporter(
    name: str, filename: str, *, stream: Callable[[RunReport], Iterable[str]] | None = None
) -> Callable[[Callable[[RunReport], str]], Callable[[RunReport], str]]:
    """Register a render function as the reporter ``name`` writing ``filename``; its docstring describes it.

    ``stream`` yields the same text in pieces (the writer streams it to disk piece by piece)."""

    def decorator(function: Callable[[RunReport], str]) -> Callable[[RunReport], str]:
        doc = (function.__doc__ or "").strip().splitlines()
        REPORTERS.add(
            name,
            Reporter(name=name, filename=filename, description=doc[0] if doc else "", render=function, stream=stream),
        )
        return function

    return decorator
