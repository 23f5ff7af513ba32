"""``profile draft``: a profile drafted from a gateway's corpus bodies reads them as its built-in does."""

from __future__ import annotations

import io
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.normalize import normalize
from conformance.profiles import load_builtin_profiles, load_profile
from conformance.profiles.drafting import Sample, draft_profile

CORPUS = json.loads((Path(__file__).parents[1] / "normalize" / "corpus" / "gateways.json").read_text("utf-8"))
GATEWAYS = {entry["gateway"]: entry for entry in CORPUS["gateways"]}
#: What a reading is compared on (the shape id is the draft's own: draft-task, draft-error).
FIELDS = ("is_error", "status", "raw_status", "task_id", "video_urls", "image_urls", "failure_reason",
          "error_code", "error_message", "created_at", "updated_at")  # fmt: skip
#: Where the draft and a built-in disagree, and why the draft is the one that follows the documentation.
BUILTIN_DIFFERS = {
    # kie's built-in reads every resultUrls entry as a video, also the documented .jpg (the corpus expects
    # image_urls); and it reads no URL of a body in state "wait", the draft reads videoInfo's two.
    ("kie", "kie-success"): {"video_urls", "image_urls"},
    ("kie", "kie-runway-wait"): {"video_urls", "image_urls"},
}


def _samples(gateway: str) -> list[Sample]:
    return [
        Sample(body["id"], body["body"], body.get("status_code"), None, json.dumps(body["body"]).encode())
        for body in GATEWAYS[gateway]["bodies"]
    ]


def _drafted(gateway: str, tmp_path: Path) -> Any:
    """Draft from the corpus bodies, write the TOML, and load it as any user profile is loaded."""
    draft = draft_profile(_samples(gateway), profile_id=f"draft-{gateway}")
    text = draft.text()
    assert tomllib.loads(text) == draft.data()  # the comments and the data never disagree
    path = tmp_path / f"draft-{gateway}.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(str(path))


def _read(body: dict[str, Any], profile: Any) -> dict[str, Any]:
    raw = json.dumps(body["body"]).encode()
    result = normalize(raw, status_code=body.get("status_code"), profile=profile, operation=body["operation"])
    return result.to_dict()


@pytest.mark.parametrize("gateway", sorted(GATEWAYS))
def test_the_draft_reads_the_corpus_bodies_as_documented(gateway: str, tmp_path: Path) -> None:
    profile = _drafted(gateway, tmp_path)
    for body in GATEWAYS[gateway]["bodies"]:
        reading = _read(body, profile)
        expected = {key: value for key, value in body["expected"].items() if key != "shape"}
        assert {key: reading[key] for key in expected} == expected, body["id"]
        assert reading["shape"] in {"draft-task", "draft-error"}, body["id"]


@pytest.mark.parametrize("gateway", sorted(set(GATEWAYS) & set(load_builtin_profiles())))
def test_the_draft_reads_the_bodies_as_the_builtin_profile_does(gateway: str, tmp_path: Path) -> None:
    profile = _drafted(gateway, tmp_path)
    builtin = load_builtin_profiles()[gateway]
    for body in GATEWAYS[gateway]["bodies"]:
        ours, theirs = _read(body, profile), _read(body, builtin)
        differ = {key for key in FIELDS if ours[key] != theirs[key]}
        assert differ == BUILTIN_DIFFERS.get((gateway, body["id"]), set()), (body["id"], ours, theirs)


def test_every_inference_names_its_evidence_and_guesses_say_todo() -> None:
    draft = draft_profile(_samples("fal"), profile_id="draft-fal")
    text = draft.text()
    assert "task id: at $.request_id — seen in fal-submit at $.request_id" in text
    assert "'IN_QUEUE' reads as submitted (the tool's vocabulary) — seen in fal-in-queue at $.status" in text
    # request_id may be the HTTP call's id: a person confirms; so is the base URL and the missing error body
    assert "TODO confirm: request_id may be the id of the HTTP call" in text
    assert "TODO confirm: the gateway's base URL" in text
    assert "TODO confirm: add an error body" in text
    assert {finding.topic for finding in draft.to_confirm} >= {"task id", "errors"}


