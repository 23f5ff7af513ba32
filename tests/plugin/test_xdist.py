"""Under pytest-xdist (-n 2) the catalog runs once per session and the paid-task budget is shared."""

from __future__ import annotations

import pytest
from pytest import Pytester

COUNTING_CONFTEST = """
import os
import conformance.pytest_kling.catalog as catalog

_real = catalog.run_catalog

def _counting(*args, **kwargs):
    with open(os.path.join(os.path.dirname(__file__), "catalog-runs.txt"), "a") as fh:
        fh.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")
    return _real(*args, **kwargs)

catalog.run_catalog = _counting
"""

TWO_PAID_TASKS = """
BODY = {"model_name": "kling-v1", "prompt": "a lighthouse at dusk", "mode": "std", "duration": "5"}

def test_first(kling_task):
    assert kling_task("text2video", BODY).status.value == "succeed"

def test_second(kling_task):
    assert kling_task("text2video", BODY).status.value == "succeed"
"""


@pytest.mark.slow
def test_catalog_runs_once_and_budget_is_shared_across_two_workers(pytester: Pytester) -> None:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makepyfile(test_paid=TWO_PAID_TASKS)
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        "-rs",
        "--kling-gateway",
        "kling-official",
        "--kling-emulator",
        "--kling-max-paid-tasks",
        "1",
        "-k",
        "test_first or test_second or doc_example or minimal_request",
        timeout=240,
    )
    outcomes = result.parseoutcomes()
    # Two user tests want a paid task each; the cap of 1 is shared by both workers: one runs, one is skipped.
    # (The catalog runs against the emulator too and may spend the cap first; then both user tests skip.)
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 1
    assert "budget" in result.stdout.str()
    runs = (pytester.path / "catalog-runs.txt").read_text().split()
    assert len(runs) == 1, runs
    assert runs[0].startswith("gw")


@pytest.mark.slow
def test_budget_counter_is_atomic_across_workers(pytester: Pytester) -> None:
    pytester.makepyprojecttoml("[tool.kling-conformance]\ncatalog = false\n")
    pytester.makepyfile(test_paid=TWO_PAID_TASKS)
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        "-rs",
        "--kling-gateway",
        "kling-official",
        "--kling-emulator",
        "--kling-max-paid-tasks",
        "1",
        timeout=240,
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*budget*"])
