"""Authentication: the X-Api-Key header, and the 401s for missing, unknown and revoked keys."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import expect_refusal
from conformance.config import TargetConfig
from conformance.http.evidence import Exchange
from conformance.rules import contract
from conformance.suite.conftest import valid_request
from conformance.verify import Verifier

OPERATIONS = list(contract.operations())


def random_key() -> str:
    """A key of the documented shape that no server has issued."""
    alphabet = string.ascii_letters + string.digits
    return "trk_" + "".join(secrets.choice(alphabet) for _ in range(32))


@pytest.mark.requirement("AUTH-001", "ERR-004")
@pytest.mark.parametrize("op_id", OPERATIONS)
def test_request_without_key_is_refused_with_missing_api_key(
    op_id: str, call: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    response = call(op_id, key=None, **valid_request(op_id, tgo_config))
    for req in ("AUTH-001", "ERR-004"):
        expect_refusal(
            verify,
            req,
            response,
            statuses=[401],
            code="missing_api_key",
            what=f"{op_id} without X-Api-Key",
        )


@pytest.mark.requirement("AUTH-004")
@pytest.mark.parametrize("scheme", ["Bearer ", ""])
@pytest.mark.parametrize("op_id", OPERATIONS)
def test_key_in_authorization_header_counts_as_missing(
    op_id: str,
    scheme: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    response = call(
        op_id,
        key=None,
        headers={"Authorization": f"{scheme}{full}"},
        **valid_request(op_id, tgo_config),
    )
    expect_refusal(
        verify,
        "AUTH-004",
        response,
        statuses=[401],
        code="missing_api_key",
        what=f"{op_id} with the key in Authorization: {scheme or '<key>'}",
    )


@pytest.mark.requirement("AUTH-002", "ERR-004")
@pytest.mark.parametrize("op_id", OPERATIONS)
def test_unknown_key_is_refused_with_invalid_api_key(
    op_id: str, call: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    response = call(op_id, key=None, raw_key=random_key(), **valid_request(op_id, tgo_config))
    for req in ("AUTH-002", "ERR-004"):
        expect_refusal(
            verify,
            req,
            response,
            statuses=[401],
            code="invalid_api_key",
            what=f"{op_id} with a key nobody issued",
        )


@pytest.mark.requirement("AUTH-003", "ERR-004")
@pytest.mark.parametrize("op_id", OPERATIONS)
def test_revoked_key_is_refused_with_invalid_api_key(
    op_id: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    need("key", "revoked")
    response = call(op_id, key="revoked", **valid_request(op_id, tgo_config))
    for req in ("AUTH-003", "ERR-004"):
        expect_refusal(
            verify,
            req,
            response,
            statuses=[401],
            code="invalid_api_key",
            what=f"{op_id} with a revoked key",
        )


def _with_inner(char: str) -> Callable[[str], str]:
    return lambda key: key[: len(key) // 2] + char + key[len(key) // 2 :]


# HTTP drops whitespace around a header value (RFC 9110 5.5), so whitespace is put inside the
# key (AUTH-005); other extra characters go around it (AUTH-006).
MANGLED_KEYS: dict[str, tuple[str, Callable[[str], str]]] = {
    "space inside": ("AUTH-005", _with_inner(" ")),
    "tab inside": ("AUTH-005", _with_inner("\t")),
    "escaped newline after": ("AUTH-006", lambda key: key + "\\n"),
    "character after": ("AUTH-006", lambda key: key + "x"),
    "character before": ("AUTH-006", lambda key: "x" + key),
    "quoted": ("AUTH-006", lambda key: f'"{key}"'),
}


@pytest.mark.requirement("AUTH-005", "AUTH-006")
@pytest.mark.parametrize("how", list(MANGLED_KEYS))
@pytest.mark.parametrize("op_id", ["listMessages", "sendMessage", "lookupContact", "getUsage"])
def test_key_with_extra_characters_is_refused(
    op_id: str,
    how: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    assert full is not None
    requirement, mangle = MANGLED_KEYS[how]
    response = call(op_id, key=None, raw_key=mangle(full), **valid_request(op_id, tgo_config))
    expect_refusal(
        verify,
        requirement,
        response,
        statuses=[401],
        code="invalid_api_key",
        what=f"{op_id} with the key's {how}",
    )


@pytest.mark.requirement("AUTH-007", "ERR-004")
@pytest.mark.parametrize("header", ["X-Api-Key", "x-api-key"])
@pytest.mark.parametrize(
    "op_id", ["listSenderNumbers", "listMessages", "lookupContact", "getUsage"]
)
def test_valid_key_in_x_api_key_is_accepted(
    op_id: str,
    header: str,
    call: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
) -> None:
    full = tgo_config.key("full")
    response = call(op_id, key=None, headers={header: full}, **valid_request(op_id, tgo_config))
    for req in ("AUTH-007", "ERR-004"):
        verify.check(
            req,
            response.status_code not in (401, 403),
            f"{op_id} with a valid full-access key in {header}: answered {response.status_code}",
            expected="the key is accepted (no 401 or 403)",
            exchange=response,
        )
