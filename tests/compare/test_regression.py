"""diff: newly failing, fixed, changed shapes and status words, new and removed operations."""

from __future__ import annotations

import json

from compare_samples import LIVE, alpha_observations, meta, obs, result

from conformance.compare import diff_reports
from conformance.compare.regression import render_diff_json, render_diff_markdown
from conformance.models import Outcome
from conformance.runmodel import RunReport

P, F, E, S, W = Outcome.PASS, Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED, Outcome.WAIVED


def _baseline() -> RunReport:
    return RunReport(
        meta=meta("20261120T100000Z-000001", gateways=["alpha"]),
        results=[
            result("alpha", "response_shape_family", P, "image2video.get"),
            result("alpha", "status_vocabulary_kling", F, "image2video.get", message="SUCCESS is not Kling's"),
            result("alpha", "task_id_stable", E, "image2video.get"),
            result("alpha", "error_body_canonical", F),
            result("alpha", "list_query_bounds", P, "image2video.list"),
        ],
        observations=alpha_observations(),
    )


def _current() -> RunReport:
    changed = {
        ("image2video.get", "response_shape"): "newapi-task",
        ("image2video.get", "status_words"): ["submitted", "processing", "succeed", "failed", "unknown"],
        ("", "timestamp_unit"): "s",
        ("image2video.list", "operation_supported"): False,
        ("image2video.create", "accepted_param:sound"): "dropped",
    }
    observations = [
        obs(o.gateway, o.operation, o.key, changed.get((o.operation, o.key), o.value)) for o in alpha_observations()
    ]
    observations.append(obs("alpha", "text2video.create", "operation_supported", True))
    return RunReport(
        meta=meta("20261122T100000Z-000002", gateways=["alpha", "beta"]),
        results=[
            result("alpha", "response_shape_family", F, "image2video.get", message="newapi-task"),
            result("alpha", "status_vocabulary_kling", P, "image2video.get"),
            result("alpha", "task_id_stable", W, "image2video.get"),
            result("alpha", "error_body_canonical", F),
            result("alpha", "list_query_bounds", S, "image2video.list", reason="not supported"),
            result("alpha", "minimal_request_accepted", E, "text2video.create", message="ReadTimeout"),
            result("beta", "minimal_request_accepted", P, "text2video.create"),
        ],
        observations=observations,
    )


def test_every_change_kind_is_listed() -> None:
    diff = diff_reports(_baseline(), _current())
    kinds = {c.kind: c for c in diff.changes}
    newly = {(c.subject, c.operation, c.before) for c in diff.of("newly-failing")}
    assert newly == {
        ("response_shape_family", "image2video.get", "pass"),
        ("minimal_request_accepted", "text2video.create", "absent"),
    }
    assert [(c.subject, c.before, c.after) for c in diff.of("fixed")] == [("status_vocabulary_kling", "fail", "pass")]
    assert [c.subject for c in diff.of("now-waived")] == ["task_id_stable"]
    assert [c.subject for c in diff.of("no-longer-checked")] == ["list_query_bounds"]
    assert [(c.before, c.after) for c in diff.of("shape-changed")] == [("kling", "newapi-task")]
    words = diff.of("status-words-changed")[0]
    assert words.detail == "new words: unknown; gone: -" and words.regression
    assert [c.operation for c in diff.of("operation-removed")] == ["image2video.list"]
    assert [c.operation for c in diff.of("operation-added")] == ["text2video.create"]
    other = {c.subject: c for c in diff.of("observation-changed")}
    assert other["timestamp_unit"].regression and other["accepted_param:sound"].regression
    assert [c.subject for c in diff.of("gateway-added")] == ["beta"]
    assert "error_body_canonical" not in {c.subject for c in diff.changes}  # still failing: not a change
    assert not kinds["fixed"].regression and not kinds["operation-added"].regression
    regressions = {c.kind for c in diff.regressions}
    assert regressions == {
        "newly-failing",
        "shape-changed",
        "status-words-changed",
        "operation-removed",
        "observation-changed",
    }


def test_no_regression_when_only_fixes() -> None:
    base = _baseline()
    cur = RunReport(
        meta=meta("20261122T100000Z-000003", gateways=["alpha"]),
        results=[result("alpha", r.check, P, r.operation) for r in base.results],
        observations=alpha_observations(),
    )
    diff = diff_reports(base, cur)
    assert diff.regressions == [] and len(diff.of("fixed")) == 3


def test_field_paths_only_added_is_not_a_regression() -> None:
    base = RunReport(meta=meta(), observations=[obs("alpha", "image2video.get", "field_paths", ["a", "b"])])
    grew = RunReport(meta=meta(), observations=[obs("alpha", "image2video.get", "field_paths", ["a", "b", "c"])])
    shrank = RunReport(meta=meta(), observations=[obs("alpha", "image2video.get", "field_paths", ["a"])])
    assert diff_reports(base, grew).regressions == []
    assert diff_reports(base, shrank).regressions[0].detail == "removed: b"


def test_evidence_change_is_noted() -> None:
    base = _baseline()
    cur = _baseline()
    cur.results = [result("alpha", "response_shape_family", P, "image2video.get", evidence=LIVE)]
    diff = diff_reports(base, cur)
    assert any("evidence differs (emulator → live)" in n for n in diff.notes)


def test_markdown_and_json_output() -> None:
    diff = diff_reports(_baseline(), _current())
    md = render_diff_markdown(diff)
    assert md.startswith("# Regression diff: `20261120T100000Z-000001` → `20261122T100000Z-000002`")
    assert "## Newly failing checks (2)" in md and "## Removed operations (1)" in md and "## Fixed checks (1)" in md
    data = json.loads(render_diff_json(diff))
    assert data["regression"] is True and data["summary"]["newly-failing"] == 2


def _params(order: list[tuple[str, Outcome]], *, subjects: bool = True) -> RunReport:
    return RunReport(
        meta=meta("20261120T100000Z-000003", gateways=["alpha"]),
        results=[
            result(
                "alpha",
                "optional_param_accepted",
                outcome,
                "image2video.create",
                subject=f"image2video.create.param.{name}" if subjects else "",
            )
            for name, outcome in order
        ],
    )


def test_results_are_matched_by_subject() -> None:
    base = _params([("cfg_scale", P), ("sound", F), ("camera_control", P)])
    cur = _params([("sound", F), ("camera_control", F), ("cfg_scale", P)])  # another order, one new failure
    changes = [(c.kind, c.subject) for c in diff_reports(base, cur).changes]
    assert changes == [("newly-failing", "optional_param_accepted [image2video.create.param.camera_control]")]


def test_a_new_subject_failing_is_a_regression_and_a_vanished_one_is_no_longer_checked() -> None:
    base = _params([("cfg_scale", P), ("sound", P)])
    cur = _params([("cfg_scale", P), ("masks", F)])
    kinds = {(c.kind, c.subject.split("param.")[-1].rstrip("]")) for c in diff_reports(base, cur).changes}
    assert kinds == {("no-longer-checked", "sound"), ("newly-failing", "masks")}


def test_reports_without_subjects_are_matched_by_position_with_a_note() -> None:
    base = _params([("cfg_scale", P), ("sound", F)], subjects=False)
    cur = _params([("cfg_scale", P), ("sound", P)])
    diff = diff_reports(base, cur)
    assert [(c.kind, c.subject) for c in diff.changes] == [("fixed", "optional_param_accepted #2")]
    assert any("no result subjects" in note for note in diff.notes)
