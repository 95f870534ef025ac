"""The scope matrix: every operation with a documented scope, called with every configured key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import Refusal, expect_let_in, expect_refusal
from conformance.config import TargetConfig
from conformance.generation.requests import harmless_request, valid_request
from conformance.http.evidence import Exchange
from conformance.plugin import rules_of
from conformance.rules.catalogue import Catalogue
from conformance.rules.values import Rules, scope_key_name
from conformance.rules.writes import WRITING_OPERATIONS
from conformance.verify import Verifier


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rules = rules_of(metafunc.config)
    if "scoped_op" in metafunc.fixturenames:
        metafunc.parametrize("scoped_op", sorted(rules.scoped_operations))
    if "key_name" in metafunc.fixturenames:
        metafunc.parametrize("key_name", sorted(rules.single_scope_key_names))
    if "op_id" in metafunc.fixturenames:
        metafunc.parametrize("op_id", list(rules.operations))


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
def test_single_scope_key_is_let_in_only_where_its_scope_is_required(
    scoped_op: str,
    key_name: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    tgo_catalogue: Catalogue,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    need("key", key_name)
    scope = tgo_rules.scoped_operations[scoped_op]
    allowed = scope_key_name(scope) == key_name
    response = call(scoped_op, key=key_name, **_request_for(scoped_op, tgo_config, allowed))
    if allowed:
        expect_let_in(
            verify,
            ["SCOPE-008"],
            response,
            tgo_rules,
            what=f"{scoped_op} with a key holding only {scope}: answered {response.status_code}",
            expected=f"a key with {scope} is let in",
            status_requirement="ERR-005",
            status=tgo_rules.forbidden_status,
            because="for a key holding the scope",
        )
        return
    for req in (tgo_catalogue.scope_requirement(scoped_op), "SCOPE-007"):
        expect_refusal(
            verify,
            req,
            response,
            Refusal.pinned(
                tgo_rules, "forbidden_status", "a key without the scope is refused with 403"
            ),
            what=f"{scoped_op} ({scope}) with a key holding only {key_name.replace('_', '.')}",
        )


@pytest.mark.requirement("SCOPE-006", "ERR-005", "AUTH-007")
def test_full_access_key_is_let_in_everywhere(
    op_id: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    writes = op_id not in WRITING_OPERATIONS or tgo_config.allow_writes
    kwargs = valid_request(op_id, tgo_config) if writes else harmless_request(op_id, tgo_config)
    response = call(op_id, key="full", **kwargs)
    expect_let_in(
        verify,
        ["SCOPE-006", "AUTH-007"],
        response,
        tgo_rules,
        what=(
            f"{op_id} with the full-access ({tgo_rules.full_access_scope}) key: "
            f"answered {response.status_code}"
        ),
        expected="full access is let into every operation",
        status_requirement="ERR-005",
        status=tgo_rules.forbidden_status,
        because="for full access",
    )
