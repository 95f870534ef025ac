"""Schema-driven tests: generated requests for every operation, responses held to the contract."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

from conformance.config import TargetConfig
from conformance.generation.schema_cases import (
    as_schemathesis_response,
    checks_for,
    load_schema,
    make_safe,
    operation_strategy,
    requirement_for_failure,
    requirements_for,
    send_case,
    sendable_as_generated,
    violates_contract,
)
from conformance.profiles import PROFILES
from conformance.rules import contract
from conformance.rules.values import scope_key_name
from conformance.suite.conftest import WRITING_OPERATIONS
from conformance.verify import ConformanceFailure, Verifier

MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}
PARAMS = [
    pytest.param(
        op_id,
        mode,
        marks=[pytest.mark.requirement(*requirements_for(op_id))]
        + ([pytest.mark.writes] if op_id in WRITING_OPERATIONS else []),
        id=f"{op_id}-{mode}",
    )
    for op_id in contract.operations()
    for mode in MODES
    # Operations that take no input have nothing to make invalid.
    if mode == "positive" or contract.operation(op_id).takes_input
]


@pytest.mark.parametrize(("op_id", "mode"), PARAMS)
def test_generated_requests_get_responses_the_contract_allows(
    op_id: str,
    mode: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_profile: str,
    verify: Verifier,
) -> None:
    scope = contract.operation(op_id).required_scope
    key_name = scope_key_name(scope) if scope and tgo_config.key(scope_key_name(scope)) else "full"
    schema = load_schema(tgo_config.key(key_name))
    strategy = operation_strategy(schema, op_id, MODES[mode])
    examples = PROFILES[tgo_profile].schema_examples

    @settings(max_examples=examples)
    @given(case=strategy)
    def conforms(case: Any) -> None:
        assume(sendable_as_generated(case))
        if mode == "negative":
            assume(violates_contract(case, op_id))
        if op_id in WRITING_OPERATIONS:
            make_safe(case, op_id, tgo_config)
        exchange = send_case(case, target)
        # A number registered before (by an earlier run, on a long-lived target) may be refused
        # as a duplicate: the docs leave duplicates open.
        assume(not (op_id == "registerSenderNumber" and exchange.status_code == 409))
        try:
            case.validate_response(
                as_schemathesis_response(exchange), checks=checks_for(MODES[mode])
            )
        except FailureGroup as group:
            for failure in group.exceptions:
                req = requirement_for_failure(op_id, failure, exchange.status_code)
                verify.check(
                    req,
                    False,
                    f"{failure.title}: {failure.message}".strip(),
                    expected="a response the contract allows",
                    exchange=exchange,
                )
            # FailureGroup is a BaseExceptionGroup, which Hypothesis would not shrink.
            raise ConformanceFailure(f"{op_id}: {len(group.exceptions)} check(s) failed") from None
        verify.check(requirements_for(op_id)[0], True)

    conforms()
