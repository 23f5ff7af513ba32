"""The committed specs/gateways/*.yaml are exactly what the extractor derives from ../shared/seeds."""

from __future__ import annotations

from pathlib import Path

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator
from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.docs import DerivedSpecs, derive_gateway_specs, spec_file


def test_committed_gateway_specs_are_not_stale(derived: DerivedSpecs, committed_dir: Path) -> None:
    assert sorted(derived.texts) == sorted(path.stem for path in committed_dir.glob("*.yaml"))
    stale = [
        gateway_id
        for gateway_id, text in derived.texts.items()
        if spec_file(committed_dir, gateway_id).read_bytes() != text.encode("utf-8")
    ]
    assert not stale, (
        f"specs/gateways/{{{','.join(stale)}}}.yaml are stale; regenerate with "
        "`kling-conformance docs extract ../shared/seeds --out specs/gateways/`"
    )


def test_derivation_is_deterministic(derived: DerivedSpecs, seed_files: list[Path]) -> None:
    again = derive_gateway_specs(list(reversed(seed_files)))
    assert again.texts == derived.texts


def test_check_mode_detects_a_stale_file(seed_files: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["docs", "extract", *map(str, seed_files), "--out", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert (
        runner.invoke(app, ["docs", "extract", *map(str, seed_files), "--out", str(tmp_path), "--check"]).exit_code == 0
    )
    target = tmp_path / "n1n.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    stale = runner.invoke(app, ["docs", "extract", *map(str, seed_files), "--out", str(tmp_path), "--check"])
    assert stale.exit_code == 1
    assert "n1n.yaml [STALE]" in stale.output
    assert target.read_text(encoding="utf-8").endswith("# edited by hand\n")  # --check writes nothing
    rewritten = runner.invoke(app, ["docs", "extract", *map(str, seed_files), "--out", str(tmp_path)])
    assert rewritten.exit_code == 0 and "n1n.yaml [written]" in rewritten.output
    assert "yibuapi.yaml [unchanged]" in rewritten.output


def test_derived_specs_are_valid_openapi_3_1(committed_dir: Path) -> None:
    files = sorted(committed_dir.glob("*.yaml"))
    assert len(files) == 5
    for path in files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["openapi"] == "3.1.0"
        OpenAPIV31SpecValidator(document).validate()


def test_raw_document_text_stays_out(derived: DerivedSpecs, seed_files: list[Path]) -> None:
    """Only extracted data and provenance: no prose line of a document, no whole base64 image."""
    prose = []
    for path in seed_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if len(text) >= 20 and not text.startswith(('"', "{", "}", "//", "[", "]", "--", "curl", "http", "/")):
                prose.append(text)
    for gateway_id, text in derived.texts.items():
        for line in prose:
            assert line not in text, f"{gateway_id}.yaml copies document text: {line[:60]!r}"
        assert max(len(row) for row in text.splitlines()) < 400


def test_json_output_and_show(seed_files: list[Path], tmp_path: Path) -> None:
    import json

    runner = CliRunner()
    result = runner.invoke(app, ["docs", "extract", *map(str, seed_files), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sum(data["examples"].values()) == 11 and data["problems"] == []
    assert data["gateways"]["winfull"]["operations"] == ["image2video.create"]
    shown = runner.invoke(app, ["docs", "show", "bynewapi"])
    assert shown.exit_code == 0
    assert "image2video.get: GET /kling/v1/videos/image2video/{task_id}" in shown.output
    assert "[waives unknown_task_error] (002_c430042acbbaa5ba.txt:205)" in shown.output
