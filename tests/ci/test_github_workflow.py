"""docs/github-actions.yml: actionlint accepts it, and its steps, played here on the bundled cassettes,
do what the README says (per-gateway runs → merge → step summary → compare gate on a pull request).

The player runs every ``run:`` step with bash as GitHub does (``bash -e -o pipefail``), in job order,
with the job's matrix and the step's ``env:`` evaluated; ``upload-artifact``/``download-artifact`` become
copies into a local artifact folder. It skips what needs GitHub itself: checkout and setup-python (this
checkout and this interpreter are used), the install steps (the package is installed) and the PR comment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "docs" / "github-actions.yml"
#: Steps the player does not run, by id: they need GitHub (a token, a PR) or install what is installed.
NOT_PLAYED = {"install", "comment"}


def _actionlint() -> str | None:
    found = os.environ.get("KC_ACTIONLINT") or shutil.which("actionlint")
    if found:
        return found
    gopath = Path(os.environ.get("GOPATH") or Path.home() / "go")
    candidate = gopath / "bin" / "actionlint"
    return str(candidate) if candidate.exists() else None


def _workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def test_actionlint_accepts_the_workflow() -> None:
    binary = _actionlint()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is missing in CI (.ci/run builds it from the Go module proxy)")
        pytest.skip("no actionlint (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)")
    done = subprocess.run(
        [binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # actionlint does fail on a broken workflow (so the pass above means something).
    broken = WORKFLOW.read_text(encoding="utf-8").replace("needs: merge", "needs: no-such-job")
    bad = subprocess.run(
        [binary, "-no-color", "-"], input=broken, capture_output=True, text=True, timeout=120, check=False
    )
    assert bad.returncode == 1 and "no-such-job" in bad.stdout


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Player:
    """Plays the workflow's jobs on this machine, as a ``pull_request`` event."""

    def __init__(self, workflow: dict[Any, Any], work: Path) -> None:
        self.workflow = workflow
        self.work = work
        self.artifacts = work / "_artifacts"
        self.summaries: dict[str, str] = {}
        self.exit_codes: dict[str, int] = {}
        self.github = {
            "event_name": "pull_request",
            "server_url": "https://github.example",
            "repository": "me/my-client",
            "run_id": "42",
            "event": {"pull_request": {"number": "7"}},
        }

    def evaluate(self, text: str, context: dict[str, Any]) -> str:
        """``${{ ... }}`` of the forms this workflow uses: names, ``a || 'literal'`` and ``a == 'literal'``."""

        def one(expr: str) -> Any:
            if " || " in expr:
                left, right = expr.split(" || ", 1)
                return one(left) or one(right)
            if " == " in expr:
                left, right = expr.split(" == ", 1)
                return one(left) == one(right)
            if expr.startswith("'") and expr.endswith("'"):
                return expr[1:-1]
            value: Any = context
            for part in expr.split("."):
                if not isinstance(value, dict) or part not in value:
                    if expr.split(".")[0] in ("vars", "secrets"):
                        return ""  # not set in this repository
                    raise AssertionError(f"the player cannot evaluate ${{{{ {expr} }}}}")
                value = value[part]
            return value

        whole = _EXPRESSION.fullmatch(text.strip()) if text.count("${{") == 1 else None
        if whole:
            return one(whole.group(1))  # type: ignore[no-any-return]
        return _EXPRESSION.sub(lambda m: str(one(m.group(1))), text)

    def play(self, job_name: str) -> None:
        """Run every matrix combination of one job."""
        job = self.workflow["jobs"][job_name]
        context: dict[str, Any] = {"github": self.github, "vars": {}, "secrets": {}}
        if "if" in job and not self.evaluate("${{ " + job["if"] + " }}", context):
            return
        matrix = job.get("strategy", {}).get("matrix", {})
        combos = [{"gateway": g} for g in matrix["gateway"]] if matrix else [{}]
        for combo in combos:
            self._play_steps(job_name, job, {**context, "matrix": combo})

    def _play_steps(self, job_name: str, job: dict[str, Any], context: dict[str, Any]) -> None:
        cwd = self.work / f"{job_name}-{'-'.join(context['matrix'].values()) or 'job'}"
        cwd.mkdir()
        summary, steps = cwd / "_summary.md", {}
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        env.update({k: self.evaluate(str(v), context) for k, v in self.workflow.get("env", {}).items()})
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        for step in job["steps"]:
            context = {**context, "steps": steps}
            uses = step.get("uses", "")
            if uses.startswith(("actions/checkout@", "actions/setup-python@")) or step.get("id") in NOT_PLAYED:
                continue
            if uses.startswith("actions/upload-artifact@"):
                name = self.evaluate(step["with"]["name"], context)
                shutil.copytree(cwd / step["with"]["path"], self.artifacts / name)
                continue
            if uses.startswith("actions/download-artifact@"):
                self._download(step["with"], cwd)
                continue
            assert not uses, f"the player does not know {uses}"
            output = cwd / f"_output-{len(steps)}"
            output.touch()
            step_env = {k: self.evaluate(str(v), context) for k, v in step.get("env", {}).items()}
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
                cwd=cwd,
                env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            name = step.get("name", step.get("id", "step"))
            self.exit_codes[f"{job_name}: {name}"] = done.returncode
            if done.returncode != 0:
                self.summaries[job_name] = summary.read_text(encoding="utf-8") if summary.exists() else ""
                raise StepFailed(job_name, name, done.returncode, done.stdout + done.stderr)
            outputs = dict(
                line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines() if "=" in line
            )
            if "id" in step:
                steps[step["id"]] = {"outputs": outputs}
        self.summaries[job_name] = summary.read_text(encoding="utf-8") if summary.exists() else ""

    def _download(self, spec: dict[str, Any], cwd: Path) -> None:
        target = cwd / spec["path"]
        target.mkdir(parents=True, exist_ok=True)
        if "name" in spec:
            names = [spec["name"]]
        else:
            prefix = spec["pattern"].rstrip("*")
            names = sorted(p.name for p in self.artifacts.iterdir() if p.name.startswith(prefix))
        for name in names:
            shutil.copytree(
                self.artifacts / name,
                target if spec.get("merge-multiple") or "name" in spec else target / name,
                dirs_exist_ok=True,
            )


