"""The hostile-response corpus: bad answers a gateway can give, each as an emulator fault plan.

A case names the fault (``{gw}`` is replaced by the target gateway), or a target URL that is not a
plain emulator (a TLS client talking to a plain-HTTP port, a port nobody listens on), and a regular
expression that the message of at least one ``fail``/``error`` result of that gateway must match:
the report has to *name* the problem, not merely notice that something went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HostileCase:
    """One bad response (or family of responses) and how the report must name it."""

    id: str
    faults: str
    names: str  # regex over finding messages (case-insensitive)
    target: str = ""  # "tls" | "refused" | "" (the emulator)
    gap: str = ""  # non-empty: the tool does not name this problem yet (strict xfail; tell the lead)


def _case(id: str, faults: str, names: str, **kw: str) -> HostileCase:
    return HostileCase(id=id, faults=faults, names=names, **kw)


CORPUS: tuple[HostileCase, ...] = (
    # HTML and error pages
    _case("html-500", "html500@{gw}", r"HTTP 500"),
    _case("html-502", "html502@{gw}", r"HTTP 502"),
    _case("html-503", "html503@{gw}", r"HTTP 503"),
    _case("html-200-portal", "html200@{gw}", r"not-json|not JSON|html"),
    # Broken JSON
    _case("truncated-json", "truncated@{gw}", r"not-json|not JSON|truncated"),
    _case("invalid-utf8", "invalid-utf8@{gw}", r"not JSON|utf-?8|not-json"),
    _case("lone-surrogate", "lone-surrogate@{gw}", r"not JSON|surrogate|not-json|unknown"),
    _case("nan-literals", "nan-number@{gw}", r"not JSON|not-json|NaN"),
    _case("bom-prefix", "bom-json@{gw}", r"not JSON|not-json|BOM|byte.order"),
    _case("trailing-garbage", "trailing-garbage@{gw}", r"not JSON|not-json|trailing"),
    _case("huge-number-1e400", "huge-number@{gw}", r"1e400|inf|out of range|not JSON|unknown"),
    _case("duplicate-keys", "duplicate-keys@{gw}", r"duplicate"),
    # Wrong JSON types at the top
    _case("json-array", "json-array@{gw}", r"unknown|array"),
    _case("json-null", "json-null@{gw}", r"null|unknown|not an object"),
    _case("json-bare-string", "json-string@{gw}", r"unknown|string|not an object"),
    _case("json-bare-number", "json-number@{gw}", r"unknown|number|not an object"),
    # Size and depth
    _case("body-50mb", "big-body@{gw}=#2:50MB", r"cap"),
    _case("body-2mb-over-cap", "big-body@{gw}=#2:2MB", r"cap"),
    _case("nesting-10000", "deep-nesting@{gw}=#2:10000", r"nest|deep|depth|not JSON|unknown"),
    _case("nesting-100000", "deep-nesting@{gw}=#2:100000", r"nest|deep|depth|not JSON|unknown"),
    _case("gzip-bomb-64mb", "gzip-bomb@{gw}=#2:64MB", r"cap|gzip|not JSON|not-json"),
    _case("latency-beyond-read-cap", "latency@{gw}=#2:4s", r"timeout|no response"),
    # Headers and framing
    _case("wrong-content-type", "wrong-content-type@{gw}", r"Content-Type"),
    _case("gzip-label-plain-body", "gzip-plain@{gw}", r"gzip|Content-Encoding"),
    _case("empty-200", "empty@{gw}", r"empty"),
    _case("no-content-204", "no-content@{gw}", r"204"),
    _case("status-299", "status-299@{gw}", r"299"),
    _case("short-content-length", "short-body@{gw}", r"connection|mid-body|incomplete"),
    _case("redirect-loop", "redirect-loop@{gw}", r"redirect"),
    # Time and connections
    _case("slow-drip", "slow-drip@{gw}=#2:6s", r"time cap|timeout|still arriving|truncated|not JSON"),
    _case("endless-body", "endless@{gw}=#2:30s", r"time cap|timeout|still arriving|truncated|not JSON"),
    _case("reset-mid-body", "reset@{gw}", r"reset|connection|mid-body|not JSON|not-json"),
    _case("tls-to-plain-http", "", r"SSL|TLS|connect|transport", target="tls"),
    _case("connection-refused", "", r"connect|refused|transport", target="refused"),
    # Rate limiting
    _case("429-no-retry-after", "rate-limit@{gw}:none", r"429"),
    _case("429-retry-after-99999", "rate-limit@{gw}:99999", r"429"),
    _case("429-retry-after-garbage", "retry-after-garbage@{gw}", r"429"),
    _case("429-retry-after-negative", "retry-after-negative@{gw}", r"429"),
    _case("503-retry-after-2099", "retry-after-far-date@{gw}", r"503"),
    # Lifecycle lies
    _case("status-word-unseen", "status-unseen@{gw}", r"paused_by_operator"),
    _case("task-goes-backwards", "backwards@{gw}=%2", r"went back|terminal .* changed"),
    _case("task-id-changes", "id-change@{gw}", r"id"),
    _case("result-url-404", "result-404@{gw}", r"404"),
    _case("success-without-urls", "no-result-urls@{gw}", r"URL"),
    # Field types
    _case("code-as-string", "code-as-string@{gw}", r"code"),
    _case("data-null", "data-null@{gw}", r"data|task id|null"),
    _case("task-id-as-number", "id-as-number@{gw}", r"task_id|task id"),
    _case("timestamps-in-seconds", "seconds-timestamps@{gw}", r"second|timestamp|ms"),
)
