"""The scope matrix: every operation with a documented scope, called with every configured key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import expect_refusal
from conformance.config import TargetConfig
from conformance.http.evidence import Exchange
from conformance.rules import contract
from conformance.rules.values import scope_key_name
from conformance.suite.conftest import WRITING_OPERATIONS, harmless_request, valid_request
from conformance.verify import Verifier

SCOPED = {op_id: op for op_id, op in contract.operations().items() if op.required_scope}
SCOPE_REQUIREMENT = {
    "sendMessage": "SCOPE-001",
    "listMessages": "SCOPE-002",
    "lookupContact": "SCOPE-003",
    "getUsage": "SCOPE-004",
    "registerSenderNumber": "SCOPE-005",
}
SINGLE_SCOPE_KEYS = sorted({scope_key_name(op.required_scope or "") for op in SCOPED.values()})


def _request_for(op_id: str, config: TargetConfig, allowed: bool) -> dict[str, Any]:
    # A key that must be let in gets a harmless (invalid) body unless writes are allowed: what
    # is checked is that the key passes, not that the body does.
    if allowed and op_id in WRITING_OPERATIONS and not config.allow_writes:
        return harmless_request(op_id, config)
    return valid_request(op_id, config)


@pytest.mark.requirement(
    "SCOPE-001",
    "SCOPE-002",
    "SCOPE-003",
    "SCOPE-004",
    "SCOPE-005",
    "SCOPE-007",
    "SCOPE-008",
    "ERR-005",
)
@pytest.mark.parametrize("key_name", SINGLE_SCOPE_KEYS)
@pytest.mark.parametrize("op_id", sorted(SCOPED))
def test_single_scope_key_is_let_in_only_where_its_scope_is_required(
    op_id: str,
    key_name: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    need("key", key_name)
    scope = SCOPED[op_id].required_scope or ""
    allowed = scope_key_name(scope) == key_name
    response = call(op_id, key=key_name, **_request_for(op_id, tgo_config, allowed))
    if allowed:
        for req in ("SCOPE-008", "ERR-005"):
            verify.check(
                req,
                response.status_code not in (401, 403),
                f"{op_id} with a key holding only {scope}: answered {response.status_code}",
                expected=f"a key with {scope} is let in (no 401 or 403)",
                exchange=response,
            )
        return
    for req in (SCOPE_REQUIREMENT[op_id], "SCOPE-007"):
        expect_refusal(
            verify,
            req,
            response,
            statuses=[403],
            what=f"{op_id} ({scope}) with a key holding only {key_name.replace('_', '.')}",
        )


@pytest.mark.requirement("SCOPE-006", "ERR-005", "AUTH-007")
@pytest.mark.parametrize("op_id", list(contract.operations()))
def test_full_access_key_is_let_in_everywhere(
    op_id: str, call: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    writes = op_id not in WRITING_OPERATIONS or tgo_config.allow_writes
    kwargs = valid_request(op_id, tgo_config) if writes else harmless_request(op_id, tgo_config)
    response = call(op_id, key="full", **kwargs)
    for req in ("SCOPE-006", "ERR-005", "AUTH-007"):
        verify.check(
            req,
            response.status_code not in (401, 403),
            f"{op_id} with the full-access (*) key: answered {response.status_code}",
            expected="scope * is let into every operation",
            exchange=response,
        )
