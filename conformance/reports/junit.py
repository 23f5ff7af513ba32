"""``junit.xml``: one ``<testsuite>`` per gateway, one ``<testcase>`` per check (and operation).

``fail`` becomes ``<failure>``, ``error`` becomes ``<error>``, ``waived`` and ``skipped`` become
``<skipped>`` with their reason. The layout follows the Jenkins/Ant JUnit format every CI system reads.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from conformance.models import CheckResult, Outcome
from conformance.reports._jsonable import jsonable
from conformance.reports.base import reporter
from conformance.reports.view import gateway_order, result_label
from conformance.runmodel import RunReport

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` without characters XML 1.0 cannot carry."""
    return _ILLEGAL_XML.sub("", value)


def _json(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


def _timestamp(started_at: str) -> dict[str, str]:
    """The ``timestamp`` attribute (xs:dateTime, no zone) when ``started_at`` parses."""
    try:
        moment = dt.datetime.fromisoformat(started_at)
    except ValueError:
        return {}
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return {"timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S")}


def testcase_name(result: CheckResult) -> str:
    """``check[subject]`` (the scenario judged), ``check[operation]`` for a whole operation, else the check id."""
    label = result_label(result)
    return f"{result.check}[{label}]" if label else result.check


def _details(result: CheckResult) -> str:
    lines = [result.message] if result.message else []
    if result.expected is not None or result.actual is not None:
        lines += [f"expected: {_json(result.expected)}", f"actual:   {_json(result.actual)}"]
    if result.json_path:
        lines.append(f"json path: {result.json_path}")
    if result.subject:
        lines.append(f"subject: {result.subject}")
    if result.exchange_ref:
        lines.append(f"exchange: {result.exchange_ref}")
    if result.reason:
        lines.append(f"reason: {result.reason}")
    lines.append(f"severity: {result.severity.value}; evidence: {result.evidence.label()}")
    return "\n".join(lines)


def _testcase(suite: ET.Element, result: CheckResult, name: str) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _text(name),
            "classname": _text(f"{result.gateway}.{result.area or 'other'}"),
            "time": "0",
        },
    )
    first_lines = (result.message or result.reason).splitlines()
    summary = _text(first_lines[0] if first_lines else result.outcome.value)
    if result.outcome is Outcome.FAIL:
        ET.SubElement(case, "failure", {"message": summary, "type": result.severity.value}).text = _text(
            _details(result)
        )
    elif result.outcome is Outcome.ERROR:
        ET.SubElement(case, "error", {"message": summary, "type": "error"}).text = _text(_details(result))
    elif result.outcome in (Outcome.SKIPPED, Outcome.WAIVED):
        reason = result.reason or result.message
        ET.SubElement(case, "skipped", {"message": _text(f"{result.outcome.value}: {reason}")})
    ET.SubElement(case, "system-out").text = _text(f"evidence: {result.evidence.label()}")


def _suites(report: RunReport) -> dict[str, list[CheckResult]]:
    by_gateway: dict[str, list[CheckResult]] = {g: [] for g in gateway_order(report)}
    for result in report.results:
        by_gateway.setdefault(result.gateway, []).append(result)
    return by_gateway


def _counts(results: list[CheckResult]) -> dict[str, int]:
    return {
        "tests": len(results),
        "failures": sum(r.outcome is Outcome.FAIL for r in results),
        "errors": sum(r.outcome is Outcome.ERROR for r in results),
        "skipped": sum(r.outcome in (Outcome.SKIPPED, Outcome.WAIVED) for r in results),
    }


def _suite(parent: ET.Element, report: RunReport, gateway: str, results: list[CheckResult]) -> ET.Element:
    """One gateway's ``<testsuite>`` under ``parent``."""
    suite = ET.SubElement(
        parent,
        "testsuite",
        {
            "name": _text(gateway),
            **{k: str(v) for k, v in _counts(results).items()},
            "time": "0",
            **_timestamp(report.meta.started_at),
        },
    )
    props = ET.SubElement(suite, "properties")
    for prop, prop_value in (
        ("run_id", report.meta.run_id),
        ("mode", report.meta.mode),
        ("tool_version", report.meta.tool_version),
        ("spec_hash", report.meta.spec_hash),
        ("incomplete", str(report.meta.incomplete).lower()),
    ):
        ET.SubElement(props, "property", {"name": prop, "value": _text(prop_value)})
    seen: dict[str, int] = {}
    for result in results:
        name = testcase_name(result)
        seen[name] = seen.get(name, 0) + 1
        _testcase(suite, result, name if seen[name] == 1 else f"{name} #{seen[name]}")
    return suite


def _root(by_gateway: dict[str, list[CheckResult]]) -> ET.Element:
    """``<testsuites>`` with the run's totals, no children yet."""
    root = ET.Element("testsuites", {"name": "kling-conformance"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for results in by_gateway.values():
        for key, value in _counts(results).items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    return root


_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'


def stream_junit(report: RunReport) -> Iterator[str]:
    """junit.xml in pieces, one ``<testsuite>`` (gateway) at a time: the bytes of :func:`render_junit`."""
    by_gateway = _suites(report)
    root = _root(by_gateway)
    if not by_gateway:
        yield _HEADER + ET.tostring(root, encoding="unicode") + "\n"
        return
    root.text = "\x00"  # a marker to cut the start tag from the end tag (XML text cannot hold NUL otherwise)
    start_tag, end_tag = ET.tostring(root, encoding="unicode").split("\x00")
    root.text = None
    yield _HEADER + start_tag
    for gateway, results in by_gateway.items():
        holder = ET.Element("holder")
        suite = _suite(holder, report, gateway, results)
        ET.indent(suite, space="  ", level=1)
        suite.tail = None
        yield "\n  " + ET.tostring(suite, encoding="unicode")
    yield "\n" + end_tag + "\n"


@reporter("junit", "junit.xml", stream=stream_junit)
def render_junit(report: RunReport) -> str:
    """JUnit XML for CI test tabs: one testsuite per gateway, one testcase per check and operation."""
    by_gateway = _suites(report)
    root = _root(by_gateway)
    for gateway, results in by_gateway.items():
        _suite(root, report, gateway, results)
    ET.indent(root, space="  ")
    return _HEADER + ET.tostring(root, encoding="unicode") + "\n"
