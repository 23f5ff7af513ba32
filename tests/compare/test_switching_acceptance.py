"""The switching gate is scored on what clients really experience: model clients run against the emulator.

Every (client, target) pair is run for real (``client_model``): the client breaks or it does not.
``compare --from <home> --to <target> --uses <client>`` must predict exactly that, with the built-in
profiles alone (no report) and with the report of the README's first command (``kling-conformance
run``: every profile replayed from the bundled cassettes), and its exit code must follow. The table
``EXPECTED`` states the outcome for each pair with the reason a person would give; a change in the
emulator or in compare that moves any of them fails here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from client_model import EMULATOR_KEYS, NEWAPI_BODIES, ModelClient, experience

from conformance.compare import compare_gateways, load_uses
from conformance.emulator import EmulatorConfig, RunningEmulator, start_emulator
from conformance.profiles import load_builtin_profiles
from conformance.profiles.model import GatewayProfile
from conformance.runmodel import RunReport

CLIENTS = [
    ModelClient(
        "official-sdk",  # signs its own JWT, takes only a host, checks its credential with account costs
        "kling-official",
        """
operations: [account.costs, text2video.create, text2video.get]
reads:
  text2video.create: data.task_id
  text2video.get: data.task_status, data.task_result.videos[].url
statuses: [submitted, processing, succeed, failed]
errors: {unknown_task: status}
auth: kling-jwt
base_url: host
""",
    ),
    ModelClient(
        "official-url-key",  # takes a base URL with a path and a ready token; reads Kling error codes
        "kling-official",
        """
operations: [image2video.create, image2video.get]
reads:
  image2video.create: data.task_id
  image2video.get: data.task_status, data.task_result.videos[].url
errors: [unknown_task]
auth: api-key
base_url: url
""",
    ),
    ModelClient(
        "reseller-status-only",  # written for 一步API; only looks at the HTTP status of errors
        "yibuapi",
        """
operations: [text2video.create, text2video.get, image2video.create, image2video.get]
reads:
  text2video.create: data.task_id
  text2video.get: data.task_status, data.task_result.videos[].url
  image2video.create: data.task_id
  image2video.get: data.task_status, data.task_result.videos[].url
errors: {unknown_task: status, auth: status}
base_url: url
""",
    ),
    ModelClient(
        "reseller-error-codes",  # written for 一步API; branches on Kling's error code 1203
        "yibuapi",
        """
operations: [text2video.create, text2video.get]
reads:
  text2video.create: data.task_id
  text2video.get: data.task_status
errors: [unknown_task]
error_reads: body
base_url: url
""",
    ),
    ModelClient(
        "newapi-client",  # written for a new-api deployment: OpenAI video object, then the success wrapper
        "newapi",
        """
operations: [text2video.create, text2video.get]
reads:
  text2video.create: task_id
  text2video.get: data.status, data.result_url
