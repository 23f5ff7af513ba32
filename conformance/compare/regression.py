"""Regression diff between two runs (``kling-conformance diff BASELINE CURRENT``).

It lists checks that newly fail and checks that were fixed, changed response shapes and status words,
other changed observations (id format, timestamp unit, error shape and statuses, parameters, callbacks,
field paths) and operations that appeared or disappeared. A *regression* is anything that can break a
client that worked against the baseline: a newly failing check, a removed operation, a changed shape,
status vocabulary, id format, timestamp unit, error shape or status, callback behaviour, a parameter no
longer accepted, or a field path no longer returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from conformance.compare.identity import ResultKey, has_subjects, key_label, keyed_results
from conformance.models import CheckResult, Outcome
from conformance.runmodel import Observation, RunReport

_FAILING = (Outcome.FAIL, Outcome.ERROR)
_BREAKING_KEYS = ("response_shape", "status_words", "id_format", "timestamp_unit", "error_shape", "callback")


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference between the baseline and the current run."""

    kind: str  # newly-failing | fixed | now-waived | no-longer-checked | shape-changed | status-words-changed
    #            | observation-changed | operation-added | operation-removed | gateway-added | gateway-removed
    gateway: str
    operation: str
    subject: str
    before: Any
    after: Any
    regression: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "gateway": self.gateway,
            "operation": self.operation,
            "subject": self.subject,
            "before": self.before,
            "after": self.after,
            "regression": self.regression,
            "detail": self.detail,
        }


