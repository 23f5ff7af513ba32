"""Plain data produced while reading one gateway document (no I/O, no parsing here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.docs.tolerant_json import CommentedOut


@dataclass(frozen=True, slots=True)
class ExtractionProblem:
    """An example (or a whole document) that could not be read: document file name, 1-based line, why."""

    file: str
    line: int
    reason: str

    def render(self) -> str:
        """``000_x.txt:151: reason``."""
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The method and URL a document declares for its operation (``POST`` + ``https://host/kling/v1/...``)."""

    method: str
    url: str
    line: int

    @property
    def host(self) -> str | None:
        """The host of an absolute URL, else ``None``."""
        return url_host(self.url)

    @property
    def path(self) -> str:
        """The URL path (without scheme, host and query string)."""
        return url_path(self.url)


def url_host(url: str) -> str | None:
    """Host of an absolute URL (``None`` for a bare path)."""
    return urlsplit(url).hostname or None


def url_path(url: str) -> str:
    """Path of a URL or bare path, without query string; ``/`` when empty."""
    return urlsplit(url).path or "/"


@dataclass(frozen=True, slots=True)
class CurlSample:
    """A ``curl`` request sample: its method, URL, line range and whether it carries a JSON body."""

    method: str
    url: str
    first_line: int
    last_line: int
    has_body: bool


@dataclass(frozen=True, slots=True)
class FieldDoc:
    """One documented field or parameter (``code`` / ``string`` / ``必需``)."""

    name: str
    type: str
    line: int
    required: bool | None = None
    description: str = ""
    example: str | None = None


@dataclass(frozen=True, slots=True)
class StatusDoc:
    """A documented response status (``🟢200成功``, ``🟠404记录不存在``) and its field list, if any."""

    status: int
    label: str
    line: int
    content_type: str | None = None
    fields: tuple[FieldDoc, ...] = ()


@dataclass(frozen=True, slots=True)
class RawExample:
    """A JSON example found in a document.

    ``direction`` is ``request`` or ``response``; ``origin`` is ``body-example`` (a request body
    after 示例/Example), ``curl-data-raw`` (the body of a curl sample) or ``response-example``.
    ``status`` is the documented HTTP status for responses.
    """

    direction: str
    origin: str
    value: Any
    first_line: int
    last_line: int
    status: int | None = None
    repairs: tuple[str, ...] = ()
    commented_out: tuple[CommentedOut, ...] = ()


@dataclass(frozen=True, slots=True)
class GatewayDocument:
    """Everything read from one gateway document, with line numbers; never the raw text."""

    file: str
    title: str
    line_count: int
    modified: str | None = None
    summary: str | None = None
    endpoint: Endpoint | None = None
    curls: tuple[CurlSample, ...] = ()
    examples: tuple[RawExample, ...] = ()
    statuses: tuple[StatusDoc, ...] = ()
    params: dict[str, tuple[FieldDoc, ...]] = field(default_factory=dict)
    bearer_auth: bool = False
    problems: tuple[ExtractionProblem, ...] = ()

    def primary_request(self) -> tuple[str, str] | None:
        """(method, URL) of the documented operation: the declared endpoint, else the first curl sample."""
        if self.endpoint is not None:
            return self.endpoint.method, self.endpoint.url
        if self.curls:
            return self.curls[0].method, self.curls[0].url
        return None