statuses: [NOT_START, SUBMITTED, QUEUED, IN_PROGRESS, SUCCESS, FAILURE]
errors: {unknown_task: status}
base_url: url
""",
        NEWAPI_BODIES,  # it names the model in `model`, as new-api routes on it
    ),
]

TARGETS = ["kling-official", "yibuapi", "apicore", "bynewapi", "n1n", "winfull", "newapi", "onehub"]
_RESELLERS = ("yibuapi", "apicore", "n1n", "winfull")

#: (client, target) -> breaks?, with the reason.
EXPECTED: dict[tuple[str, str], bool] = {
    # A host-only switch from the official API hits /v1 where every gateway serves /kling/v1 (404), and
    # no gateway takes a Kling-signed JWT or serves account costs.
    **{("official-sdk", t): t != "kling-official" for t in TARGETS},
    # A base URL with the path and a plain key: resellers pass the official envelope and 404/1203 through;
    # new-api answers another envelope; one-hub's unknown-task body says task_not_exist, not 1203.
    **{("official-url-key", t): t in ("bynewapi", "newapi", "onehub") for t in TARGETS},
    # Status-only errors: one-hub keeps 404 and 401 and the official envelope, but (engine recording,
    # one-hub@387f8bf1) refuses every Kling submit with 503 provider_not_found, and new-api refuses the
    # official body (it routes on `model`); the official API takes plain keys too ([UNC] §8).
    **{("reseller-status-only", t): t in ("bynewapi", "newapi", "onehub") for t in TARGETS},
    # Reading code 1203 breaks on one-hub (task_not_exist) and new-api (400, another envelope).
    **{("reseller-error-codes", t): t in ("bynewapi", "newapi", "onehub") for t in TARGETS},
    # A new-api client reads task_id/data.status: only another new-api deployment keeps them.
    **{("newapi-client", t): t not in ("newapi", "bynewapi") for t in TARGETS},
}


@pytest.fixture(scope="module")
def emulator() -> object:
    builtins = load_builtin_profiles()
    profiles = [builtins[t] for t in TARGETS]
    with start_emulator(profiles, EmulatorConfig(keys=EMULATOR_KEYS, time_scale=0.002)) as emu:
        yield emu


@pytest.fixture(scope="module")
def readme_report() -> RunReport:
    """The report ``kling-conformance run`` (the README's first command) leaves in reports/latest."""
    from conformance.harness.runner import RunOptions, execute_run

    return asyncio.run(execute_run(RunOptions(gateways=list(TARGETS))))


def _uses(client: ModelClient, tmp_path: Path) -> object:
    path = tmp_path / f"{client.name}.yaml"
    path.write_text(client.uses_yaml, encoding="utf-8")
    return load_uses(path)


def test_model_clients_experience_what_the_table_says(emulator: RunningEmulator, tmp_path: Path) -> None:
    profiles: dict[str, GatewayProfile] = load_builtin_profiles()
    wrong = {}
    for client in CLIENTS:
        uses = _uses(client, tmp_path)
        for target in TARGETS:
            why = experience(client, uses, profiles[client.home], profiles[target], emulator.base_url(target))
            if bool(why) != EXPECTED[(client.name, target)]:
                wrong[(client.name, target)] = why or "worked"
    assert wrong == {}


@pytest.mark.parametrize("with_report", [False, True], ids=["profiles-only", "with-reports-latest"])
def test_compare_predicts_every_break_and_nothing_else(
    with_report: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    profiles = load_builtin_profiles()
    reports = [("reports/latest/report.json", request.getfixturevalue("readme_report"))] if with_report else []
    true_pos = false_pos = false_neg = 0
    wrong: dict[tuple[str, str], list[str]] = {}
    for client in CLIENTS:
        uses = _uses(client, tmp_path)
        for target in TARGETS:
            result = compare_gateways(client.home, target, reports=reports, profiles=profiles, uses=uses)
            predicted, actual = bool(result.breaking), EXPECTED[(client.name, target)]
            true_pos += predicted and actual
            false_pos += predicted and not actual
            false_neg += actual and not predicted
            if predicted != actual:
                wrong[(client.name, target)] = [f"{d.kind.value} {d.operation} {d.subject}" for d in result.breaking]
    precision = true_pos / max(1, true_pos + false_pos)
    recall = true_pos / max(1, true_pos + false_neg)
    assert wrong == {}, f"precision {precision:.2f}, recall {recall:.2f}"
    assert true_pos > 0 and precision == recall == 1.0


def test_exit_codes_follow_the_prediction_with_and_without_reports_latest(
    tmp_path: Path, readme_report: RunReport
) -> None:
    from conformance.cli.app import main
    from conformance.reports import write_reports

    write_reports(readme_report, tmp_path / "reports", formats=["json"])
    empty = tmp_path / "empty"
    empty.mkdir()
    for client in CLIENTS[:3]:
        uses_file = tmp_path / f"{client.name}.yaml"
        uses_file.write_text(client.uses_yaml, encoding="utf-8")
        for target in ("yibuapi", "onehub", "newapi"):
            for reports_dir in (tmp_path / "reports", empty):
                with pytest.raises(SystemExit) as caught:
                    main(
                        [
                            "compare",
                            *("--from", client.home, "--to", target),
                            *("--uses", str(uses_file), "--reports-dir", str(reports_dir), "--format", "json"),
                            *("--out", str(tmp_path / "out.json")),
                        ]
                    )
                expected = 1 if EXPECTED[(client.name, target)] else 0
                assert caught.value.code == expected, (client.name, target, reports_dir.name)
