"""E.164 on every phone field: invalid numbers refused, real numbers never refused as invalid.

A body field that is not E.164 makes the body invalid (422 in the TGO table, 400 in
error-codes.txt: either passes, READ-003); a query parameter may be refused with 400 or 422
(READ-005). The code invalid_phone is error-codes.txt's: a SHOULD (ERR-013), not checked for an
empty value (READ-011).

Each case is a reference request the target accepts (sent first, once per process) with one
phone broken, and the phone broken is the one that field carries in the reference (the
configured recipient's or sender's): a server that repairs "201010000000" into a real number
and acts on it is caught, and a refusal whose error names another field does not count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given

from conformance.checks.errors import (
    Broken,
    Refusal,
    body_or_query,
    broke,
    error_code,
    expect_code,
    expect_refusal,
    invalid_body,
)
from conformance.checks.values import shown
from conformance.config import TargetConfig
from conformance.generation.payloads import fictional_phone, media_body, text_body
from conformance.generation.references import Confirmation
from conformance.generation.strategies import (
    NO_PLUS_SHAPES,
    invalid_e164,
    invalid_e164_examples,
    valid_e164,
)
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import ConformanceFailure, Verifier

# Numbers their countries' plans assign (the NANP and Ofcom ranges reserved for fiction, an
# Egyptian mobile): a server that checks numbering plans must still take them (PHONE-007).
REAL_NUMBERS = ("+12025550143", "+447700900123", "+201001234567", "+33612345678")


@dataclass(frozen=True)
class PhoneField:
    """One place the API takes a phone number, how to send a value in it, the reference
    request it is sent in, and the number that reference puts there."""

    name: str
    requirement: str
    operation: str
    in_query: bool
    optional: bool
    build: Callable[[TargetConfig, str], dict[str, Any]]
    wire: str  # the field's name in the request
    reference: str  # the reference request (generation/references.py)
    base: Callable[[TargetConfig], str]  # the number the reference carries in the field

    def broken(self, rules: Rules) -> Broken:
        query = ("phone", "sender_phone") if self.in_query else ()
        return broke(rules, self.operation, self.wire, query=query)


def _reachable(config: TargetConfig) -> str:
    return str(config.recipient("reachable"))


def _active_phone(config: TargetConfig) -> str:
    active = config.sender("active")
    return active.phone if active is not None and active.phone else _reachable(config)


FIELDS = [
    PhoneField(
        "sendMessage JSON sender_phone",
        "PHONE-001",
        "sendMessage",
        False,
        False,
        lambda c, p: {"json": text_body(c, sender_phone=p)},
        "sender_phone",
        "text",
        _active_phone,
    ),
    PhoneField(
        "sendMessage JSON to_phone",
        "PHONE-002",
        "sendMessage",
        False,
        False,
        lambda c, p: {"json": text_body(c, to=p)},
        "to_phone",
        "text",
        _reachable,
    ),
    PhoneField(
        "sendMessage multipart sender_phone",
        "PHONE-001",
        "sendMessage",
        False,
        False,
        lambda c, p: media_body(c, "image", sender_phone=p).kwargs(),
        "sender_phone",
        "image",
        _active_phone,
    ),
    PhoneField(
        "sendMessage multipart to_phone",
        "PHONE-002",
        "sendMessage",
        False,
        False,
        lambda c, p: media_body(c, "image", to=p).kwargs(),
        "to_phone",
        "image",
        _reachable,
    ),
    PhoneField(
        "registerSenderNumber phone",
        "PHONE-003",
        "registerSenderNumber",
        False,
        False,
        lambda c, p: {"json": {"phone": p, "display_name": "tgo-conformance"}},
        "phone",
        "registration",
        lambda c: fictional_phone(),
    ),
    PhoneField(
        "lookupContact phone",
        "PHONE-004",
        "lookupContact",
        True,
        False,
        lambda c, p: {"params": {"phone": p}},
        "phone",
        "lookup",
        _reachable,
    ),
    PhoneField(
        "lookupContact sender_phone",
        "PHONE-005",
        "lookupContact",
        True,
        True,
        lambda c, p: {"params": {"phone": c.recipient("reachable"), "sender_phone": p}},
        "sender_phone",
        "lookup with sender",
        _active_phone,
    ),
]
FIELD_IDS = [field.name for field in FIELDS]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rules = rules_of(metafunc.config)
    if "shape" in metafunc.fixturenames:
        metafunc.parametrize("shape", list(invalid_e164_examples(rules)))
    if "digits" in metafunc.fixturenames:
        phone = rules.phone
        metafunc.parametrize("digits", range(phone.min_digits, phone.max_digits + 1))


def _refusal(field: PhoneField, rules: Rules) -> Refusal:
    return body_or_query(rules) if field.in_query else invalid_body(rules)


def _send(
    target: TargetClient, rules: Rules, field: PhoneField, config: TargetConfig, value: str
) -> Exchange:
    op = rules.operations[field.operation]
    return target.request(op.method, op.path, **field.build(config, value))


def _expect_refused(
    verify: Verifier,
    rules: Rules,
    field: PhoneField,
    value: str,
    shape: str,
    response: Exchange,
    extra: tuple[str, ...] = (),
) -> bool:
    what = f"{field.name} = {shown(value)} ({shape})"
    # An empty optional parameter may be taken as absent (READ-011).
    if value == "" and field.optional and 200 <= response.status_code < 300:
        verify.chose(field.requirement, "READ-011", "an empty optional phone is absent")
        return True
    ok = True
    for req in (field.requirement, *extra):
        ok &= expect_refusal(
            verify, req, response, _refusal(field, rules), what=what, broken=field.broken(rules)
        )
    if value:
        expect_code(verify, "ERR-013", response, {rules.invalid_phone_code}, what=what)
    return ok


@pytest.mark.requirement(
    "PHONE-001", "PHONE-002", "PHONE-003", "PHONE-004", "PHONE-005", "PHONE-006", "ERR-013"
)
@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_phone_field_refuses_number_that_is_not_e164(
    field: PhoneField,
    shape: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Callable[[str], Confirmation],
) -> None:
    reference(field.reference)
    value = invalid_e164_examples(tgo_rules, field.base(tgo_config))[shape]
    response = _send(target, tgo_rules, field, tgo_config, value)
    extra = ("PHONE-006",) if shape in NO_PLUS_SHAPES else ()
    _expect_refused(verify, tgo_rules, field, value, shape, response, extra)


@pytest.mark.requirement("PHONE-001", "PHONE-002", "PHONE-003", "PHONE-004", "PHONE-005", "ERR-013")
@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_phone_field_refuses_generated_non_e164_numbers(
    field: PhoneField,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Callable[[str], Confirmation],
) -> None:
    reference(field.reference)

    @given(broken=invalid_e164(tgo_rules))
    def refuses(broken: tuple[str, str]) -> None:
        shape, value = broken
        response = _send(target, tgo_rules, field, tgo_config, value)
        if not _expect_refused(verify, tgo_rules, field, value, shape, response):
            raise ConformanceFailure(f"{field.name} took {shown(value)} ({shape})")

    refuses()


def _not_refused_as_invalid_phone(
    verify: Verifier, rules: Rules, what: str, response: Exchange
) -> bool:
    return verify.check(
        "PHONE-007",
        error_code(response) != rules.invalid_phone_code,
        f"{what}: refused as {rules.invalid_phone_code} ({response.status_code})",
        expected="a number its country's plan assigns is never called invalid",
        exchange=response,
    )


@pytest.mark.requirement("PHONE-007", "RCPT-002")
@pytest.mark.parametrize("phone", REAL_NUMBERS)
def test_lookup_takes_real_numbers(
    phone: str, lookup: Callable[..., Exchange], tgo_rules: Rules, verify: Verifier
) -> None:
    response = lookup(phone)
    _not_refused_as_invalid_phone(verify, tgo_rules, f"lookup of {phone}", response)
    verify.check(
        "RCPT-002",
        200 <= response.status_code < 300,
        f"lookup of the real number {phone}: answered {response.status_code}",
        expected="an answer (2xx), with exists telling whether it is registered",
        exchange=response,
    )


@pytest.mark.requirement("PHONE-007")
def test_lookup_of_pattern_only_numbers_is_a_reading(
    digits: int, lookup: Callable[..., Exchange], tgo_rules: Rules, verify: Verifier
) -> None:
    # +78, +789...: they match the pattern, but no plan assigns most of them (READ-015). Either
    # answer is conforming; the report says which the target chose.
    phone = "+" + "".join(str((7 + i) % 10 or 1) for i in range(digits))
    response = lookup(phone)
    refused = error_code(response) == tgo_rules.invalid_phone_code or response.status_code >= 400
    verify.chose(
        "PHONE-007",
        "READ-015",
        "numbers only the pattern admits are refused"
        if refused
        else "numbers only the pattern admits are taken",
    )


@pytest.mark.requirement("PHONE-007")
@pytest.mark.parametrize("where", ["phone", "sender_phone"])
def test_lookup_of_generated_e164_numbers_is_a_reading(
    where: str,
    lookup: Callable[..., Exchange],
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    # Generated numbers may be in no plan (READ-015): whatever the answer, it is a reading; the
    # report says how the target treats them.
    reachable = tgo_config.recipient("reachable")

    @given(phone=valid_e164(tgo_rules))
    def asks(phone: str) -> None:
        response = lookup(phone) if where == "phone" else lookup(reachable, sender_phone=phone)
        answer = "taken" if response.status_code < 400 else f"refused ({response.status_code})"
        verify.chose("PHONE-007", "READ-015", f"generated E.164 {where}: {answer}")

    asks()


@pytest.mark.requirement("PHONE-007")
@pytest.mark.parametrize("field", ["sender_phone", "to_phone"])
@pytest.mark.parametrize("phone", REAL_NUMBERS)
def test_send_does_not_call_real_numbers_invalid_phone(
    field: str,
    phone: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    # The body is made invalid by its type so nothing can be sent to the number.
    overrides: dict[str, Any] = {field: phone, "type": "tgo-conformance-invalid-type"}
    op = tgo_rules.operations["sendMessage"]
    response = target.request(op.method, op.path, json=text_body(tgo_config, **overrides))
    _not_refused_as_invalid_phone(
        verify, tgo_rules, f"sendMessage with {field}={phone} and an invalid type", response
    )