@dataclass(slots=True, kw_only=True)
class RegressionDiff:
    """All changes, with the run ids they span."""

    baseline: str
    current: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        """Changes that can break a client (exit code 1)."""
        return [c for c in self.changes if c.regression]

    def of(self, kind: str) -> list[Change]:
        """Changes of one kind."""
        return [c for c in self.changes if c.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON output of ``diff --format json``."""
        return {
            "baseline": self.baseline,
            "current": self.current,
            "regression": bool(self.regressions),
            "summary": {kind: len(self.of(kind)) for kind in dict.fromkeys(c.kind for c in self.changes)},
            "changes": [c.to_dict() for c in self.changes],
            "notes": self.notes,
        }


def _results(report: RunReport, with_subject: bool = True) -> dict[ResultKey, CheckResult]:
    return keyed_results(report.results, with_subject=with_subject)


def _observations(report: RunReport) -> dict[tuple[str, str, str], Observation]:
    return {(o.gateway, o.operation, o.key): o for o in report.observations}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        return sorted(a) == sorted(b)
    return bool(a == b)


def _result_changes(base: RunReport, cur: RunReport) -> list[Change]:
    # Reports from before results had subjects are matched on the operation alone.
    with_subject = has_subjects(base.results) and has_subjects(cur.results)
    before, after = _results(base, with_subject), _results(cur, with_subject)
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        gateway, _, operation, _, _ = key
        check = key_label(key)
        old, new = before.get(key), after.get(key)
        old_o = old.outcome.value if old else "absent"
        new_o = new.outcome.value if new else "absent"
        old_failing, new_failing = (
            old is not None and old.outcome in _FAILING,
            new is not None and new.outcome in _FAILING,
        )
        kind = ""
        if new_failing and not old_failing:
            kind = "newly-failing"
        elif old_failing and new is not None and new.outcome is Outcome.PASS:
            kind = "fixed"
        elif old_failing and new is not None and new.outcome is Outcome.WAIVED:
            kind = "now-waived"
        elif (
            old is not None
            and old.outcome in (Outcome.PASS, *_FAILING)
            and (new is None or new.outcome is Outcome.SKIPPED)
        ):
            kind = "no-longer-checked"
        if kind:
            detail = (new.message or new.reason) if new is not None else "not in the current run"
            changes.append(
                Change(
                    kind=kind,
                    gateway=gateway,
                    operation=operation,
                    subject=check,
                    before=old_o,
                    after=new_o,
                    regression=kind == "newly-failing",
                    detail=detail,
                )
            )
    return changes


def _observation_changes(base: RunReport, cur: RunReport) -> list[Change]:
    before, after = _observations(base), _observations(cur)
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        gateway, operation, name = key
        old, new = before.get(key), after.get(key)
        if name == "operation_supported":
            was, now = bool(old and old.value), bool(new and new.value)
            if new is None:
                continue  # the current run did not look: no evidence of removal
            if was and not now:
                changes.append(
                    Change(
                        kind="operation-removed",
                        gateway=gateway,
                        operation=operation,
                        subject=operation,
                        before=True,
                        after=False,
                        regression=True,
                    )
                )
            elif now and not was:
                changes.append(
                    Change(
                        kind="operation-added",
                        gateway=gateway,
                        operation=operation,
                        subject=operation,
                        before=old.value if old else None,
                        after=True,
                        regression=False,
                    )
                )
            continue
        if old is None or new is None or _same(old.value, new.value):
            continue
        regression, detail = name in _BREAKING_KEYS or name.startswith("error_status:"), ""
        kind = {
            "response_shape": "shape-changed",
            "error_shape": "shape-changed",
            "status_words": "status-words-changed",
        }.get(name, "observation-changed")
        if name.startswith("accepted_param:"):
            regression = old.value == "accepted" and new.value != "accepted"
        elif name == "field_paths" and isinstance(old.value, list) and isinstance(new.value, list):
            removed = sorted(set(old.value) - set(new.value))
            regression, detail = bool(removed), f"removed: {', '.join(removed)}" if removed else "paths added"
        elif name == "status_words" and isinstance(old.value, list) and isinstance(new.value, list):
            detail = (
                f"new words: {', '.join(sorted(set(new.value) - set(old.value))) or '-'}; "
                f"gone: {', '.join(sorted(set(old.value) - set(new.value))) or '-'}"
            )
        changes.append(
            Change(
                kind=kind,
                gateway=gateway,
                operation=operation,
                subject=name,
                before=old.value,
                after=new.value,
                regression=regression,
                detail=detail,
            )
        )
    return changes


def diff_reports(baseline: RunReport, current: RunReport) -> RegressionDiff:
    """Everything that changed from ``baseline`` to ``current``."""
    result = RegressionDiff(baseline=baseline.meta.run_id, current=current.meta.run_id)
    base_gw = {r.gateway for r in baseline.results} | set(baseline.meta.gateways)
    cur_gw = {r.gateway for r in current.results} | set(current.meta.gateways)
    membership = (
        ("gateway-removed", base_gw - cur_gw, "present", "absent", "not run in the current report"),
        ("gateway-added", cur_gw - base_gw, "absent", "present", ""),
    )
    for kind, gateways, before, after, detail in membership:
        result.changes += [
            Change(
                kind=kind,
                gateway=gw,
                operation="",
                subject=gw,
                before=before,
                after=after,
                regression=False,
                detail=detail,
            )
            for gw in sorted(gateways)
        ]
    result.changes += _result_changes(baseline, current)
    result.changes += _observation_changes(baseline, current)
    for gw in sorted(base_gw & cur_gw):
        kinds_before = {r.evidence.kind.value for r in baseline.results if r.gateway == gw}
        kinds_after = {r.evidence.kind.value for r in current.results if r.gateway == gw}
        if kinds_before and kinds_after and kinds_before != kinds_after:
            result.notes.append(
                f"{gw}: evidence differs ({', '.join(sorted(kinds_before))} → "
                f"{', '.join(sorted(kinds_after))}); changes may come from the evidence, not the gateway"
            )
    if baseline.results and current.results and not (has_subjects(baseline.results) and has_subjects(current.results)):
        result.notes.append(
            "one report has no result subjects (written by an older version): results are matched by "
            "(gateway, check, operation) and their order"
        )
    if current.meta.incomplete:
        result.notes.append("the current run is incomplete: missing results are not counted as regressions")
    return result


_TITLES = {
    "newly-failing": "Newly failing checks",
    "fixed": "Fixed checks",
    "now-waived": "Failures now waived",
    "no-longer-checked": "No longer checked",
    "shape-changed": "Changed shapes",
    "status-words-changed": "Changed status words",
    "observation-changed": "Other changed observations",
    "operation-added": "New operations",
    "operation-removed": "Removed operations",
    "gateway-added": "Gateways added",
    "gateway-removed": "Gateways removed",
}


def _cell(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def render_diff_markdown(diff: RegressionDiff) -> str:
    """Markdown: verdict, then one table per change kind."""
    verdict = f"❌ {len(diff.regressions)} regressions" if diff.regressions else "✅ no regression"
    lines = [
        f"# Regression diff: `{diff.baseline}` → `{diff.current}`",
        "",
        f"**{verdict}**, {len(diff.changes)} changes.",
        "",
    ]
    lines += [f"> {_cell(n)}" for n in diff.notes]
    for kind, title in _TITLES.items():
        items = diff.of(kind)
        if not items:
            continue
        lines += [
            "",
            f"## {title} ({len(items)})",
            "",
            "| | Gateway | Operation | Subject | Before | After | Detail |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in items:
            lines.append(
                f"| {'❌' if c.regression else 'ℹ️'} | `{c.gateway}` | {_cell(c.operation or '-')} | "
                f"`{_cell(c.subject)}` | {_cell(c.before)} | {_cell(c.after)} | {_cell(c.detail)} |"
            )
    return "\n".join(lines) + "\n"


def render_diff_json(diff: RegressionDiff) -> str:
    """JSON output."""
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"
