"""Reads one gateway document (the text of a gateway's doc page) into a :class:`GatewayDocument`.

The documents are web pages saved as text: a navigation menu, then the operation (method and URL),
its parameters, request examples (after 示例/Example, and the ``--data-raw '...'`` of curl samples),
and the responses (``🟢200成功``, ``🟠404记录不存在``) with their field lists and examples. The reader
walks the lines once, keeps track of the section it is in, and records everything with 1-based line
numbers. A broken example becomes an :class:`ExtractionProblem`; reading goes on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from conformance.docs.model import (
    CurlSample,
    Endpoint,
    ExtractionProblem,
    FieldDoc,
    GatewayDocument,
    RawExample,
    StatusDoc,
)
from conformance.docs.tolerant_json import JsonRepairError, scan_json_block

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FIELD_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")

_STATUS_LINE = re.compile(r"^\s*(?P<emoji>[🟢🟠🔴🟡🔵🟣⚪⚫])?\s*(?P<status>[1-5]\d\d)(?![\d])\s*(?P<label>.*?)\s*$")
_MODIFIED = re.compile(
    r"(?:修改于|最后更新|更新于|Last modified|Modified at|Updated at)\s*[:：]?\s*"
    r"(?P<stamp>\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)",
    re.IGNORECASE,
)
_CURL_START = re.compile(r"^\s*curl\b")
_CURL_METHOD = re.compile(r"(?:--request|-X)\s+['\"]?(?P<method>[A-Z]+)")
_CURL_URL = re.compile(r"(?:^|\s)['\"](?P<url>(?:https?://|/)[^'\"]*)['\"]")
_CURL_DATA = re.compile(r"(?:--data-raw|--data-binary|--data|-d)\s+'")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_TYPE_WORD = re.compile(r"^(?P<type>" + "|".join(FIELD_TYPES) + r")(?:\s*\[.*\])?\s*$", re.IGNORECASE)
_REQUIRED_WORDS = {"必需": True, "必填": True, "required": True, "可选": False, "optional": False}
_EXAMPLE_VALUE = re.compile(r"^(?:示例值|Example value|Example)\s*[:：]\s*(?P<value>.*)$", re.IGNORECASE)
_PARAM_SECTIONS = {
    "path": re.compile(r"^(?:Path\s*参数|Path\s*Params?)\b", re.IGNORECASE),
    "query": re.compile(r"^(?:Query\s*参数|Query\s*Params?)\b", re.IGNORECASE),
    "header": re.compile(r"^(?:Header\s*参数|Header\s*Params?)\b", re.IGNORECASE),
    "body": re.compile(r"^(?:Body\s*参数|Body\s*Params?|Body\s*类型)", re.IGNORECASE),
}
_REQUEST_HEADINGS = re.compile(r"^(?:请求参数|请求示例代码|请求示例|Request|Request Code Samples|Request Example)\s*$")
_RESPONSE_HEADINGS = re.compile(r"^(?:返回响应|返回示例|响应示例|Responses?|Response Example)\s*$")
_EXAMPLE_HEADINGS = re.compile(r"^(?:示例|Example)\s*[:：]?\s*$")


@dataclass
class _State:
    """Where the walk is (private)."""

    section: str = "request"
    params_section: str | None = None
    status_index: int | None = None
    endpoint: Endpoint | None = None
    summary: str | None = None
    modified: list[str] = field(default_factory=list)
    curls: list[CurlSample] = field(default_factory=list)
    examples: list[RawExample] = field(default_factory=list)
    statuses: list[StatusDoc] = field(default_factory=list)
    params: dict[str, list[FieldDoc]] = field(default_factory=dict)
    problems: list[ExtractionProblem] = field(default_factory=list)


def read_document(path: Path) -> GatewayDocument:
    """Read the gateway document at ``path`` (UTF-8 text)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return parse_document(path.name, text.splitlines())


