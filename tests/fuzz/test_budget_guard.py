"""The money guard: fuzzing a non-loopback host needs --max-paid-tasks, unless only invalid requests are sent."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.errors import UsageError
from conformance.fuzz.options import FuzzOptions, is_loopback_url, paid_budget


def test_cli_refuses_a_real_host_without_a_budget_and_sends_nothing(no_network: list[str], cli: Any) -> None:
    code, output = cli(["fuzz", "--gateway", "yibuapi", "--max-examples", "2"])
    assert code == 2
    assert "--max-paid-tasks" in output and "yibuapi.com" in output
    assert no_network == []


def test_cli_refuses_an_explicit_non_loopback_base_url(no_network: list[str], cli: Any) -> None:
    code, output = cli(
        ["fuzz", "--gateway", "kling-official", "--base-url", "https://staging.example.com/kling", "--mode", "positive"]
    )
    assert code == 2 and "--max-paid-tasks" in output
    assert no_network == []


@pytest.mark.parametrize("url", ["https://yibuapi.com", "http://10.0.0.5:8080/kling", "https://[2001:db8::1]/"])
def test_positive_fuzzing_of_a_real_host_requires_a_cap(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        paid_budget(FuzzOptions(gateway="yibuapi", mode="all"), url)
    assert caught.value.where == "--max-paid-tasks"
    assert paid_budget(FuzzOptions(gateway="yibuapi", mode="all", max_paid_tasks=3), url) == 3


def test_negative_only_fuzzing_of_a_real_host_needs_a_cap_too() -> None:
    """An invalid request that a lax gateway accepts creates (and bills) a task like a valid one."""
    with pytest.raises(UsageError) as caught:
        paid_budget(FuzzOptions(gateway="yibuapi", mode="negative"), "https://yibuapi.com")
    assert caught.value.where == "--max-paid-tasks"
    assert paid_budget(FuzzOptions(gateway="yibuapi", mode="negative", max_paid_tasks=2), "https://yibuapi.com") == 2


@pytest.mark.parametrize("value", [-1, 2**64, 10**7])
def test_absurd_budgets_are_usage_errors(value: int) -> None:
    with pytest.raises(UsageError):
        FuzzOptions(gateway="kling-official", emulator=True, max_paid_tasks=value).validate()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost/kling", "http://[::1]:9/", "http://127.8.0.1"]
)
def test_loopback_is_free_and_unlimited_by_default(url: str) -> None:
    assert is_loopback_url(url)
    assert paid_budget(FuzzOptions(gateway="kling-official", mode="all"), url) is None
    assert paid_budget(FuzzOptions(gateway="kling-official", mode="all", max_paid_tasks=2), url) == 2


def test_the_budget_caps_accepted_positive_creates_on_the_emulator() -> None:
    from conformance.fuzz.engine import FuzzStats, run_fuzz

    stats = FuzzStats()
    report = run_fuzz(
        FuzzOptions(
            gateway="kling-official",
            emulator=True,
            mode="positive",
            max_examples=4,
            max_paid_tasks=1,
            operations=["text2video"],
            write_report=False,
            seed=2,
        ),
        stats=stats,
    )
    assert stats.positive_sent == 1 and stats.paid_tasks_used == 1 and stats.skipped_budget >= 1
    assert report.meta.budget["max_paid_tasks"] == 1 and report.meta.budget["paid_tasks_used"] == 1


def test_bad_options_are_usage_errors() -> None:
    for options in (
        FuzzOptions(gateway="x", mode="both"),
        FuzzOptions(gateway="x", max_examples=0),
        FuzzOptions(gateway="x", emulator=True, base_url="http://127.0.0.1:1"),
        FuzzOptions(gateway="x", base_url="ftp://host"),
    ):
        with pytest.raises(UsageError):
            options.validate()
