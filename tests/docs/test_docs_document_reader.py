"""Reading a gateway document: endpoint, examples by section, statuses, field lists, curl, problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conformance.cli.app import app, main
from conformance.docs import derive_gateway_specs, load_gateway_spec_file
from conformance.docs.document import parse_document
from conformance.errors import UsageError

# A made-up document in the seed format (no seed text): one broken example among good ones.
DOCUMENT = """一步API中文文档
查询任务
POST
https://yibuapi.com/kling/v1/videos/text2video
请求参数
Header 参数
Authorization
string
必需
Body 参数application/json
示例
{
  "model_name": "kling-v1", // default model
  "prompt": "a cat",
}
curl --location --request POST 'https://yibuapi.com/kling/v1/videos/text2video' \\
--header 'Content-Type: application/json' \\
--data-raw '{
  "prompt": "a cat"
  "duration": "5"
}'
返回响应
🟢200成功
application/json
Body
code
integer
必需
data
object
必需
task_id
string
可选
示例
{"code": 0, "message": "SUCCEED", "request_id": "r", "data": {"task_id": "1", "task_status": "submitted",
 "created_at": 1, "updated_at": 1}}
🟠429请求过多
修改于 2026-01-02 03:04:05
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reader_finds_every_construct_with_lines() -> None:
    doc = parse_document("doc.txt", DOCUMENT.splitlines())
    assert doc.endpoint is not None
    assert (doc.endpoint.method, doc.endpoint.path, doc.endpoint.host) == (
        "POST",
        "/kling/v1/videos/text2video",
        "yibuapi.com",
    )
    assert doc.summary == "查询任务"
    assert doc.modified == "2026-01-02 03:04:05"
    assert [(s.status, s.label) for s in doc.statuses] == [(200, "成功"), (429, "请求过多")]
    assert [(f.name, f.type, f.required) for f in doc.statuses[0].fields] == [
        ("code", "integer", True),
        ("data", "object", True),
        ("task_id", "string", False),
    ]
    assert [(p.name, p.required) for p in doc.params["header"]] == [("Authorization", True)]
    assert [(e.direction, e.origin, e.status, e.first_line, e.last_line) for e in doc.examples] == [
        ("request", "body-example", None, 12, 15),
        ("response", "response-example", 200, 36, 37),
    ]
    assert doc.examples[0].repairs == ("comment at line 13 removed", "trailing comma at line 14 removed")
    assert len(doc.curls) == 1 and doc.curls[0].url.endswith("/text2video")


def test_unrepairable_example_is_a_problem_and_the_rest_is_extracted() -> None:
    doc = parse_document("doc.txt", DOCUMENT.splitlines())
    assert len(doc.problems) == 1
    problem = doc.problems[0]
    assert (problem.file, problem.line) == ("doc.txt", 20)
    assert "not repairable JSON" in problem.reason
    assert problem.render().startswith("doc.txt:20: ")
    assert len(doc.examples) == 2  # the body example and the response example survive


def test_cli_reports_file_and_line_writes_the_rest_and_exits_2(tmp_path: Path) -> None:
    source = _write(tmp_path, "broken_doc.txt", DOCUMENT)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["docs", "extract", str(source), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "broken_doc.txt:20: not repairable JSON" in result.output
    spec = load_gateway_spec_file(out / "yibuapi.yaml")
    operation = spec.operation("text2video.create")
    assert operation is not None
    assert [ex.provenance.lines for ex in operation.examples] == [(12, 15), (36, 37)]
    assert operation.statuses == {200: "成功", 429: "请求过多"}


def test_unknown_gateway_is_a_problem_unless_named(tmp_path: Path) -> None:
    text = DOCUMENT.replace("一步API中文文档", "Some Gateway").replace("yibuapi.com", "api.example.org")
    source = _write(tmp_path, "other.txt", text)
    derived = derive_gateway_specs([source])
    assert not derived.texts
    assert any("cannot tell which gateway" in p.reason and p.line == 1 for p in derived.problems)
    named = derive_gateway_specs([source], gateway_id="example")
    assert list(named.texts) == ["example"]
    assert "https://api.example.org" in named.texts["example"]


def test_invalid_gateway_id_is_a_usage_error(tmp_path: Path) -> None:
    source = _write(tmp_path, "doc.txt", DOCUMENT)
    with pytest.raises(UsageError) as caught:
        derive_gateway_specs([source], gateway_id="Not Valid")
    assert caught.value.where == "--gateway"


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["docs", "extract", str(tmp_path / "absent.txt"), "--out", str(tmp_path)])
    assert caught.value.code == 2
    assert "absent.txt: no such file" in capsys.readouterr().err


def test_operation_that_is_not_canonical_is_a_problem(tmp_path: Path) -> None:
    text = DOCUMENT.replace("/kling/v1/videos/text2video", "/kling/v1/videos/unknown-thing")
    derived = derive_gateway_specs([_write(tmp_path, "doc.txt", text)])
    assert any("cannot map POST" in p.reason and p.line == 3 for p in derived.problems)


def test_response_example_without_a_status_is_read_as_200_and_noted() -> None:
    doc = parse_document("doc.txt", ["返回示例", "{}", ""])
    (example,) = doc.examples
    assert (example.direction, example.status) == ("response", 200)
    assert example.repairs == ("no HTTP status documented for the response at line 2; 200 assumed",)
    assert doc.problems == ()


def test_documents_of_one_gateway_merge_into_one_spec(tmp_path: Path) -> None:
    create = _write(tmp_path, "a.txt", DOCUMENT.replace('  "duration": "5"\n', ""))
    query = _write(
        tmp_path,
        "b.txt",
        "一步API中文文档\nGET\nhttps://yibuapi.com/kling/v1/videos/text2video/{task_id}\n🟢200成功\n"
        '{"code": 0, "message": "SUCCEED", "request_id": "r", "data": {"task_id": "1", "task_status": "succeed",'
        ' "created_at": 1, "updated_at": 2}}\n最后更新:2026-02-03 04:05:06\n',
    )
    derived = derive_gateway_specs([query, create])
    assert derived.problems == []
    assert list(derived.texts) == ["yibuapi"]
    assert derived.operations["yibuapi"] == ["text2video.create", "text2video.get"]
    spec_path = tmp_path / "out.yaml"
    spec_path.write_text(derived.texts["yibuapi"], encoding="utf-8")
    spec = load_gateway_spec_file(spec_path)
    assert spec.sources == (("a.txt", "2026-01-02 03:04:05"), ("b.txt", "2026-02-03 04:05:06"))
    assert spec.version == "2026-02-03"
    assert spec.examples("text2video.get")[0].provenance.label() == "b.txt:5"
