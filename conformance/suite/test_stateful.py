"""Stateful sequences that follow the contract's links: register then list, send then read.

Every answer in a sequence is held to the docs as in the schema-driven tests (a failure counts
only when the docs' words make it one). What a sequence leaves behind (a registered number in
the list, a message in the log) has scenario tests of its own, which read every page and allow
a moment's lag (READ-020, READ-046); a sequence of a few steps cannot.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.core.transport import Response
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from conformance.checks.generated import finding_label, judge
from conformance.config import TargetConfig
from conformance.generation.schema_cases import (
    RESPONSE_CHECKS,
    as_schemathesis_response,
    load_schema,
    make_safe,
    send_case,
)
from conformance.http.client import TargetClient
from conformance.http.evidence import Steps
from conformance.plugin import registered
from conformance.profiles import PROFILES
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.rules.values import Rules
from conformance.rules.writes import WRITING_OPERATIONS
from conformance.verify import ConformanceFailure, Verifier

# Sequences are generated from valid data only: what they test is the state between calls,
# and invalid data has tests of its own.
STATEFUL_CHECKS = [
    check
    for check in RESPONSE_CHECKS
    if check not in (negative_data_rejection, positive_data_acceptance)
]
REQUIREMENTS = sorted(
    {r.id for r in load_catalogue().requirements if r.response_of}
    | {"ERR-001", "ERR-002", "ERR-003", "ERR-004", "ERR-005", "AUTH-001"}
)


@pytest.mark.writes
@pytest.mark.requirement(*REQUIREMENTS)
def test_linked_sequences_get_answers_the_docs_allow(
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    tgo_catalogue: Catalogue,
    tgo_profile: str,
    verify: Verifier,
    request: pytest.FixtureRequest,
) -> None:
    plugin = registered(request.config)
    schema = load_schema(tgo_config.key("full"), plugin.run.contract if plugin else None)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    base = schema.as_state_machine()
    profile = PROFILES[tgo_profile]

    class Workflow(base):  # type: ignore[misc, valid-type]
        def before_call(self, case: Any) -> None:
            op_id = case.operation.definition.raw.get("operationId", "")
            if op_id in WRITING_OPERATIONS or op_id == "lookupContact":
                make_safe(case, op_id, tgo_config, tgo_rules)

        def call(self, case: Any, **kwargs: Any) -> Response:
            self._last = send_case(case, target)
            self._steps = (*getattr(self, "_steps", ()), self._last)
            return as_schemathesis_response(self._last)

        def validate_response(self, response: Response, case: Any, **kwargs: Any) -> None:
            op_id = case.operation.definition.raw.get("operationId", "")
            try:
                case.validate_response(response, checks=STATEFUL_CHECKS)
            except FailureGroup as group:
                charged = False
                for failure in group.exceptions:
                    verdict = judge(
                        op_id=op_id,
                        positive=True,
                        checks=set(failure.checks),
                        exchange=self._last,
                        case=case,
                        config=tgo_config,
                        rules=tgo_rules,
                        catalogue=tgo_catalogue,
                    )
                    if verdict.requirement is None:
                        continue
                    charged = True
                    verify.check(
                        verdict.requirement,
                        False,
                        f"{failure.title}: {failure.message}".strip(),
                        expected="a response the docs allow",
                        exchange=Steps(self._steps),
                        finding=finding_label(failure.title, op_id, self._last.status_code),
                    )
                if charged:
                    raise ConformanceFailure(f"{op_id}: a step of a sequence failed") from None
            if 200 <= response.status_code < 300:
                verify.check(tgo_catalogue.response_requirement(op_id), True)

    Workflow.run(
        settings=settings(
            max_examples=profile.stateful_examples, stateful_step_count=profile.stateful_steps
        )
    )
