"""Schema-driven tests: generated requests for every operation, responses held to the docs.

A failure of schemathesis' checks counts against a requirement only when the docs' own words
make it one (checks/generated.py): a refused positive case must have met every documented
precondition, an accepted negative case must break a stated rule. Otherwise the test records
which reading the target took.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

from conformance.checks.errors import ENVELOPE_TEXT_REQUIREMENT, envelope_basis
from conformance.checks.generated import finding_label, judge
from conformance.config import TargetConfig
from conformance.generation.schema_cases import (
    as_schemathesis_response,
    checks_for,
    load_schema,
    make_safe,
    operation_strategy,
    send_case,
    sendable_as_generated,
)
from conformance.http.client import TargetClient
from conformance.plugin import registered, rules_of
from conformance.profiles import PROFILES
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.rules.values import Rules, scope_key_name
from conformance.rules.writes import WRITING_OPERATIONS
from conformance.verify import ConformanceFailure, Verifier

MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}
ENVELOPE_AND_AUTH = ("ERR-001", "ERR-002", "ERR-003", "ERR-004", "ERR-005", "AUTH-001")


def requirements_for(catalogue: Catalogue, op_id: str, takes_input: bool) -> tuple[str, ...]:
    """Every requirement a schema-driven test of ``op_id`` may record against."""
    extra: tuple[str, ...] = ()
    if op_id == "lookupContact":
        extra = ("PHONE-004",)
    elif takes_input:
        extra = ("ERR-006",)
    return (catalogue.response_requirement(op_id), *ENVELOPE_AND_AUTH, *extra)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "op_id" not in metafunc.fixturenames or "mode" not in metafunc.fixturenames:
        return
    rules = rules_of(metafunc.config)
    catalogue = load_catalogue()
    params = [
        pytest.param(
            op_id,
            mode,
            marks=[pytest.mark.requirement(*requirements_for(catalogue, op_id, op.takes_input))]
            + ([pytest.mark.writes] if op_id in WRITING_OPERATIONS else []),
            id=f"{op_id}-{mode}",
        )
        for op_id, op in rules.operations.items()
        for mode in MODES
        # Operations that take no input have nothing to make invalid.
        if mode == "positive" or op.takes_input
    ]
    metafunc.parametrize(("op_id", "mode"), params)


def test_generated_requests_get_responses_the_docs_allow(
    op_id: str,
    mode: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    tgo_catalogue: Catalogue,
    tgo_profile: str,
    verify: Verifier,
    request: pytest.FixtureRequest,
) -> None:
    scope = tgo_rules.scopes[op_id]
    key_name = scope_key_name(scope) if scope and tgo_config.key(scope_key_name(scope)) else "full"
    plugin = registered(request.config)
    schema = load_schema(tgo_config.key(key_name), plugin.run.contract if plugin else None)
    strategy = operation_strategy(schema, tgo_rules, op_id, MODES[mode])
    positive = mode == "positive"
    owner = tgo_catalogue.response_requirement(op_id)

    @settings(max_examples=PROFILES[tgo_profile].schema_examples)
    @given(case=strategy)
    def conforms(case: Any) -> None:
        assume(sendable_as_generated(case))
        make_safe(case, op_id, tgo_config, tgo_rules)
        exchange = send_case(case, target)
        try:
            case.validate_response(
                as_schemathesis_response(exchange), checks=checks_for(MODES[mode])
            )
        except FailureGroup as group:
            charged = False
            for failure in group.exceptions:
                verdict = judge(
                    op_id=op_id,
                    positive=positive,
                    checks=set(failure.checks),
                    exchange=exchange,
                    case=case,
                    config=tgo_config,
                    rules=tgo_rules,
                    catalogue=tgo_catalogue,
                )
                if verdict.requirement is None:
                    verify.chose(owner, verdict.reading, verdict.note)
                    continue
                charged = True
                verify.check(
                    verdict.requirement,
                    False,
                    f"{failure.title}: {failure.message}".strip(),
                    expected="a response the docs allow",
                    exchange=exchange,
                    finding=finding_label(failure.title, op_id, exchange.status_code),
                    # An error body the Error schema refuses has no text where either page
                    # puts it: the same rule the envelope check applies to every error.
                    basis=envelope_basis(tgo_rules)
                    if verdict.requirement == ENVELOPE_TEXT_REQUIREMENT
                    else None,
                )
            if charged:
                # FailureGroup is a BaseExceptionGroup, which Hypothesis would not shrink.
                raise ConformanceFailure(f"{op_id}: a generated case failed its checks") from None
            return
        if positive and 200 <= exchange.status_code < 300:
            verify.check(owner, True)
        elif not positive and 400 <= exchange.status_code < 500:
            verify.check("PHONE-004" if op_id == "lookupContact" else "ERR-006", True)

    conforms()
