"""E.164 on every phone field: invalid numbers refused, real numbers never refused as invalid.

The fields are the contract's (every parameter and body field whose schema is E164Phone,
Operation.phone_fields); this module adds how to send a value in each and the requirement a
refusal there serves.

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
from dataclasses import dataclass, replace
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
from conformance.rules.contract import PhoneField as ContractPhoneField
from conformance.rules.values import Rules
from conformance.verify import ConformanceFailure, Verifier

# Numbers their countries' plans assign (the NANP and Ofcom ranges reserved for fiction, an
# Egyptian mobile): a server that checks numbering plans must still take them (PHONE-007).
REAL_NUMBERS = ("+12025550143", "+447700900123", "+201001234567", "+33612345678")


@dataclass(frozen=True)
class PhonePlace:
    """One place the contract puts a phone number (Operation.phone_fields), with how the suite
    sends a value there, the reference request it is sent in, and the number that reference
    carries in it."""

    name: str
    requirement: str
    operation: str
    field: ContractPhoneField
    build: Callable[[TargetConfig, str], dict[str, Any]]
    reference: str  # the reference request (generation/references.py)
    base: Callable[[TargetConfig], str]  # the number the reference carries in the field

    @property
    def in_query(self) -> bool:
        return self.field.in_query

    @property
    def optional(self) -> bool:
        return not self.field.required

    @property
    def wire(self) -> str:
        return self.field.name

    def broken(self, rules: Rules) -> Broken:
        query = ("phone", "sender_phone") if self.in_query else ()
        return broke(rules, self.operation, self.wire, query=query)


def _reachable(config: TargetConfig) -> str:
    return str(config.recipient("reachable"))


def _active_phone(config: TargetConfig) -> str:
    active = config.sender("active")
    return active.phone if active is not None and active.phone else _reachable(config)


def _registered(config: TargetConfig) -> str:
    return fictional_phone()


# Which fields take a phone number is the contract's (Operation.phone_fields); this is what the
# suite adds for each: the requirement a refusal there serves, and the number its reference
# request carries in it. tests/test_rule_homes.py holds it to the contract's list.
PLACES: dict[tuple[str, str], tuple[str, Callable[[TargetConfig], str]]] = {
    ("sendMessage", "sender_phone"): ("PHONE-001", _active_phone),
    ("sendMessage", "to_phone"): ("PHONE-002", _reachable),
    ("registerSenderNumber", "phone"): ("PHONE-003", _registered),
    ("lookupContact", "phone"): ("PHONE-004", _reachable),
    ("lookupContact", "sender_phone"): ("PHONE-005", _active_phone),
}
# The label of a body's media type in a test's id, when an operation takes two.
_MEDIA_LABEL = {"application/json": "JSON", "multipart/form-data": "multipart"}


def _builder(
    operation: str, field: ContractPhoneField, required_query: tuple[str, ...]
) -> tuple[str, Callable[[TargetConfig, str], dict[str, Any]]]:
    """The reference request a place is sent in, and how to send a value there."""
    name = field.name
    if field.in_query:
        reference = "lookup" if field.required else "lookup with sender"
        return reference, lambda c, p: {
            "params": {**{other: _reachable(c) for other in required_query}, name: p}
        }
    if operation == "registerSenderNumber":
        return "registration", lambda c, p: {"json": {name: p, "display_name": "tgo-conformance"}}
    if field.where == "multipart/form-data":
        return "image", lambda c, p: media_body(c, "image", **{name: p}).kwargs()
    return "text", lambda c, p: {"json": text_body(c, **{name: p})}


def phone_places(rules: Rules) -> list[PhonePlace]:
    """Every place the contract takes a phone number, as the suite sends a value there."""
    places: list[PhonePlace] = []
    for op in rules.operations.values():
        two_bodies = len({f.where for f in op.phone_fields if not f.in_query}) > 1
        required_query = tuple(f.name for f in op.phone_fields if f.in_query and f.required)
        for field in op.phone_fields:
            key = (op.operation_id, field.name)
            if key not in PLACES:
                raise KeyError(f"test_phones.PLACES has no requirement for {'.'.join(key)}")
            requirement, base = PLACES[key]
            body_label = two_bodies and not field.in_query
            label = _MEDIA_LABEL.get(field.where, field.where) if body_label else ""
            name = " ".join(part for part in (op.operation_id, label, field.name) if part)
            reference, build = _builder(op.operation_id, field, required_query)
            places.append(
                PhonePlace(name, requirement, op.operation_id, field, build, reference, base)
            )
    return places


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rules = rules_of(metafunc.config)
    if "shape" in metafunc.fixturenames:
        metafunc.parametrize("shape", list(invalid_e164_examples(rules)))
    if "digits" in metafunc.fixturenames:
        phone = rules.phone
        metafunc.parametrize("digits", range(phone.min_digits, phone.max_digits + 1))
    if "place" in metafunc.fixturenames:
        places = phone_places(rules)
        metafunc.parametrize("place", places, ids=[place.name for place in places])


def _refusal(field: PhonePlace, rules: Rules) -> Refusal:
    refusal = body_or_query(rules) if field.in_query else invalid_body(rules)
    # Taking a number that is not E.164 breaks one rule, whichever field carried it.
    phones = rules.basis("phone fields hold E.164 numbers", "invalid_phone_code")
    return replace(refusal, input_basis=phones)


def _send(
    target: TargetClient, rules: Rules, field: PhonePlace, config: TargetConfig, value: str
) -> Exchange:
    op = rules.operations[field.operation]
    return target.request(op.method, op.path, **field.build(config, value))


def _expect_refused(
    verify: Verifier,
    rules: Rules,
    field: PhonePlace,
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
def test_phone_field_refuses_number_that_is_not_e164(
    place: PhonePlace,
    shape: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Callable[[str], Confirmation],
) -> None:
    reference(place.reference)
    value = invalid_e164_examples(tgo_rules, place.base(tgo_config))[shape]
    response = _send(target, tgo_rules, place, tgo_config, value)
    extra = ("PHONE-006",) if shape in NO_PLUS_SHAPES else ()
    _expect_refused(verify, tgo_rules, place, value, shape, response, extra)


@pytest.mark.requirement("PHONE-001", "PHONE-002", "PHONE-003", "PHONE-004", "PHONE-005", "ERR-013")
def test_phone_field_refuses_generated_non_e164_numbers(
    place: PhonePlace,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Callable[[str], Confirmation],
) -> None:
    reference(place.reference)

    @given(broken=invalid_e164(tgo_rules))
    def refuses(broken: tuple[str, str]) -> None:
        shape, value = broken
        response = _send(target, tgo_rules, place, tgo_config, value)
        if not _expect_refused(verify, tgo_rules, place, value, shape, response):
            raise ConformanceFailure(f"{place.name} took {shown(value)} ({shape})")

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
