"""optional_param_honoured reads the echo paths a profile declares ([operations."<op>".task].echo)."""

from __future__ import annotations

import dataclasses

from factories import context, exchange, kling_envelope, kling_task, poll, profile, run_check, trace

from conformance.models import Outcome
from conformance.profiles.model import RequestMapping, TaskProtocol

SCENARIO = "image2video.create.param.aspect_ratio"


def _gateway(echo_path: str, values: dict[str, dict[str, object]] | None = None):  # type: ignore[no-untyped-def]
    base = profile()
    ops = dict(base.operations)
    ops["image2video.create"] = dataclasses.replace(
        ops["image2video.create"],
        task=TaskProtocol(echo={"aspect_ratio": echo_path}),
        request=RequestMapping(values=values or {}),
    )
    return dataclasses.replace(base, operations=ops)


def _trace(echoed: object) -> object:
    task = kling_task("succeed")
    task["task_info"] = {"parameters": {"aspect_ratio": echoed}}
    return trace(
        SCENARIO,
        exchange(kling_envelope(kling_task()), scenario=SCENARIO),
        poll(kling_envelope(task), scenario=SCENARIO),
        request_body={"model_name": "kling-v1", "aspect_ratio": "9:16"},
    )


def test_echoed_value_passes_and_a_different_one_fails() -> None:
    gw = _gateway("$.data.task_info.parameters.aspect_ratio")
    (ok,) = run_check("optional_param_honoured", context(_trace("9:16"), gateway_profile=gw))  # type: ignore[arg-type]
    assert ok.outcome is Outcome.PASS and ok.json_path == "$.data.task_info.parameters.aspect_ratio"
    (bad,) = run_check("optional_param_honoured", context(_trace("16:9"), gateway_profile=gw))  # type: ignore[arg-type]
    assert bad.outcome is Outcome.FAIL and bad.expected == "9:16" and bad.actual == "16:9"


def test_the_value_is_compared_in_the_gateways_dialect() -> None:
    gw = _gateway("$.data.task_info.parameters.aspect_ratio", {"aspect_ratio": {"9:16": "portrait"}})
    (ok,) = run_check("optional_param_honoured", context(_trace("portrait"), gateway_profile=gw))  # type: ignore[arg-type]
    assert ok.outcome is Outcome.PASS


def test_no_value_at_the_echo_path_is_no_evidence() -> None:
    gw = _gateway("$.data.nowhere")
    (verdict,) = run_check("optional_param_honoured", context(_trace("9:16"), gateway_profile=gw))  # type: ignore[arg-type]
    assert (
        verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence" and "$.data.nowhere" in verdict.message
    )