def parse_document(file: str, lines: Sequence[str]) -> GatewayDocument:
    """Read a document given as lines; ``file`` is the name used in provenance and problems."""
    state = _State()
    index = 0
    while index < len(lines):
        index = _step(file, lines, index, state) + 1
    title = next((line.strip() for line in lines if line.strip()), "")
    return GatewayDocument(
        file=file,
        title=title,
        line_count=len(lines),
        modified=max(state.modified) if state.modified else None,
        summary=state.summary,
        endpoint=state.endpoint,
        curls=tuple(state.curls),
        examples=tuple(state.examples),
        statuses=tuple(state.statuses),
        params={name: tuple(fields) for name, fields in sorted(state.params.items())},
        bearer_auth=any("Bearer" in line for line in lines),
        problems=tuple(state.problems),
    )


def _step(file: str, lines: Sequence[str], index: int, state: _State) -> int:
    """Handle the construct starting at ``lines[index]``; return the index of its last line."""
    line = lines[index]
    stripped = line.strip()
    for match in _MODIFIED.finditer(line):
        state.modified.append(match.group("stamp"))
    if not stripped:
        return index
    if _CURL_START.match(line):
        return _read_curl(file, lines, index, state)
    if stripped in HTTP_METHODS and state.endpoint is None:
        target = _next_nonblank(lines, index + 1)
        if target is not None and lines[target].strip().startswith(("http://", "https://", "/")):
            state.endpoint = Endpoint(method=stripped, url=lines[target].strip(), line=index + 1)
            previous = _previous_nonblank(lines, index - 1)
            state.summary = lines[previous].strip() if previous is not None else None
            return target
    status = _status_line(line)
    if status is not None:
        label = re.sub(r"\s*(?:示例|Example)\s*$", "", status.group("label") or "", flags=re.IGNORECASE)
        state.statuses.append(StatusDoc(status=int(status.group("status")), label=label, line=index + 1))
        state.section, state.params_section, state.status_index = "response", None, len(state.statuses) - 1
        return index
    if _REQUEST_HEADINGS.match(stripped):
        state.section, state.status_index = "request", None
        return index
    if _RESPONSE_HEADINGS.match(stripped):
        state.section = "response"
        return index
    for name, pattern in _PARAM_SECTIONS.items():
        if pattern.match(stripped):
            state.params_section = name
            state.section, state.status_index = "request", None
            return index
    if stripped == "application/json" and state.section == "response" and state.status_index is not None:
        current = state.statuses[state.status_index]
        state.statuses[state.status_index] = replace(current, content_type="application/json")
        return index
    if _starts_json(stripped):
        return _read_example(file, lines, index, len(line) - len(line.lstrip()), state, origin=None)
    if _is_field_start(lines, index):
        return _read_field(lines, index, state)
    return index


def _starts_json(stripped: str) -> bool:
    if stripped.startswith("{"):
        return True
    return stripped.startswith("[") and (len(stripped) == 1 or stripped[1] in ' \t{"[]0123456789-')


def _read_example(file: str, lines: Sequence[str], index: int, col: int, state: _State, origin: str | None) -> int:
    """Scan and parse the JSON example starting at (index, col); record it or the problem."""
    direction = "request" if origin == "curl-data-raw" or state.section == "request" else "response"
    try:
        result = scan_json_block(lines, index, col)
    except JsonRepairError as error:
        state.problems.append(ExtractionProblem(file=file, line=error.line, reason=error.reason))
        return max(error.last_line - 1, index) if error.last_line else _skip_json_like(lines, index)
    status = None
    if direction == "response" and state.status_index is not None:
        status = state.statuses[state.status_index].status
    if origin is None:
        origin = "body-example" if direction == "request" else "response-example"
    repairs = result.repairs
    if direction == "response" and status is None:
        status = 200
        repairs = (*repairs, f"no HTTP status documented for the response at line {result.first_line}; 200 assumed")
    state.examples.append(
        RawExample(
            direction=direction,
            origin=origin,
            value=result.value,
            first_line=result.first_line,
            last_line=result.last_line,
            status=status,
            repairs=repairs,
            commented_out=result.commented_out,
        )
    )
    return result.last_line - 1


def _skip_json_like(lines: Sequence[str], index: int) -> int:
    """Index of the last line of a broken block: up to the next blank line."""
    while index + 1 < len(lines) and lines[index + 1].strip():
        index += 1
    return index