class StepFailed(Exception):
    """A played step exited non-zero."""

    def __init__(self, job: str, step: str, code: int, output: str) -> None:
        super().__init__(f"{job} / {step}: exit {code}\n{output[-3000:]}")
        self.job, self.step, self.code = job, step, code


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Player:
    """The workflow's gateway jobs and merge job, played once for the tests below."""
    player = Player(_workflow(), tmp_path_factory.mktemp("workflow"))
    player.play("conformance")  # one whole run per gateway, each keeping its report.json
    player.play("merge")
    return player


def test_the_gateway_jobs_and_the_merge_write_one_run_and_the_step_summary(merged: Player) -> None:
    gateways = merged.workflow["jobs"]["conformance"]["strategy"]["matrix"]["gateway"]
    names = sorted(p.name for p in merged.artifacts.iterdir())
    assert names == sorted([*(f"report-{g}" for g in gateways), "kling-conformance-report"])
    report_dir = merged.artifacts / "kling-conformance-report"
    assert {"report.json", "summary.md", "index.html", "junit.xml", "heatmap.html"} <= {
        p.name for p in report_dir.iterdir()
    }
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert sorted(report["meta"]["gateways"]) == sorted(gateways) and not report["meta"].get("partial")
    assert {r["gateway"] for r in report["results"]} == set(gateways)
    summary = merged.summaries["merge"]
    parts = [(report_dir / name).read_text(encoding="utf-8") for name in ("summary.md", "heatmap.md")]
    assert summary == "".join(parts) and summary.startswith("#") and "# Switching heatmap" in summary
    assert str(merged.work) not in summary  # no absolute local path reaches the step summary


def _gate(merged: Player, source: str, target: str, event: str = "pull_request") -> Player:
    """The switch-gate job alone, on the merged artifacts, for ``source`` -> ``target``."""
    workflow = {**merged.workflow, "env": {"KC_FROM": source, "KC_TO": target}}
    gate = Player(workflow, merged.work / f"gate-{source}-{target}-{event}")
    gate.github = {**gate.github, "event_name": event}
    gate.work.mkdir()
    gate.artifacts = merged.artifacts
    return gate


def test_the_gate_comments_and_fails_a_pull_request_whose_switch_breaks_the_client(merged: Player) -> None:
    gate = _gate(merged, "yibuapi", "newapi")  # the workflow's defaults (vars.KC_FROM / vars.KC_TO unset)
    assert merged.evaluate(merged.workflow["env"]["KC_FROM"], {"vars": {}}) == "yibuapi"
    with pytest.raises(StepFailed) as failed:
        gate.play("switch-gate")  # yibuapi -> newapi breaks a client that uses everything
    assert failed.value.step == "Fail when the switch breaks the client" and failed.value.code == 1
    summary = gate.summaries["switch-gate"]
    assert summary.startswith("# Switching from `yibuapi` to `newapi`") and "BREAKING" in summary
    assert len(summary) <= 65_536  # fits a PR comment (longer ones are cut and link the run's artifacts)
    assert str(merged.work) not in summary
    comment = next(s for s in merged.workflow["jobs"]["switch-gate"]["steps"] if s.get("id") == "comment")
    assert "--body-file compare.md" in comment["run"]  # the PR comment is the gate's markdown (not played here)
    assert (gate.work / "switch-gate-job" / "compare.md").read_text(encoding="utf-8") in summary


def test_the_gate_passes_when_the_switch_breaks_nothing(merged: Player) -> None:
    gate = _gate(merged, "yibuapi", "apicore")  # the same contract, per the heatmap
    gate.play("switch-gate")
    assert gate.exit_codes["switch-gate: Fail when the switch breaks the client"] == 0
    assert "✅ OK" in gate.summaries["switch-gate"]


def test_the_gate_runs_on_pull_requests_only(merged: Player) -> None:
    gate = _gate(merged, "yibuapi", "newapi", event="push")
    gate.play("switch-gate")
    assert gate.exit_codes == {}  # the job's `if:` kept it from running
