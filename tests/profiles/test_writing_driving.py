"""Writing (request mapping) and driving (task protocol) keys: what they do and how they fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import ProfileError
from conformance.harness.scenarios import build_catalog
from conformance.profiles import load_builtin_profiles, load_profile_file
from conformance.profiles.model import RequestMapping
from conformance.profiles.writing import map_request, mapped_path

HEAD = 'id = "mapped"\nextends = "kling-official"\n'

PIAPI = RequestMapping(
    rename={"model_name": "input.version"},
    nest="input",
    drop=("external_task_id",),
    values={"model_name": {"kling-v1": "1.0", "kling-v1-6": "1.6"}},
    set={"model": "kling", "task_type": "video_generation", "config.service_mode": "public"},
)


def test_rename_nest_translate_and_constants() -> None:
    body = {"model_name": "kling-v1-6", "prompt": "a fox", "duration": "5", "external_task_id": "x"}
    assert map_request(PIAPI, body) == {
        "model": "kling",
        "task_type": "video_generation",
        "config": {"service_mode": "public"},
        "input": {"version": "1.6", "prompt": "a fox", "duration": "5"},
    }
    assert body["model_name"] == "kling-v1-6"  # the canonical body is not touched


def test_templates_take_values_and_defaults_and_keep_types() -> None:
    mapping = RequestMapping(
        rename={"prompt": "prompt"},
        unmapped="drop",
        values={"model_name": {"kling-v2-1": "v2.1"}},
        defaults={"mode": "std", "duration": "5"},
        set={"model": "kling-video/{model_name}/{mode}/text-to-video", "seconds": "{duration}", "n": "{cfg_scale}"},
    )
    out = map_request(mapping, {"model_name": "kling-v2-1", "prompt": "p", "mode": "pro", "duration": 10})
    assert out == {"prompt": "p", "model": "kling-video/v2.1/pro/text-to-video", "seconds": 10}  # n: no value, left out
    assert (
        map_request(mapping, {"model_name": "kling-v2-1", "prompt": "p"})["model"]
        == "kling-video/v2.1/std/text-to-video"
    )


def test_without_a_mapping_bodies_are_exactly_today() -> None:
    body = {"model_name": "kling-v1", "prompt": "p"}
    assert map_request(None, body) is body
    assert map_request(PIAPI, "raw text") == "raw text"
    for gateway in ("kling-official", "yibuapi", "apicore", "bynewapi", "n1n", "winfull", "newapi", "onehub"):
        profile = load_builtin_profiles()[gateway]
        assert all(op.request is None and op.task is None for op in profile.operations.values())


def test_mapped_path_follows_the_field() -> None:
    assert mapped_path(PIAPI, "$.duration") == "$.input.duration"
    assert mapped_path(PIAPI, "$.model_name") == "$.input.version"
    assert mapped_path(PIAPI, "$") == "$"
    assert mapped_path(None, "$.duration") == "$.duration"


def test_catalog_sends_the_mapped_body_and_keeps_the_canonical_one(write_profile: Callable[..., Path]) -> None:
    path = write_profile(
        HEAD
        + '[operations."text2video.create".request]\nnest = "input"\nrename = { model_name = "model" }\n'
        + 'values.model_name = { "kling-v1" = "kling-1.0-std" }\n'
    )
    catalog = {s.id: s for s in build_catalog(load_profile_file(path))}
    minimal = catalog["text2video.create.minimal"]
    assert minimal.requests[0].body == {
        "model": "kling-1.0-std",
        "input": {"prompt": "a paper boat drifting on a calm lake"},
    }
    assert minimal.request_body == {"model_name": "kling-v1", "prompt": "a paper boat drifting on a calm lake"}
    bad = catalog["text2video.create.invalid.wrong-type"]
    assert bad.requests[0].body["input"]["duration"] == 5
    assert bad.meta["wire_field_path"] == "$.input.duration" and bad.meta["field_path"] == "$.duration"
    # other families keep the canonical body
    assert catalog["image2video.create.minimal"].requests[0].body["model_name"] == "kling-v1"


BROKEN: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "misspelt-request-key",
        '[operations."text2video.create".request]\nrenmae = { prompt = "input.prompt" }\n',
        ("gw.toml:4", "'renmae'", "Did you mean 'rename'?"),
    ),
    (
        "misspelt-task-key",
        '[operations."text2video.create".task]\npoll_ulr = "status_url"\n',
        ("'poll_ulr'", "Did you mean 'poll_url'?"),
    ),
    (
        "bad-jsonpath",
        '[operations."text2video.create".task]\npoll_url = "$.data.[status_url"\n',
        ("task.poll_url", "not a valid JSONPath query", "Fix:"),
    ),
    (
        "task-on-a-get",
        '[operations."text2video.get".task]\npoll_url = "$.status_url"\n',
        ("text2video.get", "create operation", 'text2video.create".task'),
    ),
    (
        "poll-url-and-path",
        '[operations."text2video.create".task]\npoll_url = "$.status_url"\npoll_path = "/s/{task_id}"\n',
        ("poll_path", "not both"),
    ),
    (
        "renamed-and-dropped",
        '[operations."text2video.create".request]\nrename = { prompt = "text" }\ndrop = ["prompt"]\n',
        ("request.drop", "both renamed and dropped"),
    ),
    (
        "unmapped-value",
        '[operations."text2video.create".request]\nunmapped = "ignore"\n',
        ("request.unmapped", "use one of: 'keep', 'drop'"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_writing_or_driving_exits_2(
    text: str, expected: tuple[str, ...], write_profile: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    path = write_profile(HEAD + text)
    result = run_cli("gateways", "--gateway", "kling-official", "--profile", str(path))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr and "gw.toml" in result.stderr
    for fragment in expected:
        assert fragment in result.stderr, (fragment, result.stderr)
    with pytest.raises(ProfileError):
        load_profile_file(path)


def test_the_emulator_refuses_a_profile_it_would_misrepresent(
    write_profile: Callable[..., Path], run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    from conformance.emulator.coverage import emulation_gaps

    text = (
        'id = "queue"\ntitle = "q"\nfamily = "custom"\nbase_url = "https://q.example"\npath_prefix = ""\n'
        '[operations."*"]\nsupported = false\n'
        '[operations."text2video.create"]\nsupported = true\npath = "/t2v"\n'
        '[operations."text2video.create".task]\npoll_url = "$.status_url"\n'
    )
    path = write_profile(text)
    result = run_cli("run", "--emulator", "--profile", str(path), "--reports-dir", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "cannot serve queue as itself" in result.stderr and "task protocol" in result.stderr
    assert "--mode replay" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())  # no 54 passes written
    plain = load_profile_file(write_profile(text.split('[operations."text2video.create".task]')[0], "plain.toml"))
    assert emulation_gaps(plain) == []  # a Kling-shaped custom gateway is still served
    from conformance.emulator.coverage import served_by_default
    from conformance.emulator.described import is_described

    builtins = load_builtin_profiles()
    default = [gid for gid, p in builtins.items() if served_by_default(p)]
    assert default[:8] == list(builtins)[:8]  # the eight seed/engine gateways
    assert is_described(builtins["fal"]) and is_described(builtins["piapi"])  # served from their description
    assert not emulation_gaps(builtins["fal"]) and emulation_gaps(builtins["segmind"])  # segmind: no answer


def test_set_templates_inside_lists_wrap_a_field() -> None:
    mapping = RequestMapping(drop=("image",), nest="input", set={"input.image_urls": ["{image}"]})
    assert map_request(mapping, {"image": "https://x/1.png", "prompt": "p"}) == {
        "input": {"prompt": "p", "image_urls": ["https://x/1.png"]}
    }
    assert "image_urls" not in map_request(mapping, {"prompt": "p"})["input"]  # no image: no list


def test_examples_document_this_gateway_only(write_profile: Callable[..., Path]) -> None:
    from conformance.harness.docexamples import doc_examples_for, profile_examples

    base = write_profile(
        HEAD
        + "[[examples]]\n"
        + 'operation = "text2video.create"\npath = "/kling/v1/videos/text2video"\n'
        + 'source = "https://docs.example.com/kling/text2video"\nretrieved = "2026-12-01"\n'
        + 'request = { model_name = "kling-v1", prompt = "p" }\nresponse = { code = 0, data = { task_id = "1" } }\n',
        "base.toml",
    )
    profile = load_profile_file(base)
    (example,) = profile_examples(profile)
    assert example.source == "https://docs.example.com/kling/text2video" and example.response_status == 200
    scenarios = doc_examples_for(profile, None)
    assert scenarios["text2video.create"]["body"] == {"model_name": "kling-v1", "prompt": "p"}
    child = load_profile_file(write_profile('id = "child"\nextends = "base.toml"\n', "child.toml"))
    assert child.examples == ()  # another gateway's documentation is not this one's