def test_success_codes_timestamp_units_and_json_in_a_string_are_inferred() -> None:
    data = draft_profile(_samples("kie"), profile_id="draft-kie").data()
    task = data["reading"]["shapes"][-1]
    assert task["when"] == [{"path": "$.code", "in": [200]}]
    assert task["decode"][0]["path"] == "$.data.resultJson"
    assert "$.data.resultJson.resultUrls[*]" in task["image_urls"]
    assert {"path": "$.data.createTime", "unit": "ms"} in task["created_at"]
    replicate = draft_profile(_samples("replicate")).data()["reading"]["shapes"][-1]
    assert replicate["created_at"] == [{"path": "$.created_at", "unit": "iso"}]


def test_a_word_the_vocabulary_lacks_is_unknown_with_a_todo_unless_labelled() -> None:
    bodies = [Sample("a.json", {"job_id": "j1", "state": "brewing"}), Sample("b.json", {"job_id": "j1", "state": "ok"})]
    draft = draft_profile(bodies)
    assert draft.data()["reading"]["statuses"] == {"brewing": "unknown", "ok": "unknown"}
    assert "TODO confirm: map the word to submitted, processing, succeed or failed" in draft.text()
    labelled = draft_profile([Sample("a.json", {"job_id": "j1", "state": "brewing"}, role="progress")])
    assert labelled.data()["reading"]["statuses"] == {"brewing": "processing"}
    assert "TODO confirm: a label names one body" in labelled.text()


def test_a_body_it_cannot_explain_reads_unknown_with_a_todo() -> None:
    draft = draft_profile([Sample("odd.json", {"Response": {"Payload": 3}}), Sample("t.json", {"task_id": "t1"})])
    assert "TODO confirm: describe its shape by hand. unexplained body" in draft.text()
    odd = next(reading for reading in draft.readings if reading.label == "odd.json")
    assert odd.shape == "unknown" and odd.task_id is None and odd.status is None


def test_cli_drafts_from_files_and_ndjson(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for body in GATEWAYS["aiai"]["bodies"]:
        path = tmp_path / f"{body['id']}.json"
        path.write_text(json.dumps(body["body"]), encoding="utf-8")
        files.append(f"@{body['status_code']}={path}")
    out = tmp_path / "aiai.toml"
    result = run_cli(
        "profile", "draft", *files, "--id", "my-aiai", "--base-url", "https://api.aiai.com", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    assert "aiai-error.json: shape draft-error, error" in result.stderr
    profile = load_profile(str(out))
    assert profile.id == "my-aiai" and profile.base_url == "https://api.aiai.com"
    lines = b"".join(json.dumps(body["body"]).encode() + b"\n" for body in GATEWAYS["runblob"]["bodies"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    result = run_cli("profile", "draft", "-")
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(result.stdout)["reading"]["shapes"][-1]["task_id"] == "$.generation_id"
    assert "stdin:3: shape draft-task, processing" in result.stderr


@pytest.mark.parametrize(
    ("content", "arg", "said"),
    [
        (None, "missing.json", "missing.json: cannot read"),
        (b"{not json", "bad.json", "bad.json: is not JSON"),
        (b"{}", "erorr=x.json", "'erorr' is not a body role. Did you mean 'error'?"),
        (b"{}", "@999=x.json", "@999 is not an HTTP status"),
    ],
)
def test_bad_input_exits_2_naming_the_file_and_the_fix(
    content: bytes | None, arg: str, said: str, tmp_path: Path, run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / arg.split("=")[-1]).write_bytes(content)
    result = run_cli("profile", "draft", arg)
    assert result.exit_code == 2
    assert said in result.stderr and "Fix:" in result.stderr and "Traceback" not in result.stderr
