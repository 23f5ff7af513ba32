"""The declarative reading model (issue 13): JSONPath, descriptions, profiles' [reading], batch inspect."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.errors import ProfileError
from conformance.jsonpath import (
    MISSING,
    compile_query,
    fast_steps,
    format_path,
    iter_paths,
    library_steps,
    lookup,
    parse_path,
)
from conformance.normalize import Shape, normalize
from conformance.normalize.reading.engine import DESCRIPTIONS_DIR, bundled, bundled_ids
from conformance.normalize.reading.transforms import READ_TRANSFORMS
from conformance.profiles import load_profile_file


def _bundled_paths() -> list[str]:
    import re

    found: set[str] = set()
    for path in DESCRIPTIONS_DIR.glob("*.toml"):
        found.update(re.findall(r'"(\$[^"]*)"', path.read_text(encoding="utf-8")))
    return sorted(p for p in found if "{" not in p)


@pytest.mark.parametrize("text", _bundled_paths())
def test_fast_parser_agrees_with_the_rfc9535_library(text: str) -> None:
    steps, _ = library_steps(text)
    assert fast_steps(text) == steps


@pytest.mark.parametrize(
    "text",
    ["$", "$.a", "$['a.b']", "$['a[0]'].c", "$.a[0][-1]", "$.a[*].b", "$.a.*", "$['x-api']", '$["q"]', "$.ü"],
)
def test_fast_parser_agrees_on_more_forms(text: str) -> None:
    assert fast_steps(text) == library_steps(text)[0]


def test_keys_with_dots_and_brackets_round_trip() -> None:
    body = {"a.b": {"c[0]": [1, {"x-y": "v"}]}}
    paths = dict(iter_paths(body))
    assert "$['a.b']['c[0]'][1]['x-y']" in paths
    for path, value in paths.items():
        assert lookup(body, path) == (True, value)
        assert format_path(parse_path(path)) == path
    assert parse_path("$.data.task_result.videos[0].url") == ["data", "task_result", "videos", 0, "url"]
    assert format_path(["data", "videos", 0]) == "$.data.videos[0]"


def test_queries_beyond_the_simple_subset_use_the_library() -> None:
    body = {"results": [{"type": "image", "url": "i"}, {"type": "video", "url": "v"}], "a": {"b": {"url": "deep"}}}
    assert compile_query("$.results[?@.type == 'video'].url").all(body) == ["v"]
    assert compile_query("$..url").all(body) == ["i", "v", "deep"]
    assert compile_query("$.nothing").get(body) is MISSING


def test_every_bundled_description_compiles_and_every_transform_is_documented() -> None:
    for description_id in bundled_ids():
        bundled(description_id)
    for name, transform in READ_TRANSFORMS.items():
        assert transform.summary, name


PROFILE = """
id = "jobs"
extends = "kling-official"

[reading]
base = ["classic"]

[reading.statuses]
IN_QUEUE = "submitted"
DONE = "succeed"

[[reading.shapes]]
id = "jobs-task"
when = [{ path = "$.code", in = [200, "200"] }, { http = ["2xx"] }]
decode = [{ path = "$.data", note = "data holds JSON as a string" }]
task_id = ["$.data['job.id']", { path = "$.data.id", note = "id sent as data.id" }]
status = "$.data.state"
video_urls = "$.data.outputs[*].url"
failure_reason = ["$.data.error.message", "$.message"]
created_at = { path = "$.data.created", unit = "iso" }
updated_at = { path = "$.data.updated", unit = "s" }
notes = [{ note = "job {$.data.id!r} has no outputs", when = [{ path = "$.data.outputs", empty = true }] }]
status_rules = [{ status = "failed", when = [{ path = "$.data.error", exists = true }] }]

[[reading.shapes]]
id = "jobs-error"
error = true
when = [{ path = "$.code", as = "number", exists = true }, { path = "$.code", as = "number", not_in = [0, 200] }]
error_code = "$.code"
error_message = "$.message"

