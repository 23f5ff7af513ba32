"""``kling-conformance spec check``: exit codes, summary, problems with file and JSON path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from conformance.cli.app import app
from conformance.paths import canonical_spec_path, gateway_specs_dir

runner = CliRunner()


def _gateway_spec(tmp_path: Path, *, operation_id: str = "image2video.create") -> Path:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Example gateway", "version": "1"},
        "x-gateway": {"id": "examplegw", "name": "Example", "base_url": "https://gw.example.com"},
        "x-departures": [
            {"operation": "image2video.create", "json_path": "$.aspect_ratio", "reason": "extra field"},
            {"operation": "image2video.get", "json_path": "$.code", "reason": "code as string"},
        ],
        "paths": {
            "/kling/v1/videos/image2video": {
                "post": {"operationId": operation_id, "responses": {"200": {"description": "ok"}}},
            }
        },
    }
    path = tmp_path / "examplegw.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_real_specs_pass_with_exit_0() -> None:
    result = runner.invoke(app, ["spec", "check"])
    assert result.exit_code == 0, result.output
    assert "canonical: 24 operations" in result.output
    gateway_files = sorted(gateway_specs_dir().glob("*.yaml")) if gateway_specs_dir().is_dir() else []
    assert f"{2 + len(gateway_files)} spec(s) checked" in result.output  # canonical, 3.x, gateways
    assert "kling-v3.openapi.yaml  kling-v3: 5 operations" in result.output


def test_python_dash_m_spec_check_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "spec", "check", str(canonical_spec_path())],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_broken_copy_exits_2_with_file_and_json_path(spec_copy: Path) -> None:
    document = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    document["paths"]["/v1/videos/image2video"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": 12
    }
    spec_copy.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["spec", "check", str(spec_copy)])
    assert result.exit_code == 2
    assert str(spec_copy) in result.output
    assert "$.paths['/v1/videos/image2video'].post.responses['200'].content['application/json'].schema" in result.output


def test_missing_operation_in_canonical_copy_is_reported(spec_copy: Path) -> None:
    document = yaml.safe_load(spec_copy.read_text(encoding="utf-8"))
    del document["paths"]["/v1/videos/lip-sync/{task_id}"]
    spec_copy.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["spec", "check", str(spec_copy)])
    assert result.exit_code == 2
    assert "$.paths: missing operationIds: lip-sync.get" in result.output


def test_error_row_with_a_split_explanation_is_reported(spec_copy: Path) -> None:
    text = spec_copy.read_text(encoding="utf-8")
    text = text.replace('"Requested resource does not exist (e.g. model, task)"', "Requested (e.g. model, task)")
    spec_copy.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["spec", "check", str(spec_copy)])
    assert result.exit_code == 2, result.output
    assert "x-kling-error-codes" in result.output and "'task)'" in result.output


def test_yaml_syntax_error_names_the_line(spec_copy: Path) -> None:
    lines = spec_copy.read_text(encoding="utf-8").splitlines()
    lines[9] = "  bad: [unclosed"
    spec_copy.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["spec", "check", str(spec_copy)])
    assert result.exit_code == 2
    assert f"{spec_copy}:1" in result.output  # file:line:column of the YAML error


def test_gateway_spec_summary_counts_operations_and_departures(tmp_path: Path) -> None:
    gateway = _gateway_spec(tmp_path)
    result = runner.invoke(app, ["spec", "check", str(canonical_spec_path()), str(gateway)])
    assert result.exit_code == 0, result.output
    assert "gateway examplegw: 1 operations, 2 departures" in result.output
    assert "2 departures in total" in result.output


def test_gateway_spec_with_unknown_operation_id_exits_2(tmp_path: Path) -> None:
    gateway = _gateway_spec(tmp_path, operation_id="img2vid.create")
    result = runner.invoke(app, ["spec", "check", str(gateway)])
    assert result.exit_code == 2
    assert "$.paths['/kling/v1/videos/image2video'].post.operationId" in result.output


def test_json_output(tmp_path: Path) -> None:
    gateway = _gateway_spec(tmp_path)
    result = runner.invoke(app, ["spec", "check", "--json", str(canonical_spec_path()), str(gateway)])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    kinds = {entry["kind"]: entry for entry in payload["specs"]}
    assert kinds["canonical"]["operation_count"] == 24
    assert kinds["gateway"]["gateway"] == "examplegw" and kinds["gateway"]["departures"] == 2


def test_help_describes_the_command() -> None:
    result = runner.invoke(app, ["spec", "check", "--help"])
    assert result.exit_code == 0
    assert "--json" in result.output
