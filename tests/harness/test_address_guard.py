"""The fetch guard classifies hosts by what they resolve to and refuses internal, file: and relative URLs.

No traffic leaves loopback: "private" and "public" hosts are simulated with a resolver hook.
"""

from __future__ import annotations

import pytest

from conformance.fuzz.options import is_loopback_url as fuzz_loopback
from conformance.harness.address_guard import (
    PRIVATE_FINDING,
    AddressClass,
    FetchPolicy,
    check_fetch,
    check_redirect,
    classify_host,
    is_loopback_url,
    use_resolver,
)
from conformance.harness.options import is_loopback

FAKE_DNS = {
    "cdn.example": ["93.184.216.34"],
    "metadata.example": ["169.254.169.254"],
    "intranet.example": ["10.1.2.3"],
    "mixed.example": ["93.184.216.34", "192.168.1.1"],
    "sneaky.example": ["127.0.0.1"],
}


def _resolve(host: str) -> list[str]:
    return FAKE_DNS.get(host, [])


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", AddressClass.LOOPBACK),
        ("::1", AddressClass.LOOPBACK),
        ("169.254.169.254", AddressClass.PRIVATE),
        ("10.0.0.1", AddressClass.PRIVATE),
        ("100.64.0.1", AddressClass.PRIVATE),
        ("fd00::1", AddressClass.PRIVATE),
        ("0.0.0.0", AddressClass.PRIVATE),
        ("::ffff:10.0.0.1", AddressClass.PRIVATE),
        ("8.8.8.8", AddressClass.PUBLIC),
        ("cdn.example", AddressClass.PUBLIC),
        ("metadata.example", AddressClass.PRIVATE),
        ("mixed.example", AddressClass.PRIVATE),
        ("sneaky.example", AddressClass.LOOPBACK),
        ("127.evil.example", AddressClass.UNRESOLVED),
    ],
)
def test_hosts_are_classified_by_what_they_resolve_to(host: str, kind: AddressClass) -> None:
    with use_resolver(_resolve):
        assert classify_host(host) is kind


def test_loopback_means_resolves_to_loopback_not_looks_like_it() -> None:
    with use_resolver(_resolve):
        for check in (is_loopback_url, is_loopback, fuzz_loopback):
            assert check("http://127.0.0.1:8080/kling")
            assert check("http://[::1]:9/")
            assert check("http://sneaky.example/")
            assert not check("https://127.evil.example")
            assert not check("https://127.0.0.1.evil.example/")
            assert not check("https://cdn.example/")
            assert not check("ftp://127.0.0.1/")


def test_real_localhost_is_loopback() -> None:
    assert is_loopback_url("http://localhost:1234/x")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/video.mp4",
        "http://metadata.example/v.mp4",
        "http://127.0.0.1:22/",
        "http://localhost:6379/",
        "file:///etc/passwd",
        "/relative/video.mp4",
        "video.mp4",
        "data:video/mp4;base64,AAAA",
        "http://127.evil.example/v.mp4",
    ],
)
def test_internal_file_and_relative_result_urls_are_refused(url: str) -> None:
    policy = FetchPolicy(gateway_url="https://gateway.example/kling")
    with use_resolver(_resolve):
        refusal = check_fetch(url, policy)
    assert refusal is not None, url
    assert str(refusal).startswith("refused: ")


def test_private_result_url_is_named_as_the_finding() -> None:
    with use_resolver(_resolve):
        refusal = check_fetch("http://10.0.0.5/v.mp4", FetchPolicy(gateway_url="https://gw.example"))
    assert refusal is not None and refusal.finding == PRIVATE_FINDING


def test_public_allowed_and_own_loopback_origin_urls_are_fetched() -> None:
    with use_resolver(_resolve):
        assert check_fetch("https://cdn.example/v.mp4", FetchPolicy(gateway_url="https://gw.example")) is None
        allowed = FetchPolicy(allowed_hosts=frozenset({"intranet.example"}))
        assert check_fetch("http://intranet.example/v.mp4", allowed) is None
        emulator = FetchPolicy(gateway_url="http://127.0.0.1:8123/newapi")
        assert check_fetch("http://127.0.0.1:8123/media/x.mp4", emulator) is None
        assert check_fetch("http://127.0.0.1:8124/media/x.mp4", emulator) is not None  # another local port


def test_redirects_never_change_address_class() -> None:
    policy = FetchPolicy(gateway_url="https://cdn.example")
    with use_resolver(_resolve):
        assert check_redirect("https://cdn.example/a", "https://cdn.example/b", policy) is None
        assert check_redirect("https://cdn.example/a", "https://8.8.8.8/b", policy) is None
        assert check_redirect("https://cdn.example/a", "http://169.254.169.254/", policy) is not None
        assert check_redirect("https://cdn.example/a", "http://127.0.0.1:9/", policy) is not None
        assert check_redirect("http://127.0.0.1:9/a", "https://cdn.example/", policy) is not None
        assert check_redirect("https://cdn.example/a", "file:///etc/passwd", policy) is not None


def test_system_resolver_asks_once_per_host_within_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of profiles on one host cost one lookup (a failing lookup can take 0.16 s each), and the
    answer is asked again once the TTL has passed."""
    from conformance.harness import address_guard

    asked: list[str] = []

    def fake_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        raise OSError("no network")

    monkeypatch.setattr(address_guard, "_resolved", {})
    monkeypatch.setattr(address_guard.socket, "getaddrinfo", fake_getaddrinfo)
    for _ in range(512):
        assert address_guard.classify_host("gw.cache-test.example") is address_guard.AddressClass.UNRESOLVED
    assert asked == ["gw.cache-test.example"]
    clock = [address_guard.time.monotonic() + address_guard.RESOLVE_TTL_SECONDS + 1]
    monkeypatch.setattr(address_guard.time, "monotonic", lambda: clock[0])
    address_guard.classify_host("gw.cache-test.example")
    assert asked == ["gw.cache-test.example"] * 2
