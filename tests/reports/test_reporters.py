"""report.json, junit.xml and summary.md: schema validation, JUnit consumers, golden files."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import junitparser
import pytest
import xmlschema

from conformance.models import Outcome
from conformance.reports import REPORTERS, ReportError, report_errors, validate_report_dict
from conformance.reports.json_report import report_dict
from conformance.runmodel import RunReport

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).parent / "data"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KC_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with KC_UPDATE_GOLDEN=1 if intended"


def test_every_format_is_registered() -> None:
    assert {"json", "junit", "markdown", "html"} <= set(REPORTERS.names())
    assert [REPORTERS.get(n).filename for n in ("json", "junit", "markdown", "html")] == [
        "report.json",
        "junit.xml",
        "summary.md",
        "index.html",
    ]


def test_report_json_validates_and_round_trips(report: RunReport) -> None:
    text = REPORTERS.get("json").render(report)
    data = json.loads(text)
    validate_report_dict(data)
    assert RunReport.from_dict(data).to_dict() == data
    assert data["results"][0]["evidence"]["kind"] == "emulator"
    subjects = [r["subject"] for r in data["results"] if r["check"] == "optional_param_accepted"]
    assert subjects == ["image2video.create.param.cfg_scale", "image2video.create.param.sound"]


def test_reports_written_before_subjects_existed_still_load_and_validate(report: RunReport) -> None:
    data = json.loads(REPORTERS.get("json").render(report))
    for item in data["results"]:
        del item["subject"]
    validate_report_dict(data)
    assert {r.subject for r in RunReport.from_dict(data).results} == {""}


def test_schema_rejects_a_subject_that_is_not_a_string(report: RunReport) -> None:
    data = json.loads(REPORTERS.get("json").render(report))
    data["results"][3]["subject"] = 7
    with pytest.raises(ReportError) as caught:
        validate_report_dict(data)
    assert caught.value.field.startswith("$.results[3].subject")
    assert {r["outcome"] for r in data["results"]} == {o.value for o in Outcome}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["results"][0].update(outcome="passed"), "$.results[0].outcome"),
        (lambda d: d["results"][0]["evidence"].update(kind="guess"), "$.results[0].evidence.kind"),
        (lambda d: d["meta"].pop("run_id"), "$.meta"),
        (lambda d: d.update(format_version=2), "$.format_version"),
        (lambda d: d["observations"][0].update(key="status_words", value="SUCCESS"), "$.observations[0].value"),
        (lambda d: d["results"].append({**d["results"][10], "reason": "", "message": ""}), "$.results[32]"),
    ],
    ids=["outcome", "evidence-kind", "run-id", "format-version", "status-words-type", "skipped-without-reason"],
)
def test_schema_rejects_broken_reports(report: RunReport, mutate, field: str) -> None:
    data = report_dict(report)
    mutate(data)
    with pytest.raises(ReportError) as caught:
        validate_report_dict(data, where="x/report.json")
    assert caught.value.where == "x/report.json"
    assert caught.value.field.startswith(field)
    assert report_errors(data)


def test_report_json_survives_non_json_values(report: RunReport) -> None:
    from dataclasses import replace

    odd = replace(report.results[0], expected={"words": {"succeed", "failed"}}, actual=b"\xff\x00raw", reason="")
    report.results[0] = odd
    data = json.loads(REPORTERS.get("json").render(report))
    assert data["results"][0]["expected"] == {"words": ["failed", "succeed"]}
    assert data["results"][0]["actual"].startswith("base64:")
    validate_report_dict(data)


def test_junit_validates_against_xsd_and_parses_in_junitparser(report: RunReport, tmp_path: Path) -> None:
    text = REPORTERS.get("junit").render(report)
    xmlschema.XMLSchema(DATA / "junit.xsd").validate(text)
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert list(suites) == ["kling-official", "yibuapi", "newapi", "n1n"]
    newapi = suites["newapi"]
    assert (newapi.tests, newapi.failures, newapi.errors, newapi.skipped) == (8, 4, 1, 0)
    cases = {case.name: case for case in newapi}
    shape = cases["response_shape_family[image2video.get]"]
    assert isinstance(shape.result[0], junitparser.Failure)
    assert shape.result[0].message == "query body is the new-api task wrapper, not the Kling envelope"
    assert 'expected: "kling"' in shape.result[0].text and "json path: $" in shape.result[0].text
    assert isinstance(cases["task_id_stable[image2video.get]"].result[0], junitparser.Error)
    yibu = {case.name: case for case in suites["yibuapi"]}
    waived = yibu["status_vocabulary_kling[image2video.get]"].result[0]
    assert isinstance(waived, junitparser.Skipped) and waived.message.startswith("waived: documented:")
    skipped = yibu["minimal_request_accepted[text2video.create]"].result[0]
    assert isinstance(skipped, junitparser.Skipped) and skipped.message == "skipped: budget"
    assert yibu["minimal_request_accepted[image2video.create]"].is_passed
    # one testcase per subject: two results of one check on one operation keep distinct names
    assert yibu["optional_param_accepted[image2video.create.param.cfg_scale]"].is_passed
    sound = yibu["optional_param_accepted[image2video.create.param.sound]"].result[0]
    assert isinstance(sound, junitparser.Failure) and "subject: image2video.create.param.sound" in sound.text


def test_junit_escapes_control_characters(report: RunReport) -> None:
    from dataclasses import replace

    report.results[0] = replace(report.results[0], outcome=Outcome.FAIL, message="bad\x00body\x1b[31m <&>")
    root = ET.fromstring(REPORTERS.get("junit").render(report))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "badbody[31m <&>"


def test_junit_golden(report: RunReport) -> None:
    _golden("junit.xml", REPORTERS.get("junit").render(report))


def test_summary_md_golden(report: RunReport) -> None:
    _golden("summary.md", REPORTERS.get("markdown").render(report))


def test_summary_md_matrix_and_failures(report: RunReport) -> None:
    text = REPORTERS.get("markdown").render(report)
    header = "| Area | Check | `kling-official` | `yibuapi` | `newapi` | `n1n` |"
    assert header in text
    row = next(line for line in text.splitlines() if "`response_shape_family`" in line and line.startswith("|"))
    assert row.split(" | ")[2:] == ["✅ E", "✅ E", "❌ E", "✅ L |"]
    assert "❌ fail (`FAIL`)" in text and "**D** doc-derived" in text
    assert text.index("### `yibuapi`") < text.index("### `newapi`") < text.index("### `n1n`")
    # hostile text cannot open HTML or break the table
    assert "<script>" not in text.replace("`", "").split("## Failures")[0]
    body_lines = [line for line in text.splitlines() if "__pwned" in line]
    assert body_lines and all("&lt;script&gt;" in line for line in body_lines)


def test_summary_md_marks_incomplete_runs(report: RunReport) -> None:
    report.meta.incomplete = True
    assert "**incomplete**" in REPORTERS.get("markdown").render(report)


def test_empty_report_renders_everywhere(report: RunReport) -> None:
    empty = RunReport(meta=report.meta)
    for name in REPORTERS.names():
        assert REPORTERS.get(name).render(empty)
    validate_report_dict(report_dict(empty))


def test_junit_names_stay_unique_for_several_results_of_one_check(report: RunReport) -> None:
    from dataclasses import replace

    extra = replace(report.results[0], message="second parameter")
    report.results.insert(1, extra)
    root = ET.fromstring(REPORTERS.get("junit").render(report))
    names = [
        case.get("name") for case in root.iter("testcase") if case.get("classname", "").startswith("kling-official")
    ]
    assert names[:2] == [
        "minimal_request_accepted[image2video.create]",
        "minimal_request_accepted[image2video.create] #2",
    ]
    assert len(names) == len(set(names))


def test_summary_md_caps_findings_per_gateway(report: RunReport) -> None:
    from dataclasses import replace

    from conformance.reports.markdown import MAX_FINDINGS_PER_GATEWAY

    failing = report.results[0]
    report.results = [
        replace(failing, outcome=Outcome.FAIL, message=f"failure {i}", operation=f"op{i}.get")
        for i in range(MAX_FINDINGS_PER_GATEWAY + 7)
    ]
    text = REPORTERS.get("markdown").render(report)
    assert text.count("failure ") == MAX_FINDINGS_PER_GATEWAY
    assert "- … and 7 more (see index.html or report.json)" in text


def test_published_schema_is_valid_draft_2020_12() -> None:
    import jsonschema

    from conformance.reports.schema import report_schema_path

    schema = json.loads(report_schema_path().read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_deep_links_encode_every_part_and_name_the_subject() -> None:
    from conformance.reports.html import deep_link

    assert deep_link("newapi", "auth_missing_key_rejected", "auth.missing-key") == (
        "#newapi/auth_missing_key_rejected/auth.missing-key"
    )
    assert deep_link("my/gw", "c", "generations.get auth.x/y") == "#my%2Fgw/c/generations.get%20auth.x%2Fy"
    assert deep_link("gw", "c") == "#gw/c"


def test_html_lists_failures_first_with_deep_links_and_caps_the_list(report: RunReport) -> None:
    from conformance.reports import html as html_report

    page = REPORTERS.get("html").render(report)
    assert page.index('id="overview"') < page.index('id="failures"') < page.index('id="matrix"')
    first = page.index('<li class="finding o-fail"')
    assert 'href="#newapi/auth_missing_key_rejected/auth.missing-key"' in page[first : first + 600]
    assert page.count('<li class="finding o-error"') == 2 and page.count('<li class="finding o-fail"') == 6
    assert "<script>window.__pwned" not in page  # hostile gateway text stays escaped in the list too
    flood = RunReport(meta=report.meta, results=[r for r in report.results for _ in range(400)])
    capped = html_report.render_html(flood)
    assert capped.count('<li class="finding') == html_report.FAILURE_LIST_LIMIT
    assert f"… and {8 * 400 - html_report.FAILURE_LIST_LIMIT} more in the matrix below." in capped
