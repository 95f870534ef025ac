"""E.164 on every phone field: invalid numbers refused as invalid_phone, valid ones never."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given

from conformance.checks.errors import error_code, expect_refusal
from conformance.config import TargetConfig
from conformance.generation.payloads import LOOKUP, MESSAGES, SENDER_NUMBERS, media_body, text_body
from conformance.generation.strategies import INVALID_E164_EXAMPLES, invalid_e164, valid_e164
from conformance.http.evidence import Exchange
from conformance.verify import ConformanceFailure, Verifier


@dataclass(frozen=True)
class PhoneField:
    """One place the API takes a phone number, and how to send a value in it."""

    name: str
    requirement: str
    in_query: bool
    build: Callable[[TargetConfig, str], dict[str, Any]]
    method: str
    path: str


FIELDS = [
    PhoneField(
        "sendMessage JSON sender_phone",
        "PHONE-001",
        False,
        lambda c, p: {"json": text_body(c, sender_phone=p)},
        "POST",
        MESSAGES,
    ),
    PhoneField(
        "sendMessage JSON to_phone",
        "PHONE-002",
        False,
        lambda c, p: {"json": text_body(c, to=p)},
        "POST",
        MESSAGES,
    ),
    PhoneField(
        "sendMessage multipart sender_phone",
        "PHONE-001",
        False,
        lambda c, p: media_body(c, "image", sender_phone=p).kwargs(),
        "POST",
        MESSAGES,
    ),
    PhoneField(
        "sendMessage multipart to_phone",
        "PHONE-002",
        False,
        lambda c, p: media_body(c, "image", to=p).kwargs(),
        "POST",
        MESSAGES,
    ),
    PhoneField(
        "registerSenderNumber phone",
        "PHONE-003",
        False,
        lambda c, p: {"json": {"phone": p, "display_name": "tgo-conformance"}},
        "POST",
        SENDER_NUMBERS,
    ),
    PhoneField(
        "lookupContact phone",
        "PHONE-004",
        True,
        lambda c, p: {"params": {"phone": p}},
        "GET",
        LOOKUP,
    ),
    PhoneField(
        "lookupContact sender_phone",
        "PHONE-005",
        True,
        lambda c, p: {"params": {"phone": c.recipient("reachable"), "sender_phone": p}},
        "GET",
        LOOKUP,
    ),
]
FIELD_IDS = [field.name for field in FIELDS]
NO_PLUS_SHAPES = {"no leading +", "national format"}


def _expect_invalid_phone(
    verify: Verifier, field: PhoneField, what: str, response: Exchange, extra: tuple[str, ...] = ()
) -> bool:
    # A body is well formed here, so 422 (TGO table); a query parameter is not a body and the
    # TGO pages are silent on it, so 400 passes too.
    statuses = [400, 422] if field.in_query else [422]
    ok = True
    for req in (field.requirement, *extra):
        ok &= expect_refusal(
            verify,
            req,
            response,
            statuses=statuses,
            code="invalid_phone",
            what=f"{field.name} {what}",
        )
    return ok


@pytest.mark.requirement(
    "PHONE-001", "PHONE-002", "PHONE-003", "PHONE-004", "PHONE-005", "PHONE-006"
)
@pytest.mark.parametrize("shape", list(INVALID_E164_EXAMPLES))
@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_phone_field_refuses_number_that_is_not_e164(
    field: PhoneField, shape: str, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    value = INVALID_E164_EXAMPLES[shape]
    response = target.request(field.method, field.path, **field.build(tgo_config, value))
    extra = ("PHONE-006",) if shape in NO_PLUS_SHAPES else ()
    _expect_invalid_phone(verify, field, f"= {value!r} ({shape})", response, extra)


@pytest.mark.requirement("PHONE-001", "PHONE-002", "PHONE-003", "PHONE-004", "PHONE-005")
@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_phone_field_refuses_generated_non_e164_numbers(
    field: PhoneField, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    @given(broken=invalid_e164())
    def refuses(broken: tuple[str, str]) -> None:
        shape, value = broken
        response = target.request(field.method, field.path, **field.build(tgo_config, value))
        if not _expect_invalid_phone(verify, field, f"= {value!r} ({shape})", response):
            raise ConformanceFailure(f"{field.name} took {value!r} ({shape})")

    refuses()


def _not_refused_as_invalid_phone(verify: Verifier, what: str, response: Exchange) -> bool:
    return verify.check(
        "PHONE-007",
        error_code(response) != "invalid_phone",
        f"{what}: refused as invalid_phone ({response.status_code})",
        expected="a number that conforms to E.164 is never invalid_phone",
        exchange=response,
    )


@pytest.mark.requirement("PHONE-007", "RCPT-002")
@pytest.mark.parametrize("digits", range(2, 16))
def test_lookup_takes_e164_numbers_of_every_length(
    digits: int, lookup: Callable[..., Exchange], verify: Verifier
) -> None:
    phone = "+" + "".join(str((7 + i) % 10 or 1) for i in range(digits))
    response = lookup(phone)
    _not_refused_as_invalid_phone(verify, f"lookup of {phone} ({digits} digits)", response)
    verify.check(
        "RCPT-002",
        response.status_code == 200,
        f"lookup of a well-formed number {phone}: answered {response.status_code}",
        expected="200, with exists telling whether it is registered",
        exchange=response,
    )


@pytest.mark.requirement("PHONE-007")
@pytest.mark.parametrize("where", ["phone", "sender_phone"])
def test_lookup_takes_generated_e164_numbers(
    where: str, lookup: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    reachable = tgo_config.recipient("reachable")

    @given(phone=valid_e164())
    def takes(phone: str) -> None:
        response = lookup(phone) if where == "phone" else lookup(reachable, sender_phone=phone)
        if not _not_refused_as_invalid_phone(verify, f"lookup {where}={phone}", response):
            raise ConformanceFailure(f"lookup refused {where}={phone} as invalid_phone")

    takes()


@pytest.mark.requirement("PHONE-007")
@pytest.mark.parametrize("field", ["sender_phone", "to_phone"])
@pytest.mark.parametrize("digits", [2, 3, 8, 12, 15])
def test_send_does_not_call_valid_numbers_invalid_phone(
    field: str, digits: int, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    # The body is made invalid by its type so nothing can be sent to the generated number.
    phone = "+" + "9" * (digits - 1) + "1"
    overrides: dict[str, Any] = {field: phone, "type": "tgo-conformance-invalid-type"}
    body = text_body(tgo_config, **overrides)
    response = target.request("POST", MESSAGES, json=body)
    _not_refused_as_invalid_phone(
        verify, f"sendMessage with {field}={phone} and an invalid type", response
    )
