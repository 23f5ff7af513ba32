"""The tolerant JSON/JSONC reader: comments, commented-out keys, trailing commas, cut-off strings."""

from __future__ import annotations

import json

import pytest

from conformance.docs import JsonRepairError, parse_tolerant
from conformance.docs.tolerant_json import is_shortened, scan_json_block


def test_plain_json_needs_no_repair() -> None:
    result = parse_tolerant('{"a": 1, "b": [true, null, "x"]}', first_line=7)
    assert result.value == {"a": 1, "b": [True, None, "x"]}
    assert result.repairs == ()
    assert (result.first_line, result.last_line) == (7, 7)


def test_line_comments_are_removed_and_recorded() -> None:
    text = '{\n  "a": 1, // the answer\n  "b": 2\n}'
    result = parse_tolerant(text, first_line=10)
    assert result.value == {"a": 1, "b": 2}
    assert result.repairs == ("comment at line 11 removed",)


def test_url_inside_a_string_is_not_a_comment() -> None:
    result = parse_tolerant('{"image": "https://example.com/a.jpg"}')
    assert result.value == {"image": "https://example.com/a.jpg"}
    assert result.repairs == ()


def test_commented_out_key_is_kept_with_its_value() -> None:
    text = '{\n  "prompt": "x",\n // "image": "https://example.com/a.jpg",\n  "duration": "5"\n}'
    result = parse_tolerant(text, first_line=143)
    assert result.value == {"prompt": "x", "duration": "5"}
    assert len(result.commented_out) == 1
    item = result.commented_out[0]
    assert (item.key, item.value, item.first_line) == ("image", "https://example.com/a.jpg", 145)
    assert 'commented-out key "image" at line 145 ignored' in result.repairs


def test_multi_line_commented_out_object() -> None:
    text = '{\n  "a": 1,\n  // "camera_control": {\n  //   "type": "simple"\n  // },\n  "b": 2\n}'
    result = parse_tolerant(text)
    assert result.commented_out[0].key == "camera_control"
    assert result.commented_out[0].value == {"type": "simple"}
    assert 'commented-out key "camera_control" at lines 3-5 ignored' in result.repairs


def test_block_comments_are_removed() -> None:
    result = parse_tolerant('{"a": /* one */ 1}')
    assert result.value == {"a": 1}
    assert result.repairs == ("comment at line 1 removed",)


def test_trailing_commas_are_removed_with_their_line() -> None:
    text = '{\n  "a": [1, 2,],\n  "b": {"c": 3,},\n}'
    result = parse_tolerant(text, first_line=40)
    assert result.value == {"a": [1, 2], "b": {"c": 3}}
    assert result.repairs == (
        "trailing comma at line 41 removed",
        "trailing comma at line 42 removed",
        "trailing comma at line 42 removed",
    )


def test_truncated_string_and_object_are_closed_and_recorded() -> None:
    cut = "/9j/" + "A" * 500  # a base64 image cut off mid-string, and the object never closed
    lines = ["示例", "{", '  "duration": "5",', f'  "image": "{cut}', "", "请求示例代码"]
    result = scan_json_block(lines, 1, 0)
    assert (result.first_line, result.last_line) == (2, 4)
    assert result.truncated
    assert "truncated string at line 4 repaired" in result.repairs
    assert "unterminated object opened at line 2 closed after line 4" in result.repairs
    assert any("cut off in the source" in note and "504" in note for note in result.repairs)
    image = result.value["image"]
    assert is_shortened(image)
    assert image.startswith(cut[:64])
    assert image.endswith("…[truncated in source, 504 chars]")
    json.dumps(result.value)  # the repaired body is plain JSON again


def test_short_truncated_string_is_kept_whole() -> None:
    result = parse_tolerant('{"a": "abc\n}')
    assert result.value == {"a": "abc"}
    assert "truncated string at line 1 repaired" in result.repairs


def test_block_ends_where_the_document_stops_looking_like_json() -> None:
    lines = ['{"a": 1,', '  "b": [1, 2', "", "返回响应", '{"c": 3}']
    result = scan_json_block(lines, 0, 0)
    assert result.value == {"a": 1, "b": [1, 2]}
    assert result.last_line == 2
    assert len([r for r in result.repairs if r.startswith("unterminated")]) == 2


def test_block_in_the_middle_of_a_line_ends_at_its_bracket() -> None:
    lines = ["--data-raw '{", '  "a": 1', "}'"]
    result = scan_json_block(lines, 0, len("--data-raw '"))
    assert result.value == {"a": 1}
    assert (result.last_line, result.end_col) == (3, 1)


def test_json5_syntax_is_accepted_and_noted() -> None:
    result = parse_tolerant("{'a': 1, b: 2}", first_line=3)
    assert result.value == {"a": 1, "b": 2}
    assert result.repairs and result.repairs[0].startswith("JSON5 syntax at line 3 accepted")


def test_unrepairable_json_names_its_line() -> None:
    with pytest.raises(JsonRepairError) as caught:
        parse_tolerant('{\n  "a": 1\n  "b": 2\n}', first_line=20)
    assert caught.value.line == 22
    assert "not repairable" in caught.value.reason
    assert caught.value.last_line == 23


def test_mismatched_bracket_names_its_line() -> None:
    with pytest.raises(JsonRepairError) as caught:
        parse_tolerant('{\n  "a": [1, 2}\n}', first_line=5)
    assert caught.value.line == 6
    assert "closes the array opened at line 6" in caught.value.reason


def test_text_that_is_not_json_is_rejected() -> None:
    with pytest.raises(JsonRepairError):
        parse_tolerant("Authorization: Bearer x")
