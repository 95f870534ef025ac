"""Stateful sequences that follow the contract's links: register then list, send then read."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.core.transport import Response
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from conformance.checks.errors import parse_json
from conformance.checks.lists import list_items
from conformance.config import TargetConfig
from conformance.generation.schema_cases import (
    RESPONSE_CHECKS,
    as_schemathesis_response,
    load_schema,
    make_safe,
    requirement_for_failure,
    requirements_for,
    send_case,
)
from conformance.profiles import PROFILES
from conformance.rules import contract
from conformance.suite.conftest import WRITING_OPERATIONS
from conformance.verify import ConformanceFailure, Verifier

# Sequences are generated from valid data only: what they test is the state between calls,
# and invalid data has tests of its own.
STATEFUL_CHECKS = [
    check
    for check in RESPONSE_CHECKS
    if check not in (negative_data_rejection, positive_data_acceptance)
]


ALL_REQUIREMENTS = sorted(
    {req for op_id in contract.operations() for req in requirements_for(op_id)}
    | {"SENDER-004", "LOG-002"}
)


@pytest.mark.writes
@pytest.mark.requirement(*ALL_REQUIREMENTS)
def test_linked_sequences_keep_the_documented_state(
    target: Any, tgo_config: TargetConfig, tgo_profile: str, verify: Verifier
) -> None:
    schema = load_schema(tgo_config.key("full"))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    base = schema.as_state_machine()
    profile = PROFILES[tgo_profile]

    class Workflow(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            self.registered: set[str] = set()
            self.sent: dict[str, int] = {}

        def before_call(self, case: Any) -> None:
            op_id = case.operation.definition.raw.get("operationId", "")
            if op_id in WRITING_OPERATIONS:
                make_safe(case, op_id, tgo_config)

        def call(self, case: Any, **kwargs: Any) -> Response:
            self._last = send_case(case, target)
            return as_schemathesis_response(self._last)

        def validate_response(self, response: Response, case: Any, **kwargs: Any) -> None:
            op_id = case.operation.definition.raw.get("operationId", "")
            try:
                case.validate_response(response, checks=STATEFUL_CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    verify.check(
                        requirement_for_failure(op_id, failure, response.status_code),
                        False,
                        f"{failure.title}: {failure.message}".strip(),
                        expected="a response the contract allows",
                        exchange=self._last,
                    )
                raise ConformanceFailure(f"{op_id}: stateful step failed its checks") from None
            self._follow_state(op_id, case, response)

        def _follow_state(self, op_id: str, case: Any, response: Response) -> None:
            accepted = 200 <= response.status_code < 300
            body = case.body if isinstance(case.body, dict) else {}
            if op_id == "registerSenderNumber" and accepted:
                self.registered.add(str(body.get("phone")))
            elif op_id == "sendMessage" and accepted and isinstance(body.get("content"), str):
                self.sent[body["content"]] = self.sent.get(body["content"], 0) + 1
            elif op_id == "listSenderNumbers" and accepted:
                _, data = parse_json(self._last)
                listed = {
                    str(i.get("phone"))
                    for i in list_items(data, "sender_numbers") or []
                    if isinstance(i, dict)
                }
                missing = self.registered - listed
                verify.require(
                    "SENDER-004",
                    not missing,
                    f"registered numbers missing from the list: {sorted(missing)}",
                    expected="every registered number is listed",
                    exchange=self._last,
                )
            elif op_id == "listMessages" and accepted:
                _ok, data = parse_json(self._last)
                contents = [
                    i.get("content")
                    for i in list_items(data, "messages") or []
                    if isinstance(i, dict)
                ]
                short = {c: n for c, n in self.sent.items() if contents.count(c) < n}
                verify.require(
                    "LOG-002",
                    not short,
                    f"accepted messages missing from the log: {sorted(short)}",
                    expected="every accepted message is in the log",
                    exchange=self._last,
                )

    Workflow.run(
        settings=settings(
            max_examples=profile.stateful_examples, stateful_step_count=profile.stateful_steps
        )
    )
