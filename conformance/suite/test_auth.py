"""Authentication: the X-Api-Key header, and the 401s for missing, unknown and revoked keys.

The status (401) is what the TGO pages pin; the codes (missing_api_key, invalid_api_key) come
only from error-codes.txt and are checked as SHOULDs (ERR-011, ERR-012).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import Refusal, expect_code, expect_let_in, expect_refusal
from conformance.config import TargetConfig
from conformance.generation.keys import AUTHORIZATION_SCHEMES, MANGLED_KEYS, random_key
from conformance.generation.requests import valid_request
from conformance.http.evidence import Exchange
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import Verifier

# Operations the mangled keys are tried on (a read, a lookup, usage, a write refused before
# acting): enough to show a server that repairs keys.
MANGLED_KEY_OPERATIONS = ("listMessages", "sendMessage", "lookupContact", "getUsage")
# Operations a valid key is shown to be accepted by without writing anything.
ACCEPTED_KEY_OPERATIONS = ("listSenderNumbers", "listMessages", "lookupContact", "getUsage")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "op_id" in metafunc.fixturenames:
        metafunc.parametrize("op_id", list(rules_of(metafunc.config).operations))


def _unauthorized(rules: Rules) -> Refusal:
    return Refusal.pinned(
        rules, "unauthorized_status", "a missing, invalid or revoked key is refused with 401"
    )


@pytest.mark.requirement("AUTH-001", "ERR-004", "ERR-011")
def test_request_without_key_is_refused_with_401(
    op_id: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    response = call(op_id, key=None, **valid_request(op_id, tgo_config))
    what = f"{op_id} without {tgo_rules.key_header}"
    for req in ("AUTH-001", "ERR-004"):
        expect_refusal(verify, req, response, _unauthorized(tgo_rules), what=what)
    expect_code(verify, "ERR-011", response, {tgo_rules.missing_key_code}, what=what)


@pytest.mark.requirement("AUTH-004", "ERR-011")
@pytest.mark.parametrize("scheme", AUTHORIZATION_SCHEMES, ids=["bearer", "bare"])
def test_key_in_authorization_header_counts_as_missing(
    op_id: str,
    scheme: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    response = call(
        op_id,
        key=None,
        headers={"Authorization": f"{scheme}{full}"},
        **valid_request(op_id, tgo_config),
    )
    what = f"{op_id} with the key in Authorization: {scheme or '<key>'}"
    expect_refusal(verify, "AUTH-004", response, _unauthorized(tgo_rules), what=what)
    expect_code(verify, "ERR-011", response, {tgo_rules.missing_key_code}, what=what)


@pytest.mark.requirement("AUTH-002", "ERR-004", "ERR-012")
def test_unknown_key_is_refused_with_401(
    op_id: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    response = call(
        op_id, key=None, raw_key=random_key(tgo_rules), **valid_request(op_id, tgo_config)
    )
    what = f"{op_id} with a key nobody issued"
    for req in ("AUTH-002", "ERR-004"):
        expect_refusal(verify, req, response, _unauthorized(tgo_rules), what=what)
    expect_code(verify, "ERR-012", response, {tgo_rules.invalid_key_code}, what=what)


@pytest.mark.requirement("AUTH-003", "ERR-004", "ERR-012")
def test_revoked_key_is_refused_with_401(
    op_id: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    need("key", "revoked")
    response = call(op_id, key="revoked", **valid_request(op_id, tgo_config))
    what = f"{op_id} with a revoked key"
    for req in ("AUTH-003", "ERR-004"):
        expect_refusal(verify, req, response, _unauthorized(tgo_rules), what=what)
    expect_code(verify, "ERR-012", response, {tgo_rules.invalid_key_code}, what=what)


@pytest.mark.requirement("AUTH-005", "AUTH-006", "ERR-012")
@pytest.mark.parametrize("how", list(MANGLED_KEYS))
@pytest.mark.parametrize("mangled_op", MANGLED_KEY_OPERATIONS)
def test_key_with_extra_characters_is_refused(
    mangled_op: str,
    how: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    assert full is not None
    requirement, mangle = MANGLED_KEYS[how]
    response = call(
        mangled_op, key=None, raw_key=mangle(full), **valid_request(mangled_op, tgo_config)
    )
    what = f"{mangled_op} with the key's {how}"
    expect_refusal(verify, requirement, response, _unauthorized(tgo_rules), what=what)
    expect_code(verify, "ERR-012", response, {tgo_rules.invalid_key_code}, what=what)


@pytest.mark.requirement("AUTH-007", "ERR-004")
@pytest.mark.parametrize("header", ["X-Api-Key", "x-api-key"])
@pytest.mark.parametrize("read_op", ACCEPTED_KEY_OPERATIONS)
def test_valid_key_in_x_api_key_is_accepted(
    read_op: str,
    header: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    response = call(read_op, key=None, headers={header: full}, **valid_request(read_op, tgo_config))
    expect_let_in(
        verify,
        ["AUTH-007"],
        response,
        tgo_rules,
        what=f"{read_op} with a valid full-access key in {header}: answered {response.status_code}",
        expected="the key is accepted",
        status_requirement="ERR-004",
        status=tgo_rules.unauthorized_status,
        because="for a valid active key",
    )


@pytest.mark.requirement("AUTH-008")
def test_configured_keys_have_the_documented_format(
    tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier
) -> None:
    # Checked locally: nothing is sent, and no key is shown (only the entry's name).
    shape = tgo_rules.key_format()
    for name, key in tgo_config.keys.items():
        verify.check(
            "AUTH-008",
            shape.fullmatch(key) is not None,
            f"[keys].{name} is not of the documented shape (value not shown)",
            expected=f"{tgo_rules.key_prefix} and {tgo_rules.key_body_length} letters or digits",
        )
    if tgo_config.other_account is not None:
        verify.check(
            "AUTH-008",
            shape.fullmatch(tgo_config.other_account.key) is not None,
            "[other_account].key is not of the documented shape (value not shown)",
            expected=f"{tgo_rules.key_prefix} and {tgo_rules.key_body_length} letters or digits",
        )