def _read_curl(file: str, lines: Sequence[str], index: int, state: _State) -> int:
    """A curl sample: method, URL, and its ``--data-raw '{...}'`` body when there is one."""
    first = index
    command = [lines[index]]
    while lines[index].rstrip().endswith("\\") and index + 1 < len(lines):
        index += 1
        command.append(lines[index])
        data = _CURL_DATA.search(lines[index])
        if data and lines[index][data.end() :].lstrip().startswith(("{", "[")):
            col = data.end() + (len(lines[index][data.end() :]) - len(lines[index][data.end() :].lstrip()))
            before = len(state.examples)
            state.section = "request"
            index = _read_example(file, lines, index, col, state, origin="curl-data-raw")
            joined = " ".join(command)
            state.curls.append(_curl(joined, first, index, has_body=len(state.examples) > before))
            return index
    state.curls.append(_curl(" ".join(command), first, index, has_body=False))
    return index


def _curl(command: str, first: int, last: int, *, has_body: bool) -> CurlSample:
    method_match = _CURL_METHOD.search(command)
    url_match = _CURL_URL.search(command)
    method = method_match.group("method") if method_match else ("POST" if has_body else "GET")
    return CurlSample(
        method=method,
        url=url_match.group("url") if url_match else "",
        first_line=first + 1,
        last_line=last + 1,
        has_body=has_body,
    )


def _is_field_start(lines: Sequence[str], index: int) -> bool:
    """``name`` on one line and a type word (``string``, ``object`` ...) on the next."""
    if not _IDENTIFIER.match(lines[index].strip()) or index + 1 >= len(lines):
        return False
    return bool(_TYPE_WORD.match(lines[index + 1].strip()))


def _read_field(lines: Sequence[str], index: int, state: _State) -> int:
    """A documented field: name, type, then required flag / description / example value lines."""
    name = lines[index].strip()
    type_match = _TYPE_WORD.match(lines[index + 1].strip())
    assert type_match is not None  # guaranteed by _is_field_start
    required: bool | None = None
    description: list[str] = []
    example: str | None = None
    last = index + 1
    cursor = index + 2
    while cursor < len(lines):
        text = lines[cursor].strip()
        if not text or _is_field_start(lines, cursor) or _ends_field(text):
            break
        if text in _REQUIRED_WORDS:
            required = _REQUIRED_WORDS[text]
        elif (value := _EXAMPLE_VALUE.match(text)) is not None:
            example = value.group("value") or None
            if example is None and cursor + 1 < len(lines) and lines[cursor + 1].strip():
                cursor += 1
                example = lines[cursor].strip()
        else:
            description.append(text)
        last = cursor
        cursor += 1
    doc = FieldDoc(
        name=name,
        type=type_match.group("type").lower(),
        line=index + 1,
        required=required,
        description=" ".join(description),
        example=example,
    )
    if state.section == "response" and state.status_index is not None:
        current = state.statuses[state.status_index]
        state.statuses[state.status_index] = replace(current, fields=(*current.fields, doc))
    else:
        state.params.setdefault(state.params_section or "body", []).append(doc)
    return last


def _ends_field(text: str) -> bool:
    """Lines that end a field's description: headings, statuses, examples, code, JSON."""
    return bool(
        _EXAMPLE_HEADINGS.match(text)
        or _REQUEST_HEADINGS.match(text)
        or _RESPONSE_HEADINGS.match(text)
        or any(pattern.match(text) for pattern in _PARAM_SECTIONS.values())
        or text in HTTP_METHODS
        or text.startswith(("{", "[", "curl ", "示例代码"))
        or text in ("Body", "application/json")
        or _status_line(text) is not None
    )


def _status_line(text: str) -> re.Match[str] | None:
    """A response status heading: ``🟢200成功``, ``🟠404记录不存在``, ``200 OK`` (a bare number is not)."""
    match = _STATUS_LINE.match(text)
    if match is None or text.lstrip().startswith(("{", "[")):
        return None
    return match if match.group("emoji") or match.group("label") else None


def _next_nonblank(lines: Sequence[str], index: int) -> int | None:
    while index < len(lines):
        if lines[index].strip():
            return index
        index += 1
    return None


def _previous_nonblank(lines: Sequence[str], index: int) -> int | None:
    while index >= 0:
        if lines[index].strip():
            return index
        index -= 1
    return None
