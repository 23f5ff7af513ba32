"""The built-in check catalog as pytest items: ``test_conformance[<gateway>-<check>]``.

The catalog is run once per session (shared by xdist workers, see :mod:`conformance.pytest_kling.shared`)
at the first item's setup, not at collection, so ``--collect-only`` stays instant. Each item maps the
results of its (gateway, check) to a pytest outcome:

- any ``fail`` → failed, listing operation, JSON path, expected, actual, message, exchange and evidence;
- else any ``error`` → error (raised during setup), with the cause;
- else any ``waived`` → xfail, with the profile departure's reason;
- else only ``skipped`` → skipped, with the reason (budget, not documented, not supported, no evidence);
- else → passed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from conformance.pytest_kling.settings import KlingSettings

NODE_NAME = "kling-conformance"


class CatalogError(Exception):
    """The harness could not judge a check (an ``error`` result), or the catalog run itself failed."""


class CatalogCollector(pytest.Collector):
    """The parent node of the catalog items (``kling-conformance::test_conformance[...]``)."""

    def collect(self) -> list[pytest.Item]:
        """Items are added by the plugin at collection time; nothing to collect from disk."""
        return []


class CatalogItem(pytest.Item):
    """One (gateway, check) of the built-in catalog."""

    def __init__(self, *, gateway: str, check: str, description: str, runner: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gateway = gateway
        self.check = check
        self.description = description
        self.runner = runner
        self._results: list[dict[str, Any]] = []

    def setup(self) -> None:
        """Run (or read) the session's catalog report; an ``error`` result is raised here (pytest: error)."""
        report = self.runner()
        if "error" in report:
            raise CatalogError(f"the conformance run could not start: {report['error']}")
        self._results = [
            r for r in report.get("results", []) if r.get("gateway") == self.gateway and r.get("check") == self.check
        ]
        outcomes = {r.get("outcome") for r in self._results}
        if "error" in outcomes and "fail" not in outcomes:
            raise CatalogError(
                _describe(self.gateway, self.check, [r for r in self._results if r.get("outcome") == "error"])
            )

    def runtest(self) -> None:
        """Map the results to pass / fail / xfail / skip."""
        results = self._results
        outcomes = [r.get("outcome") for r in results]
        if not results:
            _skip(f"no evidence: the run produced no result for {self.check} on {self.gateway}")
        failed = [r for r in results if r.get("outcome") == "fail"]
        if failed:
            raise CheckFailed(_describe(self.gateway, self.check, failed))
        waived = [r for r in results if r.get("outcome") == "waived"]
        if waived:
            reasons = sorted({str(r.get("reason") or r.get("message") or "known departure") for r in waived})
            pytest.xfail("waived: " + "; ".join(reasons))
        if all(o == "skipped" for o in outcomes):
            reasons = sorted({str(r.get("reason") or "skipped") for r in results})
            _skip(", ".join(reasons))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        """The check's own description of the failure (no traceback into the plugin)."""
        if isinstance(excinfo.value, CheckFailed | CatalogError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def _repr_failure_py(self, excinfo: Any, style: Any = None) -> Any:
        """Setup errors (``error`` results) are shown as the check's description, without a traceback."""
        if isinstance(excinfo.value, CatalogError):
            return str(excinfo.value)
        return super()._repr_failure_py(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Location shown in reports."""
        return self.path, 0, f"{self.gateway}: {self.check} — {self.description}"


def _skip(reason: str) -> None:
    """Skip reported at the item (``kling-conformance::test_conformance[...]``), not inside the plugin."""
    raise pytest.skip.Exception(reason, _use_item_location=True)


class CheckFailed(AssertionError):
    """A catalog check failed on the gateway."""


def _describe(gateway: str, check: str, results: list[dict[str, Any]]) -> str:
    lines = [f"{check} on {gateway}: {len(results)} result(s)"]
    for r in results[:10]:
        evidence = r.get("evidence") or {}
        where = " ".join(x for x in (r.get("operation") or "", r.get("json_path") or "") if x)
        lines.append(f"- [{r.get('outcome')}] {where}: {r.get('message') or r.get('reason') or ''}".rstrip())
        if r.get("expected") is not None or r.get("actual") is not None:
            lines.append(f"    expected: {r.get('expected')!r}  actual: {r.get('actual')!r}")
        if r.get("exchange_ref"):
            lines.append(f"    exchange: {r.get('exchange_ref')}")
        lines.append(f"    evidence: {evidence.get('kind', '')} {evidence.get('source', '')}".rstrip())
    if len(results) > 10:
        lines.append(f"... and {len(results) - 10} more")
    return "\n".join(lines)


def catalog_check_ids() -> list[tuple[str, str]]:
    """(check id, description) of every registered check, in catalog order."""
    from conformance.checks import load_builtin_checks

    return [(spec.id, spec.description) for _, spec in load_builtin_checks().items()]


def catalog_cassettes(settings: KlingSettings, gateways: list[str]) -> Path | None:
    """Where the catalog's cassettes are: the user's ``cassettes`` folder when it holds catalog recordings
    (``kling-conformance run --mode record --cassettes DIR``) or when recording, else the bundled ones."""
    root = settings.cassettes if settings.cassettes is not None else settings.rootdir / "cassettes"
    if settings.mode == "record":
        return root
    for gateway in gateways:
        folder = root / gateway
        if folder.is_dir() and any(not f.name.startswith("user.") for f in folder.glob("*.yaml")):
            return root
    return None


def run_catalog(
    settings: KlingSettings, remaining_budget: int | None, gateways: list[str], *, store: Any = None
) -> dict[str, Any]:
    """Run the harness for ``gateways`` as ``settings`` say; the report as a dict (or ``{"error": ...}``).

    ``store`` (a :class:`conformance.harness.budget.SlotStore`) is where the run counts the tasks it may create.
    """
    from conformance.errors import UsageError
    from conformance.harness.options import RunOptions
    from conformance.harness.runner import execute_run

    options = RunOptions(
        gateways=list(gateways),
        profile_paths=list(settings.profiles),
        mode=settings.mode,
        emulator=settings.emulator,
        base_url=settings.base_url,
        max_paid_tasks=remaining_budget,
        budget_store=store,
        cassettes_dir=catalog_cassettes(settings, gateways),
        write_report=False,
        quiet=True,
    )
    try:
        report = asyncio.run(execute_run(options))
    except UsageError as exc:
        return {"error": exc.render()}
    data: dict[str, Any] = report.to_dict()
    return data
