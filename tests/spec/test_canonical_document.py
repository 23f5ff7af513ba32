"""The canonical spec document: valid OpenAPI 3.1, the agreed operations, links, callbacks, error table."""

from __future__ import annotations

import hashlib

from openapi_spec_validator import OpenAPIV31SpecValidator
from spec_samples import FAMILIES

from conformance import spec
from conformance.paths import canonical_spec_path

#: The issue's error list: HTTP status → codes.
ISSUE_ERROR_TABLE = {
    401: [1000, 1001, 1002, 1003, 1004],
    429: [1100, 1101, 1102, 1302, 1303, 1304],
    403: [1103],
    400: [1200, 1201, 1300, 1301],
    404: [1202, 1203],
    500: [5000],
    503: [5001],
    504: [5002],
}


def test_passes_openapi_spec_validator() -> None:
    errors = list(OpenAPIV31SpecValidator(spec.load_canonical()).iter_errors())
    assert errors == []
    assert spec.validate_openapi_document(canonical_spec_path()) == []
    assert spec.load_canonical()["openapi"].startswith("3.1")


def test_project_rules_hold_for_the_canonical_spec() -> None:
    report = spec.check_spec_file(canonical_spec_path())
    assert report.kind == "canonical"
    assert report.problems == ()
    assert len(report.operations) == 24


def test_operation_ids_are_exactly_the_agreed_24() -> None:
    expected = {f"{family}.{kind}" for family in FAMILIES for kind in ("create", "get", "list")}
    ids = spec.operation_ids()
    assert len(ids) == 24
    assert set(ids) == expected
    assert set(spec.CANONICAL_OPERATION_IDS) == expected


def test_methods_and_paths_follow_the_family_pattern() -> None:
    for family in FAMILIES:
        create, get, listing = (spec.operation(f"{family}.{kind}") for kind in ("create", "get", "list"))
        assert create.method == "POST" and get.method == "GET" and listing.method == "GET"
        assert create.path == listing.path
        assert create.path.startswith("/v1/") and create.path.endswith("/" + family)
        assert get.path == create.path + "/{task_id}"
        assert create.gateway_path == "/kling" + create.path
        assert {p["name"] for p in listing.parameters} >= {"pageNum", "pageSize"}
        assert create.request_schema is not None and get.request_schema is None


def test_list_bounds_are_documented() -> None:
    params = {p["name"]: p["schema"] for p in spec.operation("image2video.list").parameters}
    assert params["pageNum"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1}
    assert params["pageSize"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 30}


def test_every_create_links_to_its_get_with_the_task_id() -> None:
    for family in FAMILIES:
        links = spec.operation(f"{family}.create").links
        assert links, family
        (link,) = links.values()
        assert link["operationId"] == f"{family}.get"
        assert link["parameters"] == {"task_id": "$response.body#/data/task_id"}


def test_error_code_table_matches_the_issue() -> None:
    codes = spec.error_codes()
    by_status: dict[int, list[int]] = {}
    for code, row in codes.items():
        assert row.code == code and row.definition
        by_status.setdefault(row.http_status, []).append(code)
    assert {status: sorted(c) for status, c in by_status.items()} == {
        status: sorted(c) for status, c in ISSUE_ERROR_TABLE.items()
    }
    assert codes[1303].explanation.startswith("Concurrency")


def test_every_error_row_has_only_its_expected_keys() -> None:
    table = spec.load_canonical()["x-kling-error-codes"]
    for code, row in table.items():
        assert set(row) <= {"http_status", "definition", "explanation"}, (code, sorted(row))
        assert all(isinstance(value, str | int) and value != "" for value in row.values()), code
    assert spec.error_codes()[1203].explanation == "Requested resource does not exist (e.g. model, task)"


def test_error_responses_only_accept_their_own_codes() -> None:
    for status, codes in ISSUE_ERROR_TABLE.items():
        op = "image2video.create"
        for code in codes:
            body = {"code": code, "message": "x", "request_id": "r"}
            assert spec.validate_response(op, status, body) == [], (status, code)
        wrong = {"code": 1303 if status != 429 else 1201, "message": "x", "request_id": "r"}
        assert spec.validate_response(op, status, wrong), status


def test_every_operation_example_validates_against_its_own_schemas() -> None:
    checked = 0
    for op_id in spec.operation_ids():
        op = spec.operation(op_id)
        assert op.example_response is not None, op_id
        if op.kind == "create":
            assert op.example_request is not None, op_id
            assert spec.validate_request(op_id, op.example_request) == [], op_id
            checked += 1
        for status, examples in op.response_examples.items():
            for name, body in examples.items():
                assert spec.validate_response(op_id, int(status), body) == [], (op_id, status, name)
                checked += 1
        for param in op.parameters:
            if param["name"] in op.example_parameters:
                schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **param["schema"]}
                assert spec.compiled(schema).is_valid(op.example_parameters[param["name"]]), (op_id, param["name"])
    assert checked > 24 * 2


def test_callback_is_described_as_webhook_and_callback() -> None:
    document = spec.load_canonical()
    hook = document["webhooks"]["taskStatusChanged"]["post"]
    ref = hook["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/CallbackTaskObject")
    for family in FAMILIES:
        path = spec.operation(f"{family}.create").path
        callbacks = document["paths"][path]["post"]["callbacks"]
        assert "taskStatus" in callbacks


def test_bearer_security_applies_globally() -> None:
    document = spec.load_canonical()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearerAuth": []}]


def test_servers_cover_gateway_and_official_hosts() -> None:
    urls = [server["url"] for server in spec.load_canonical()["servers"]]
    assert urls[0] == "https://{gateway_host}/kling"
    assert "https://api-singapore.klingai.com" in urls and "https://api-beijing.klingai.com" in urls


def test_spec_hash_is_sha256_of_the_file() -> None:
    assert spec.spec_hash() == hashlib.sha256(canonical_spec_path().read_bytes()).hexdigest()


def test_load_canonical_is_cached() -> None:
    assert spec.load_canonical() is spec.load_canonical()


def test_request_schemas_are_self_contained() -> None:
    for op_id in spec.operation_ids():
        op = spec.operation(op_id)
        for schema in [op.request_schema, *op.response_schemas.values()]:
            if schema is not None:
                assert "$ref" not in repr(schema), op_id
                assert schema["$schema"].endswith("2020-12/schema")
