"""The default replay run loads only what replay needs (start-up cost; timing itself is in benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Libraries a replay never needs: HTTP stack, emulator server, fuzzing, spec linting, rich output, FFmpeg.
HEAVY = ("httpx", "starlette", "uvicorn", "openapi_spec_validator", "schemathesis", "hypothesis", "rich", "av")

PROBE = """
import sys
from conformance.cli.app import main
before = set(sys.modules)
try:
    main(["run", "--quiet", "--reports-dir", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
heavy = sys.argv[2].split(",")
print("cli-import:" + ",".join(m for m in heavy if m in before))
print("run:" + ",".join(m for m in heavy if m in sys.modules))
print("exit:" + str(code))
"""


def test_default_replay_imports_no_heavy_library(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "reports"), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert lines.get("exit") in ("0", "1"), done.stderr
    assert lines["cli-import"] == "", f"importing the CLI loads {lines['cli-import']}"
    assert lines["run"] == "", f"a default replay run loads {lines['run']}"
    assert (tmp_path / "reports" / "latest" / "report.json").is_file()
