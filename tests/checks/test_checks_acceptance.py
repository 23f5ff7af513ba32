"""Request-acceptance checks: pass, fail, skip and error cases with their messages and paths."""

from __future__ import annotations

from factories import (
    HTML_PAGE,
    TASK_ID,
    context,
    exchange,
    kling_envelope,
    kling_error,
    kling_task,
    openai_video,
    poll,
    profile,
    run_check,
    trace,
)

from conformance.models import Outcome


def _create(scenario: str, body: object, status: int = 200, **kw: object) -> object:
    return exchange(body, status=status, scenario=scenario, **kw)  # type: ignore[arg-type]


def test_minimal_request_accepted_passes_on_kling_envelope() -> None:
    ctx = context(trace("image2video.create.minimal", exchange(kling_envelope(kling_task()))))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.PASS
    assert TASK_ID in verdict.message
    assert verdict.operation == "image2video.create"
    assert verdict.exchange_ref.startswith("testgw/image2video.create.minimal#")


def test_minimal_request_accepted_passes_on_openai_video_with_id() -> None:
    ctx = context(trace("text2video.create.minimal", exchange(openai_video(), operation="text2video.create")))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.PASS


def test_minimal_request_accepted_fails_on_4xx_error() -> None:
    ctx = context(trace("image2video.create.minimal", exchange(kling_error(1201, "image can not be null"), status=400)))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.FAIL
    assert "not accepted" in verdict.message and "HTTP 400" in verdict.message
    assert "1201" in str(verdict.actual)
    assert verdict.expected == "2xx with a non-error body carrying a task id"


def test_minimal_request_accepted_fails_on_2xx_error_body_and_on_html() -> None:
    ctx = context(
        trace("image2video.create.minimal", exchange(kling_error(1303, "parallel task over limit"), status=200)),
        trace("text2video.create.minimal", exchange(HTML_PAGE, operation="text2video.create")),
    )
    first, second = run_check("minimal_request_accepted", ctx)
    assert first.outcome is Outcome.FAIL and "body is an error" in first.message
    assert second.outcome is Outcome.FAIL and "no task id" in second.message


def test_minimal_request_accepted_fails_without_task_id() -> None:
    ctx = context(trace("image2video.create.minimal", exchange({})))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.FAIL
    assert "no task id" in verdict.message


def test_skipped_trace_reports_its_reason() -> None:
    ctx = context(trace("image2video.create.minimal", skipped_reason="budget"))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.reason == "budget"
    assert "budget" in verdict.message


def test_transport_error_is_an_error_verdict_with_the_cause() -> None:
    ctx = context(trace("image2video.create.minimal", exchange(None, error="ConnectError: connection refused")))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.ERROR
    assert "connection refused" in verdict.message


def test_harness_error_is_an_error_verdict() -> None:
    ctx = context(trace("image2video.create.minimal", error="run deadline reached"))
    (verdict,) = run_check("minimal_request_accepted", ctx)
    assert verdict.outcome is Outcome.ERROR and "run deadline reached" in verdict.message


def test_no_scenario_at_all_is_skipped_no_evidence() -> None:
    (verdict,) = run_check("minimal_request_accepted", context())
    assert verdict.outcome is Outcome.SKIPPED and verdict.reason == "no evidence"


def test_doc_example_accepted_pass_fail_and_not_documented() -> None:
    ok = context(
        trace("image2video.create.doc-example", _create("image2video.create.doc-example", kling_envelope(kling_task())))
    )
    assert [v.outcome for v in run_check("doc_example_accepted", ok)] == [Outcome.PASS]
    bad = context(
        trace("image2video.create.doc-example", _create("image2video.create.doc-example", kling_error(), status=400))
    )
    (verdict,) = run_check("doc_example_accepted", bad)
    assert verdict.outcome is Outcome.FAIL and "documented request example" in verdict.message
    (none,) = run_check("doc_example_accepted", context())
    assert none.outcome is Outcome.SKIPPED and none.reason == "not documented"


def test_optional_param_accepted_one_verdict_per_param_with_field_path() -> None:
    ctx = context(
        trace(
            "image2video.create.param.cfg_scale",
            _create("image2video.create.param.cfg_scale", kling_envelope(kling_task())),
        ),
        trace(
            "image2video.create.param.sound",
            _create("image2video.create.param.sound", kling_error(1201, "sound is not supported"), status=400),
        ),
        trace("image2video.create.param.image-base64", _create("image2video.create.param.image-base64", {})),
    )
    verdicts = run_check("optional_param_accepted", ctx)
    assert [(v.outcome, v.json_path) for v in verdicts] == [(Outcome.PASS, "$.cfg_scale"), (Outcome.FAIL, "$.sound")]
    assert "'sound'" in verdicts[1].message


