"""Sharding end to end: the bundled replay run unsharded equals ``--shard 1/2`` + ``--shard 2/2`` merged.

Runs the real CLI in-process (``kling-conformance run`` with no flags but a reports folder, then
``kling-conformance merge``), so the plan's shard split, the judge, the observations and the merge are
all exercised on the bundled cassettes of every built-in gateway.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.emulator.coverage import emulable_builtin_ids
from conformance.errors import UsageError

Row = tuple[str, ...]


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output  # 1 = findings, which the bundled gateways have
    assert "Traceback" not in result.output


def _report(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "latest" / "report.json").read_text(encoding="utf-8"))
    return data


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _results(report: dict[str, Any]) -> Counter[Row]:
    return Counter(
        (
            r["gateway"],
            r["check"],
            r["operation"],
            r.get("subject", ""),
            r["outcome"],
            _dump(r["evidence"]),
            r["reason"],
            r["message"],
            r["exchange_ref"],
        )
        for r in report["results"]
    )


def _observations(report: dict[str, Any]) -> Counter[Row]:
    return Counter(
        (o["gateway"], o["operation"], o["key"], _dump(o["value"]), _dump(o["evidence"]))
        for o in report["observations"]
    )


@pytest.fixture(scope="module")
def shard_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the runs of this module are written."""
    return tmp_path_factory.mktemp("shards")


@pytest.fixture(scope="module")
def runs(shard_root: Path) -> dict[str, dict[str, Any]]:
    """The unsharded replay, both shards and their merge (each run ~2 s)."""
    root = shard_root
    # The eight emulated built-ins: with the doc-only gateways (issue 13) a gateway-wide result's fallback
    # evidence differs between the full run and the merge (open, see notes/13-drive.md).
    only = [arg for gateway in emulable_builtin_ids() for arg in ("--gateway", gateway)]
    _cli("run", *only, "--reports-dir", str(root / "full"), "--quiet")
    _cli("run", *only, "--reports-dir", str(root / "s1"), "--shard", "1/2", "--quiet")
    _cli("run", *only, "--reports-dir", str(root / "s2"), "--shard", "2/2", "--quiet")
    _cli("merge", str(root / "s1" / "latest"), str(root / "s2" / "latest"), "--out", str(root / "merged"))
    return {name: _report(root / name) for name in ("full", "s1", "s2", "merged")}


def test_merged_shards_equal_the_unsharded_replay(runs: dict[str, dict[str, Any]]) -> None:
    full, merged = runs["full"], runs["merged"]
    assert not merged["meta"]["incomplete"] and merged["meta"]["shard"] == ""
    assert merged["meta"]["gateways"] == full["meta"]["gateways"]
    missing, extra = _results(full) - _results(merged), _results(merged) - _results(full)
    assert not missing and not extra, (sorted(missing)[:5], sorted(extra)[:5])
    assert _observations(merged) == _observations(full)
    assert all(r["reason"] != "other shard" for r in merged["results"])


def test_each_shard_judges_only_its_own_gateway_families(runs: dict[str, dict[str, Any]]) -> None:
    def judged(report: dict[str, Any]) -> set[tuple[str, str]]:
        return {
            (r["gateway"], r["operation"].rsplit(".", 1)[0])
            for r in report["results"]
            if r["operation"] and r["reason"] != "other shard"
        }

    one, two = judged(runs["s1"]), judged(runs["s2"])
    assert one and two and not one & two  # a (gateway, family) unit is judged by exactly one shard
    assert one | two == judged(runs["full"])
    for shard in ("s1", "s2"):  # a shard's report holds its own results only: no "other shard" stand-ins
        assert not any(r["reason"] == "other shard" for r in runs[shard]["results"])
    assert len(runs["s1"]["results"]) + len(runs["s2"]["results"]) >= len(runs["full"]["results"])


def test_a_shard_junit_holds_only_its_own_results(runs: dict[str, dict[str, Any]], shard_root: Path) -> None:
    from junitparser import JUnitXml

    for shard in ("s1", "s2"):
        xml = JUnitXml.fromfile(str(shard_root / shard / "latest" / "junit.xml"))
        cases = [case for suite in xml for case in suite]
        assert len(cases) == len(runs[shard]["results"])
        assert not any("other shard" in (r.message or "") for case in cases for r in case.result)


def test_merging_half_the_shards_is_refused_then_labelled_partial(shard_root: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["merge", str(shard_root / "s1" / "latest"), "--out", str(tmp_path / "m")])
    assert isinstance(result.exception, UsageError) and "--allow-partial" in str(result.exception)
    _cli("merge", str(shard_root / "s1" / "latest"), "--out", str(tmp_path / "m"), "--allow-partial")
    partial = _report(tmp_path / "m")
    assert partial["meta"]["incomplete"] and partial["meta"]["partial"] == "shards 1 of 2 merged; missing: 2"
    full = _report(shard_root / "full")
    assert len(partial["results"]) < len(full["results"])


def test_a_shard_observes_only_the_operations_it_owns(runs: dict[str, dict[str, Any]]) -> None:
    for shard, other in (("s1", "s2"), ("s2", "s1")):
        owned_elsewhere = {
            (r["gateway"], r["operation"])
            for r in runs[other]["results"]
            if r["operation"] and r["reason"] != "other shard"
        } - {
            (r["gateway"], r["operation"])
            for r in runs[shard]["results"]
            if r["operation"] and r["reason"] != "other shard"
        }
        supported = [
            (o["gateway"], o["operation"]) for o in runs[shard]["observations"] if o["key"] == "operation_supported"
        ]
        assert owned_elsewhere and not owned_elsewhere & set(supported)  # no "not supported" for others' operations


def test_stale_waivers_agree_between_shards_and_the_unsharded_run(runs: dict[str, dict[str, Any]]) -> None:
    def stale(report: dict[str, Any]) -> set[Row]:
        return {(r["gateway"], r["check"], r["subject"]) for r in report["results"] if r["reason"] == "stale waiver"}

    assert stale(runs["merged"]) == stale(runs["full"])
    assert stale(runs["s1"]) | stale(runs["s2"]) <= stale(runs["full"])  # sharding invents no stale waiver