[operations."text2video.get"]
response_shape = "jobs-task"
"""


@pytest.fixture()
def jobs(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def test_a_profile_reads_its_own_shapes(jobs: Path) -> None:
    profile = load_profile_file(jobs)
    data = json.dumps(
        {
            "job.id": "j1",
            "state": "DONE",
            "outputs": [{"url": "https://x/1.mp4"}],
            "created": "2025-01-01T00:00:00Z",
            "updated": 1735689700,
        }
    )
    result = normalize(json.dumps({"code": 200, "data": data}).encode(), 200, profile, operation="text2video.get")
    assert (result.shape.value, result.is_error, result.task_id, result.status) == ("jobs-task", False, "j1", "succeed")
    assert result.video_urls == ("https://x/1.mp4",)
    assert (result.created_at, result.updated_at) == (1735689600000, 1735689700000)
    assert "data holds JSON as a string" in result.notes
    assert not any("shape" in departure for departure in result.departures)  # jobs-task is this operation's


def test_status_rules_notes_and_errors(jobs: Path) -> None:
    profile = load_profile_file(jobs)
    body = {"code": "200", "data": {"id": 7, "state": "DONE", "outputs": [], "error": {"message": "nsfw"}}}
    result = normalize(json.dumps(body).encode(), 200, profile)
    assert (result.task_id, result.status, result.failure_reason) == ("7", "failed", "nsfw")
    assert "id sent as data.id" in result.notes and "job 7 has no outputs" in result.notes
    error = normalize(b'{"code": 4001, "message": "bad prompt"}', 400, profile)
    assert (error.shape.value, error.is_error, error.error_code, error.error_message) == (
        "jobs-error",
        True,
        "4001",
        "bad prompt",
    )
    kling = normalize(
        b'{"code": 0, "message": "SUCCEED", "request_id": "r", "data": {"task_id": "1", "task_status": "submitted"}}',
        200,
        profile,
    )
    assert kling.shape is Shape.KLING  # base = classic after the profile's own shapes


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            '[reading]\n[[reading.shapes]]\nid = "x"\ntask_idd = "$.a"\n',
            ("jobs.toml:6", "task_idd", "Did you mean 'task_id'?"),
        ),
        (
            '[reading]\nstatus_map = { a = "failed" }\n',
            ("jobs.toml:4", "reading.status_map", "Did you mean 'statuses'?"),
        ),
        (
            '[reading]\n[[reading.shapes]]\nid = "x"\ntask_id = "data.task_id"\n',
            (
                "jobs.toml:6",
                "must start with '$'",
            ),
        ),
        ('[reading]\n[[reading.shapes]]\nid = "x"\ntask_id = "$.a[?"\n', ("reading.shapes[0].task_id", "RFC 9535")),
        ('[reading]\nbase = ["klingg"]\n', ("reading.base[0]", "Did you mean 'kling'?")),
        ('[reading]\n[[reading.shapes]]\nid = "x"\ntransforms = ["outputz"]\n', ("Did you mean 'outputs'?",)),
        ("task_id_path = 'data.task_id'\n", ("jobs.toml:3", "Did you mean 'reading.shapes[].task_id'?")),
        ("[response]\ntask_id = 'x'\n", ("Did you mean 'reading'?",)),
        ("[errors]\nsuccess_code = 200\n", ("errors.success_code", "reading.shapes[].when")),
        ("[emulator]\nrelax_field = ['x']\n", ("jobs.toml:4", "emulator.relax_field", "Did you mean 'relax_fields'?")),
        ("[emulator]\nstatus_map = {}\n", ("Did you mean 'reading.statuses'?",)),
        (
            '[operations."image2video.get"]\nresponse_shape = "kling-eror"\n',
            ("jobs.toml:4", "Did you mean 'kling-error'?"),
        ),
    ],
)
def test_reading_mistakes_name_file_line_key_and_fix(tmp_path: Path, text: str, wanted: tuple[str, ...]) -> None:
    path = tmp_path / "jobs.toml"
    path.write_text('id = "jobs"\nextends = "kling-official"\n' + text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    message = str(info.value)
    for fragment in wanted:
        assert fragment in message, message


def test_inspect_reads_many_files_and_ndjson_in_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    one.write_text('{"status": "IN_QUEUE", "request_id": "r1"}', encoding="utf-8")
    two.write_text('{"code": 1201, "message": "bad", "request_id": "r"}', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", str(one), str(two)])
    assert exit_info.value.code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["source"], line["shape"], line["status"]) for line in lines] == [
        (str(one), "task", "submitted"),
        (str(two), "kling-error", None),
    ]

    class Stdin:
        buffer = __import__("io").BytesIO(b'{"code": 200, "data": {"task_id": "t", "status": "done"}}\n\n{"x": 1}\n')

    monkeypatch.setattr(sys, "stdin", Stdin)
    with pytest.raises(SystemExit):
        main(["inspect", "--ndjson", "-"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["source"], line["shape"], line["status"]) for line in lines] == [
        ("stdin:1", "task", "succeed"),
        ("stdin:3", "unknown", None),
    ]
