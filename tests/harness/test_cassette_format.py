"""Cassettes on disk: pretty JSON (valid YAML) that vcrpy reads, loaded with orjson, YAML still accepted."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import orjson
import vcr
import yaml

from conformance.harness.cassette import Cassette, Interaction, load_cassette, load_gateway_cassettes, parse_cassette
from conformance.models import Evidence, EvidenceKind, RecordedRequest, RecordedResponse
from conformance.paths import cassettes_dir

BASE = "http://recorded.invalid/gw"
URL = f"{BASE}/kling/v1/videos/image2video/1"


def _cassette(body: bytes) -> Cassette:
    return Cassette(
        gateway="gw",
        scenario="image2video.get.known",
        operation="image2video.get",
        evidence=Evidence(kind=EvidenceKind.EMULATOR, source="test", recorded_at="2026-11-22"),
        base_url=BASE,
        interactions=[
            Interaction(
                request=RecordedRequest(method="GET", url=URL, headers=(("Accept", "application/json"),)),
                response=RecordedResponse(status_code=200, headers=(("Content-Type", "application/json"),), body=body),
                purpose="query",
            )
        ],
    )


def test_written_as_pretty_sorted_json_that_is_also_yaml() -> None:
    text = _cassette(b'{"code":0,"data":{"task_id":"1","task_status":"succeed"}}').dumps()
    assert text.startswith('{\n  "interactions": [') and text.endswith("}\n")
    document = json.loads(text)
    assert list(document) == ["interactions", "kling_conformance", "version"] and document["version"] == 1
    assert document["kling_conformance"]["evidence"]["kind"] == "emulator"
    assert yaml.safe_load(text) == document  # JSON is YAML: every YAML tool reads the same document
    # the body stays readable: one JSON string, not base64
    assert document["interactions"][0]["response"]["body"]["string"].startswith('{"code":0')


def test_vcrpy_replays_unicode_escaped_and_binary_bodies(tmp_path: Path) -> None:
    cases = {
        "unicode": '{"message":"任务已提交 — ok","quote":"\\"x\\"\\ttab"}'.encode(),
        "line-separator": '{"message":"a\u2028b\u0085c"}'.encode(),
        "binary": b"\x89PNG\r\n\x1a\n\x00\xff",
    }
    for name, body in cases.items():
        path = tmp_path / name / "c.yaml"
        _cassette(body).write(path)
        assert load_cassette(path).interactions[0].response.body == body  # type: ignore[union-attr]
        if name == "binary":
            continue  # stored as base64 in our block; vcrpy sees an empty string body
        with vcr.use_cassette(str(path), record_mode="none"), httpx.Client() as client:
            assert client.get(URL).content == body, name


def test_hand_written_yaml_cassettes_still_load() -> None:
    text = """
kling_conformance: {gateway: gw, scenario: image2video.get.known, evidence: {kind: user-supplied, source: me}}
interactions:
- request: {method: GET, uri: 'http://recorded.invalid/gw/kling/v1/videos/image2video/1', body: null, headers: {}}
  response:
    status: {code: 200, message: OK}
    headers: {Content-Type: [application/json]}
    body: {string: '{"code":0}'}
version: 1
"""
    cassette = parse_cassette(text, where="hand.yaml")
    assert cassette.evidence.kind is EvidenceKind.USER_SUPPLIED
    assert cassette.interactions[0].response.body == b'{"code":0}'  # type: ignore[union-attr]


def test_every_bundled_cassette_is_json_with_an_evidence_label() -> None:
    files = sorted(cassettes_dir().rglob("*.yaml"))
    assert len(files) > 100
    for path in files:
        raw = path.read_bytes()
        assert b'"evidence"' in raw, f"{path}: no evidence label"
        document = orjson.loads(raw)  # the fast path, never the YAML fallback
        assert document["version"] == 1 and isinstance(document["interactions"], list), path
        assert raw.endswith(b"}\n"), path


def test_loading_leaves_no_state_outside_the_repository(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    loaded = load_gateway_cassettes(cassettes_dir(), "kling-official")
    assert len(loaded) > 50
    assert not (tmp_path / "home").exists() and not (tmp_path / "cache").exists()
