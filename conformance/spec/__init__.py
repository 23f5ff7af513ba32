"""The canonical Kling contract: loading ``specs/kling.openapi.yaml``, its operations and validators.

Public API (other layers import these names)::

    load_canonical, spec_hash, load_yaml
    operation_ids, operation, OperationInfo, error_codes, ErrorCode, callback_schema
    all_operation_ids, extended_operation_ids
    families, family, FamilyInfo, core_families, extended_families, modelled_extended_families
    validate_request, validate_response, validate_task_object, SchemaIssue
    compiled, CompiledSchema
    validate_openapi_document, check_spec_file, SpecProblem, SpecReport
"""

from __future__ import annotations

from conformance.spec.document import (
    CANONICAL_OPERATION_IDS,
    SpecProblem,
    SpecReport,
    check_spec_file,
    validate_openapi_document,
)
from conformance.spec.families import (
    FamilyInfo,
    core_families,
    extended_families,
    families,
    family,
    family_of_operation,
    modelled_extended_families,
)
from conformance.spec.loading import load_canonical, load_yaml, spec_hash
from conformance.spec.operations import (
    GATEWAY_PREFIX,
    ErrorCode,
    OperationInfo,
    all_operation_ids,
    callback_schema,
    error_codes,
    extended_operation_ids,
    iter_operations,
    operation,
    operation_ids,
    validate_request,
    validate_response,
    validate_task_object,
)
from conformance.spec.resolve import RefResolver
from conformance.spec.validation import CompiledSchema, SchemaIssue, compiled

__all__ = [
    "CANONICAL_OPERATION_IDS",
    "GATEWAY_PREFIX",
    "CompiledSchema",
    "ErrorCode",
    "FamilyInfo",
    "OperationInfo",
    "RefResolver",
    "SchemaIssue",
    "SpecProblem",
    "SpecReport",
    "all_operation_ids",
    "callback_schema",
    "check_spec_file",
    "compiled",
    "core_families",
    "error_codes",
    "extended_families",
    "extended_operation_ids",
    "families",
    "family",
    "family_of_operation",
    "iter_operations",
    "load_canonical",
    "load_yaml",
    "modelled_extended_families",
    "operation",
    "operation_ids",
    "spec_hash",
    "validate_openapi_document",
    "validate_request",
    "validate_response",
    "validate_task_object",
]
