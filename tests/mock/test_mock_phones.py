"""E.164 (^\\+[1-9]\\d{1,14}$) on every phone field: invalid_phone, 422, the documented text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tgo_mock_client import API, MockClient, error_of

from conformance.mock import Behaviour
from conformance.mock.errors import InvalidPhone
from conformance.mock.validation import Validator

VALID = ["+12", "+201001187188", "+123456789012345", "+999999999999999"]
INVALID = [
    "201001187188",  # no plus
    "+0201001187188",  # leading zero
    "+1234567890123456",  # 16 digits
    "+1",  # one digit
    "+",
    "",
    "++201001187188",
    "+20 100 118 7188",
    "+20-100-118-7188",
    "+2010011871a8",
    "+٢٠١٠٠١١٨٧١٨٨",  # Arabic-Indic digits: not E.164 digits
    "+201001187188\n",
    " +201001187188",
    "+201001187188 ",
]

Sender = Callable[[MockClient, str], Any]


def send_json_sender(mock: MockClient, phone: object) -> Any:
    return mock.send_text(sender_phone=phone)


def send_json_to(mock: MockClient, phone: object) -> Any:
    return mock.send_text(to_phone=phone)


def send_multipart_sender(mock: MockClient, phone: str) -> Any:
    return mock.send_media("image", sender_phone=phone)


def send_multipart_to(mock: MockClient, phone: str) -> Any:
    return mock.send_media("document", to_phone=phone)


def register(mock: MockClient, phone: object) -> Any:
    return mock.post_json("/sender-numbers", {"phone": phone})


def lookup_phone(mock: MockClient, phone: str) -> Any:
    return mock.lookup(phone=phone)


def lookup_sender_phone(mock: MockClient, phone: str) -> Any:
    return mock.lookup(phone=mock.seeded.recipients.reachable, sender_phone=phone)


FIELDS: dict[str, Sender] = {
    "json sender_phone": send_json_sender,
    "json to_phone": send_json_to,
    "multipart sender_phone": send_multipart_sender,
    "multipart to_phone": send_multipart_to,
    "register phone": register,
    "lookup phone": lookup_phone,
    "lookup sender_phone": lookup_sender_phone,
}


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("phone", INVALID)
def test_invalid_phone_is_422_invalid_phone(mock: MockClient, field: str, phone: str) -> None:
    response = FIELDS[field](mock, phone)
    assert error_of(response) == (422, "invalid_phone")
    assert response.json()["message"] == "Invalid E.164 phone number format"


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("phone", VALID)
def test_valid_phone_passes_format_check(mock: MockClient, field: str, phone: str) -> None:
    # Valid but unknown numbers hit the state rules (404, 422 unreachable) or succeed.
    assert error_of(FIELDS[field](mock, phone))[1] != "invalid_phone"


@pytest.mark.parametrize("value", [201001187188, None, True, ["+201001187188"], {"p": 1}])
@pytest.mark.parametrize("field", ["json sender_phone", "json to_phone", "register phone"])
def test_non_string_phone_in_json_is_invalid_phone(
    mock: MockClient, field: str, value: object
) -> None:
    assert error_of(FIELDS[field](mock, value)) == (422, "invalid_phone")


def test_docs_example_with_literal_plus_in_query_is_accepted(mock: MockClient) -> None:
    # errors-and-troubleshooting.txt: curl ".../contacts/lookup?phone=+201010000000"
    response = mock.client.get(API + "/contacts/lookup?phone=+201010000000", headers=mock.auth())
    assert response.status_code == 200
    assert response.json()["can_receive"] is True


def test_encoded_plus_in_query_is_accepted(mock: MockClient) -> None:
    response = mock.client.get(API + "/contacts/lookup?phone=%2B201010000000", headers=mock.auth())
    assert response.status_code == 200


def test_missing_lookup_phone_is_422(mock: MockClient) -> None:
    assert error_of(mock.get("/contacts/lookup")) == (422, "validation_error")


def test_repeated_lookup_phone_is_422(mock: MockClient) -> None:
    url = API + "/contacts/lookup?phone=%2B201010000000&phone=%2B201010000000"
    assert error_of(mock.client.get(url, headers=mock.auth()))[0] == 422


def test_missing_register_phone_is_422(mock: MockClient) -> None:
    assert error_of(mock.post_json("/sender-numbers", {"display_name": "x"})) == (
        422,
        "validation_error",
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_e164_rule_matches_the_contract_pattern(value: str) -> None:
    expected = (
        len(value) >= 3
        and value[0] == "+"
        and value[1] in "123456789"
        and all(c in "0123456789" for c in value[1:])
        and len(value) <= 16
    )
    try:
        accepted = Validator(Behaviour()).e164(value, "to_phone") == value
    except InvalidPhone:
        accepted = False
    assert accepted == expected


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"\A\+[1-9][0-9]{1,14}\Z"))
def test_every_contract_phone_is_accepted(value: str) -> None:
    assert Validator(Behaviour()).e164(value, "lookup_phone") == value
