"""Schemathesis against the live mock: every built-in check, positive and negative data.

The contract describes what a *request* may look like, not the tenant's state, so a
schema-valid request can still be refused by a documented state rule: an unknown sender id
(404), a phone already registered (409), a sender that is not active or a recipient that cannot
receive (422). positive_data_acceptance therefore also accepts 404/409/422; to keep that honest,
`positive_rejections_are_state_rules` fails any positive case refused for another reason
(e.g. a 422 validation_error would mean the mock rejects data the contract allows).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import LiveMock, serving
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode

from conformance.mock import State, behaviour_of, create_app, seed
from conformance.rules.contract import load_spec, spec_path

MAX_EXAMPLES = int(os.environ.get("TGO_MOCK_ST_EXAMPLES", "25"))
STATE_RULE_CODES = {
    "not_found",
    "sender_exists",
    "sender_not_active",
    "account_not_verified",
    "recipient_unreachable",
}


REQUEST_SCHEMAS = {
    ("POST /api/v1/sender-numbers", "application/json"): "RegisterSenderNumberRequest",
    ("POST /api/v1/messages", "application/json"): "SendTextMessageRequest",
    ("POST /api/v1/messages", "multipart/form-data"): "SendMediaMessageRequest",
}


def body_is_schema_valid(case: Any) -> bool:
    """Whether the generated body really satisfies the contract.

    Schemathesis labels some cases positive that break a oneOf/not constraint (e.g. both
    sender_phone and sender_number_id in a multipart body), so re-check with jsonschema.
    """
    name = REQUEST_SCHEMAS.get((case.operation.label, case.media_type))
    if name is None:
        return True
    spec = load_spec()
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    )
    body = case.body
    if isinstance(body, dict):  # files become text: the schema only says "string"
        body = {
            k: v if isinstance(v, int | float | bool | None) else str(v) for k, v in body.items()
        }
    return bool(validator.is_valid(body))


def positive_rejections_are_state_rules(ctx: Any, response: Any, case: Any) -> None:
    """A schema-valid request may only be refused by a state rule, never by validation."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if not body_is_schema_valid(case):
        return
    if not 400 <= response.status_code < 500 or response.status_code in (401, 403):
        return
    code = response.json().get("code")
    if code not in STATE_RULE_CODES:
        raise AssertionError(f"schema-valid request refused with {response.status_code} {code}")


@pytest.fixture(scope="module")
def cases_seen() -> Iterator[Counter[str]]:
    seen: Counter[str] = Counter()
    yield seen
    by_mode: Counter[str] = Counter()
    for key, count in seen.items():
        by_mode[key.rsplit(" ", 1)[1]] += count
    print(f"\nschemathesis cases: {sum(seen.values())} ({dict(by_mode)})")
    for key, count in sorted(seen.items()):
        print(f"  {key}: {count}")


@pytest.fixture
def tgo_schema(live_mock: LiveMock) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": int(os.environ.get("TGO_MOCK_ST_SEED", "20261122")),  # reproducible in CI
            "auth": {"openapi": {"ApiKey": {"api_key": live_mock.seeded.keys.full}}},
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "checks": {
                "positive_data_acceptance": {
                    # 2xx, plus the documented state-rule refusals (see the module docstring).
                    "expected-statuses": [200, 201, 202, 404, 409, 422],
                }
            },
        }
    )
    schema = schemathesis.openapi.from_path(str(spec_path()), config=config)
    schema.config.update(base_url=live_mock.base_url)
    return schema


schema = schemathesis.pytest.from_fixture("tgo_schema")


@schema.parametrize()
def test_mock_conforms_to_the_contract(case: Any, cases_seen: Counter[str]) -> None:
    mode = case.meta.generation.mode.value if case.meta else "explicit"
    cases_seen[f"{case.operation.label} {mode}"] += 1
    case.call_and_validate(additional_checks=[positive_rejections_are_state_rules])


@pytest.mark.parametrize(
    "fault,with_key,expected_failure",
    [
        # response_schema_conformance: the envelope needs a text (code is a SHOULD only)
        ("error_without_text", False, "JsonSchemaError"),
        ("sender_list_wrong_status_value", True, "JsonSchemaError"),
        ("accept_missing_key", False, "IgnoredAuth"),  # ignored_auth
    ],
)
def test_the_same_checks_catch_a_broken_mock(
    fault: str, with_key: bool, expected_failure: str
) -> None:
    """The harness is not vacuous: with one rule broken, a built-in check fails."""
    state = State()
    seeded = seed(state)
    with serving(create_app(state, behaviour=behaviour_of([fault]))) as base_url:
        schema = schemathesis.openapi.from_path(str(spec_path()))
        schema.config.update(base_url=base_url)
        operation = schema.find_operation_by_label("GET /api/v1/sender-numbers")
        case = operation.Case(headers={"X-Api-Key": seeded.keys.full} if with_key else {})
        with pytest.raises(schemathesis.errors.FailureGroup) as failures:
            case.call_and_validate()
    assert expected_failure in {type(f).__name__ for f in failures.value.exceptions}