def test_optional_param_honoured_external_task_id_echoed_or_dropped() -> None:
    scenario = "image2video.create.param.external_task_id"
    echoed = trace(
        scenario,
        _create(scenario, kling_envelope(kling_task(external_task_id="my-42"))),
        request_body={"external_task_id": "my-42"},
    )
    (verdict,) = run_check("optional_param_honoured", context(echoed))
    assert verdict.outcome is Outcome.PASS and "my-42" in verdict.message
    dropped = trace(
        scenario,
        _create(scenario, kling_envelope(kling_task())),
        poll(kling_envelope(kling_task("processing")), scenario=scenario),
        request_body={"external_task_id": "my-42"},
    )
    (verdict,) = run_check("optional_param_honoured", context(dropped))
    assert verdict.outcome is Outcome.FAIL
    assert "not echoed" in verdict.message
    assert verdict.expected == "my-42"
    assert verdict.json_path == "$.data.task_info.external_task_id"


def test_optional_param_honoured_skips_invisible_params_and_unaccepted_ones() -> None:
    ctx = context(
        trace(
            "image2video.create.param.cfg_scale",
            _create("image2video.create.param.cfg_scale", kling_envelope(kling_task())),
        ),
        trace("image2video.create.param.sound", _create("image2video.create.param.sound", kling_error(), status=400)),
    )
    first, second = run_check("optional_param_honoured", ctx)
    assert first.outcome is Outcome.SKIPPED and first.reason == "no evidence" and "cfg_scale" in first.message
    assert second.outcome is Outcome.SKIPPED and "not accepted" in second.message


def test_optional_param_honoured_callback_url_needs_a_callback() -> None:
    from factories import callback

    scenario = "image2video.create.param.callback_url"
    got = trace(scenario, _create(scenario, kling_envelope(kling_task())), callbacks=(callback(kling_task("succeed")),))
    assert run_check("optional_param_honoured", context(got))[0].outcome is Outcome.PASS
    none = trace(scenario, _create(scenario, kling_envelope(kling_task())))
    (verdict,) = run_check("optional_param_honoured", context(none))
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.callback_url"


def test_image_base64_accepted() -> None:
    scenario = "image2video.create.param.image-base64"
    (ok,) = run_check(
        "image_base64_accepted", context(trace(scenario, _create(scenario, kling_envelope(kling_task()))))
    )
    assert ok.outcome is Outcome.PASS
    bad = context(
        trace(scenario, _create(scenario, kling_error(1201, "File is not in a valid base64 format"), status=400))
    )
    (verdict,) = run_check("image_base64_accepted", bad)
    assert verdict.outcome is Outcome.FAIL and verdict.json_path == "$.image"
    assert "base64" in verdict.message


def test_image_data_uri_follows_the_documentation() -> None:
    scenario = "image2video.create.param.image-data-uri"
    rejected = trace(scenario, _create(scenario, kling_error(1201, "File is not in a valid base64 format"), status=400))
    accepted = trace(scenario, _create(scenario, kling_envelope(kling_task())))
    official = profile()
    lenient = profile(accepts_data_uri=True)
    assert (
        run_check("image_data_uri_as_documented", context(rejected, gateway_profile=official))[0].outcome
        is Outcome.PASS
    )
    assert (
        run_check("image_data_uri_as_documented", context(accepted, gateway_profile=lenient))[0].outcome is Outcome.PASS
    )
    (verdict,) = run_check("image_data_uri_as_documented", context(accepted, gateway_profile=official))
    assert verdict.outcome is Outcome.FAIL
    assert "accepted" in verdict.message and verdict.json_path == "$.image"
    assert "rejected" in str(verdict.expected)
    (verdict,) = run_check("image_data_uri_as_documented", context(rejected, gateway_profile=lenient))
    assert verdict.outcome is Outcome.FAIL and "not accepted" in verdict.message


def test_image_data_uri_server_error_fails_even_when_rejection_expected() -> None:
    scenario = "image2video.create.param.image-data-uri"
    crashed = trace(
        scenario, _create(scenario, {"code": "build_request_failed", "message": "x", "data": None}, status=500)
    )
    (verdict,) = run_check("image_data_uri_as_documented", context(crashed))
    assert verdict.outcome is Outcome.FAIL and "server error" in verdict.message
