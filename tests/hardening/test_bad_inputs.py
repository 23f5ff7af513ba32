"""Bad user input: every case exits 2 with one paragraph naming the file, key or flag and the fix.

Each case runs the real CLI entry point (``conformance.cli.app.main``) in-process in a scratch folder;
a few also run through the installed console script. No case may print a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import figure_sink_fixture
from hardening_figures import FigureSink

from conformance.cli.app import main

figures = figure_sink_fixture("bad_inputs")

#: Files the cases refer to, created in the scratch folder.
FILES: dict[str, str] = {
    "malformed.toml": 'id = "x\n[[[\n',
    "schema.toml": 'id = "mine"\ntitle = 3\n',
    "bad-id.toml": 'id = "Not An Id!"\n',
    "extends.toml": 'id = "mine"\nextends = "newapii"\n',
    "literal-key.toml": (
        'id = "mine"\nextends = "newapi"\nbase_url = "https://gw.example"\n\n'
        '[auth]\nenv = "sk-live-0123456789abcdefghijklmnopqrstuvwxyz"\n'
    ),
    "broken/kling-official/auth.missing-key.yaml": ":\n  - [unclosed\n\t bad: yaml: [\n",
    "newer/kling-official/auth.missing-key.yaml": (
        "version: 1\ninteractions: []\nkling_conformance:\n  format: 99\n  tool_version: '9.0.0'\n"
        "  gateway: kling-official\n  scenario: auth.missing-key\n"
    ),
    "notreport.json": '{"hello": 1}\n',
    "notjson.json": "this is not json\n",
    "uses.yaml": "operations: [unclosed\n",
    "uses-list.yaml": "- just\n- a list\n",
    "afile": "a regular file, not a folder\n",
    "deep.toml": 'id = "x"\nv = ' + "[" * 3000 + "]" * 3000 + "\n",
    "binary.toml": 'id = "x"\x00\x01\x02 binary\n',
    "large.toml": 'id = "mine"\n' + "# padding line\n" * 80_000,
    "binary.yaml": "operations: [a]\x00\x07\n",
    "deep.yaml": "operations: " + "[" * 200 + "]" * 200 + "\n",
    "binary.json": '{"meta": 1}\x00\n',
    "deep.json": "[" * 500 + "]" * 500 + "\n",
    "deepcas/kling-official/auth.missing-key.yaml": "[" * 600 + "]" * 600 + "\n",
    "afolder/.keep": "",
}


@dataclass(frozen=True, slots=True)
class BadInput:
    """One bad invocation and what its message must name."""

    id: str
    argv: tuple[str, ...]
    names: tuple[str, ...]  # every one must appear in the message
    env_unset: tuple[str, ...] = ()


def _case(id: str, argv: str, *names: str, unset: tuple[str, ...] = ()) -> BadInput:
    return BadInput(id=id, argv=tuple(argv.split()), names=names, env_unset=unset)


CASES: tuple[BadInput, ...] = (
    _case("unknown-gateway", "run -g yibuap", "--gateway", "Did you mean 'yibuapi'"),
    _case("unknown-gateway-plan", "plan -g onehubb", "--gateway", "Did you mean 'onehub'"),
    _case("malformed-profile-toml", "run --profile malformed.toml", "malformed.toml", "TOML"),
    _case("profile-fails-schema", "run --profile schema.toml", "schema.toml", "title"),
    _case("profile-bad-id", "run --profile bad-id.toml", "bad-id.toml", "id"),
    _case("profile-extends-unknown", "run --profile extends.toml", "extends.toml", "extends", "newapi"),
    _case("profile-missing-file", "gateways --profile missing.toml", "missing.toml"),
    _case("profile-literal-key", "run --profile literal-key.toml", "literal-key.toml", "env"),
    _case("unreadable-cassette", "run -g kling-official --cassettes broken", "auth.missing-key.yaml", "YAML"),
    _case("cassette-from-newer-tool", "run -g kling-official --cassettes newer", "auth.missing-key.yaml", "newer"),
    _case("shard-out-of-range", "run --shard 3/2", "--shard", "3/2"),
    _case("shard-zero", "run --shard 0/2", "--shard"),
    _case("shard-not-a-fraction", "run --shard abc", "--shard", "i/n"),
    _case("negative-budget", "run --max-paid-tasks -1", "--max-paid-tasks"),
    _case("base-url-without-scheme", "run --mode live -g yibuapi --base-url example.com", "--base-url", "scheme"),
    _case("base-url-in-replay", "run --base-url https://gw.example", "--base-url", "--mode live"),
    _case("base-url-and-emulator", "run --emulator --base-url https://gw.example", "--base-url", "--emulator"),
    _case(
        "missing-key-variable", "run --mode live -g yibuapi", "YIBUAPI_API_KEY", "export", unset=("YIBUAPI_API_KEY",)
    ),
    _case(
        "missing-key-record",
        "run --mode record -g newapi --base-url https://gw.example",
        "NEWAPI_API_KEY",
        unset=("NEWAPI_API_KEY",),
    ),
    _case("reports-folder-not-writable", "run -g kling-official --reports-dir afile/sub", "afile/sub", "--reports-dir"),
    _case("unknown-check", "run --check doc_example_acepted", "--check", "doc_example_accepted"),
    _case("bad-faults-kind", "run --emulator --faults htm502", "--faults", "html502"),
    _case("bad-faults-probability", "serve --faults html502=2", "--faults", "[0, 1]"),
    _case("faults-without-emulator", "run --faults html502", "--faults", "--emulator"),
    _case("zero-time-scale", "run --emulator --time-scale 0", "--time-scale"),
    _case("negative-time-scale", "run --emulator --time-scale -1", "--time-scale"),
    _case("unknown-mode", "run --mode turbo", "--mode", "replay"),
    _case("zero-deadline", "run --deadline 0", "--deadline"),
    _case("negative-poll-interval", "run --poll-interval -1", "--poll-interval"),
    _case("tiny-body-cap", "run --max-body-bytes 10", "--max-body-bytes"),
    _case("zero-read-timeout", "run --read-timeout 0", "--read-timeout"),
    _case("inspect-missing-file", "inspect missing.json", "missing.json"),
    _case("inspect-unknown-profile", "inspect --profile nope notreport.json", "--profile", "nope"),
    _case("compare-unknown-id", "compare --from yibuapi --to nope", "--to", "nope"),
    _case("compare-bad-uses-yaml", "compare --from yibuapi --to newapi --uses uses.yaml", "uses.yaml", "YAML"),
    _case("diff-non-report-json", "diff notreport.json notreport.json", "notreport.json", "report"),
    _case("diff-not-json", "diff notjson.json notjson.json", "notjson.json"),
    _case("diff-missing-file", "diff missing.json missing.json", "missing.json"),
    _case("merge-non-report", "merge notreport.json notreport.json", "notreport.json"),
    _case("report-missing-source", "report nonexistent-dir", "nonexistent-dir"),
    # numeric flags: nan, inf, negative, absurd (every command, checked in one place)
    _case("nan-time-scale", "run --emulator --time-scale nan", "--time-scale", "finite"),
    _case("inf-time-scale-serve", "serve --time-scale inf", "--time-scale", "finite"),
    _case("nan-deadline", "run --deadline nan", "--deadline", "finite"),
    _case("inf-task-deadline", "run --task-deadline inf", "--task-deadline"),
    _case("nan-read-timeout", "run --read-timeout nan", "--read-timeout"),
    _case("nan-poll-interval", "run --poll-interval nan", "--poll-interval"),
    _case("absurd-budget-run", "run --max-paid-tasks 18446744073709551616", "--max-paid-tasks"),
    _case("absurd-budget-plan", "plan --max-paid-tasks 99999999999", "--max-paid-tasks"),
    _case("fuzz-negative-examples", "fuzz -g kling-official --max-examples -1", "--max-examples"),
    _case("fuzz-negative-seed", "fuzz -g kling-official --seed -3", "--seed"),
    _case("serve-negative-port", "serve --port -5", "--port"),
    _case("serve-nan-fail-share", "serve --fail-share nan", "--fail-share"),
    _case("serve-nan-rate-limit", "serve --rate-limit nan", "--rate-limit"),
    _case("serve-zero-max-running", "serve --max-running 0", "--max-running"),
    _case("callback-port-too-big", "run --callback-port 70000", "--callback-port"),
    _case("absurd-body-cap", "run --max-body-bytes 99999999999999", "--max-body-bytes"),
    # file inputs: binary, too deep, too large (one bounded reader)
    _case("profile-dev-zero", "gateways --profile /dev/zero", "/dev/zero", "larger than"),
    _case("profile-too-deep", "run --profile deep.toml", "deep.toml", "nested"),
    _case("profile-binary", "gateways --profile binary.toml", "binary.toml", "binary"),
    _case("profile-too-large", "gateways --profile large.toml", "large.toml", "larger than"),
    _case("profile-is-a-folder", "gateways --profile afolder", "afolder", "folder"),
    _case("uses-binary", "compare --from yibuapi --to newapi --uses binary.yaml", "binary.yaml", "binary"),
    _case("uses-too-deep", "compare --from yibuapi --to newapi --uses deep.yaml", "deep.yaml", "nested"),
    _case("report-binary", "diff binary.json binary.json", "binary.json", "binary"),
    _case("report-too-deep", "diff deep.json deep.json", "deep.json", "nested"),
    _case("cassette-too-deep", "run -g kling-official --cassettes deepcas", "auth.missing-key.yaml", "nested"),
    _case("inspect-dev-zero", "inspect /dev/zero", "/dev/zero", "larger than"),
    _case("inspect-folder", "inspect afolder", "afolder", "folder"),
    _case("cassettes-is-a-file", "run --mode record --emulator --cassettes afile", "--cassettes", "folder"),
)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding :data:`FILES`, with no API key variables set."""
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLING_CONFORMANCE_NO_CACHE", "1")
    return tmp_path


