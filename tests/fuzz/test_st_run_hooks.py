"""``st run`` users get our checks through ``SCHEMATHESIS_HOOKS=conformance.fuzz.st_checks``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.emulator import EmulatorConfig, start_emulator
from conformance.paths import canonical_spec_path
from conformance.profiles import load_profile


@pytest.mark.slow
def test_st_run_accepts_and_runs_the_kling_checks_against_the_emulator() -> None:
    st = Path(sys.executable).with_name("st")
    with start_emulator([load_profile("kling-official")], EmulatorConfig(keys=("k-test",), time_scale=0.001)) as em:
        env = dict(
            os.environ, SCHEMATHESIS_HOOKS="conformance.fuzz.st_checks", KLING_CONFORMANCE_GATEWAY="kling-official"
        )
        completed = subprocess.run(
            [
                str(st),
                "run",
                str(canonical_spec_path()),
                "--url",
                em.base_url("kling-official"),
                "-H",
                "Authorization: Bearer k-test",
                "--include-operation-id",
                "text2video.create",
                "--checks",
                "not_a_server_error,negative_data_rejection,kling_response_recognized,kling_error_body,"
                "kling_task_fields",
                "--max-examples",
                "3",
                "--phases",
                "examples,fuzzing",
                "--no-color",
                "--seed",
                "1",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "No issues found" in completed.stdout