def _invoke(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out + out.err


def _assert_usage_message(case_id: str, code: int, output: str, names: tuple[str, ...]) -> None:
    assert "Traceback" not in output, f"{case_id}: traceback\n{output}"
    assert code == 2, f"{case_id}: exit {code}\n{output}"
    message = output[output.index("error:") :] if "error:" in output else output
    paragraph = message.strip()
    assert "\n\n" not in paragraph and paragraph.count("\n") <= 1, f"{case_id}: not one paragraph\n{output}"
    assert "Fix:" in paragraph, f"{case_id}: no fix given\n{output}"
    for name in names:
        assert name in paragraph, f"{case_id}: message does not name {name!r}\n{output}"


def test_at_least_25_distinct_cases() -> None:
    """The table covers the issue's list and more, without repeats."""
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES) == len({c.argv for c in CASES})


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(
    case: BadInput,
    scratch: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    figures: FigureSink,
) -> None:
    """Exit code 2, one paragraph naming the file/key/flag and the fix, no traceback."""
    figures.require("tried", len(CASES) + 1)
    figures.add("tried")
    for name in case.env_unset:
        monkeypatch.delenv(name, raising=False)
    code, output = _invoke(case.argv, capsys)
    _assert_usage_message(case.id, code, output, case.names)
    figures.add("exit_2_with_fix")


def test_merge_of_mismatched_runs(scratch: Path, capsys: pytest.CaptureFixture[str], figures: FigureSink) -> None:
    """Shards of two different splits are refused, naming the field and the fix."""
    figures.add("tried")
    for shard, folder in (("1/2", "one"), ("2/3", "two")):
        code, output = _invoke(("run", "-g", "kling-official", "--shard", shard, "--reports-dir", folder, "-q"), capsys)
        assert code in (0, 1), output
    code, output = _invoke(("merge", "one/latest", "two/latest", "-o", "merged"), capsys)
    _assert_usage_message("merge-mismatched-runs", code, output, ("meta.shard", "--shard"))
    figures.add("exit_2_with_fix")


def test_console_script_behaves_the_same(scratch: Path) -> None:
    """Through the real process boundary: exit 2 and the message on stderr, nothing on a traceback."""
    for argv, name in ((["run", "--shard", "3/2"], "--shard"), (["run", "-g", "yibuap"], "yibuapi")):
        done = subprocess.run(
            [sys.executable, "-m", "conformance", *argv], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert name in done.stderr and "Fix:" in done.stderr
