"""Authentication (X-Api-Key), scopes from the contract, and the order of checks."""

from __future__ import annotations

from typing import Any

import pytest
from tgo_mock_client import API, DROP, MakeMock, MockClient, error_of

from conformance.mock.models import new_api_key
from conformance.rules.contract import operations
from conformance.rules.values import load_rules

SCOPED_KEYS = {
    "messages.send": "messages_send",
    "messages.read": "messages_read",
    "contacts.lookup": "contacts_lookup",
    "usage.read": "usage_read",
}


def call(mock: MockClient, operation_id: str, headers: dict[str, str]) -> Any:
    """A valid request for the operation, sent with exactly these headers."""
    client = mock.client
    if operation_id == "registerSenderNumber":
        body = {"phone": "+201009990000"}
        return client.post(API + "/sender-numbers", json=body, headers=headers)
    if operation_id == "sendMessage":
        return client.post(API + "/messages", json=mock.text_body(), headers=headers)
    if operation_id == "lookupContact":
        params = {"phone": mock.seeded.recipients.reachable}
        return client.get(API + "/contacts/lookup", params=params, headers=headers)
    op = operations()[operation_id]
    return client.request(op.method, op.path, headers=headers)


ALL_OPS = sorted(operations())
SCOPED_OPS = sorted(o for o, op in operations().items() if op.required_scope)


def test_issued_keys_have_the_documented_format() -> None:
    pattern = load_rules().key_format()
    keys = {new_api_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(pattern.fullmatch(k) for k in keys)


def test_fixture_keys_are_random_per_state(make_mock: MakeMock) -> None:
    first, second = make_mock(), make_mock()
    assert first.seeded.keys.full != second.seeded.keys.full
    assert "trk_…" in repr(first.seeded.keys)
    assert first.seeded.keys.full not in repr(first.seeded)


@pytest.mark.parametrize("operation_id", ALL_OPS)
def test_missing_key_is_401_missing_api_key(mock: MockClient, operation_id: str) -> None:
    response = call(mock, operation_id, {})
    assert error_of(response) == (401, "missing_api_key")
    assert response.json()["message"] == "API key required"


@pytest.mark.parametrize("operation_id", ALL_OPS)
def test_key_in_authorization_header_counts_as_missing(mock: MockClient, operation_id: str) -> None:
    full = mock.seeded.keys.full
    for value in (full, f"Bearer {full}"):
        response = call(mock, operation_id, {"Authorization": value})
        assert error_of(response) == (401, "missing_api_key")


@pytest.mark.parametrize(
    "value",
    [
        "trk_" + "A" * 32,  # well-formed, unknown
        "",
        "not-a-key",
        "{full}\\n",  # a literal backslash-n copied along with the key
        "{full}x",
        "x{full}",
        '"{full}"',
        "{full_upper}",
        "{revoked}",
    ],
)
def test_invalid_keys_are_401_invalid_api_key(mock: MockClient, value: str) -> None:
    keys = mock.seeded.keys
    header = value.format(full=keys.full, full_upper=keys.full.upper(), revoked=keys.revoked)
    response = mock.get("/usage", key=None, headers={"X-Api-Key": header})
    assert error_of(response) == (401, "invalid_api_key")
    assert response.json()["message"] == "Invalid API key"


def test_two_key_headers_are_invalid(mock: MockClient) -> None:
    full = mock.seeded.keys.full
    response = mock.client.get(API + "/usage", headers=[("X-Api-Key", full), ("X-Api-Key", full)])
    assert error_of(response) == (401, "invalid_api_key")


def test_header_name_is_case_insensitive(mock: MockClient) -> None:
    response = mock.get("/usage", key=None, headers={"x-api-key": mock.seeded.keys.full})
    assert response.status_code == 200


def test_scopes_come_from_the_contract() -> None:
    scopes = {o: op.required_scope for o, op in operations().items()}
    assert scopes == {
        "registerSenderNumber": "messages.send",
        "listSenderNumbers": None,
        "sendMessage": "messages.send",
        "listMessages": "messages.read",
        "lookupContact": "contacts.lookup",
        "getUsage": "usage.read",
    }


@pytest.mark.parametrize("operation_id", SCOPED_OPS)
@pytest.mark.parametrize("key_name", sorted(SCOPED_KEYS.values()))
def test_each_scoped_key_reaches_only_its_operations(
    mock: MockClient, operation_id: str, key_name: str
) -> None:
    scope = operations()[operation_id].required_scope
    assert scope is not None
    response = call(mock, operation_id, mock.auth(key_name))
    if SCOPED_KEYS[scope] == key_name:
        assert response.status_code in (200, 201)
    else:
        assert error_of(response) == (403, "insufficient_scope")


@pytest.mark.parametrize("operation_id", ALL_OPS)
def test_full_key_reaches_every_operation(mock: MockClient, operation_id: str) -> None:
    assert call(mock, operation_id, mock.auth("full")).status_code in (200, 201)


@pytest.mark.parametrize("key_name", sorted(SCOPED_KEYS.values()))
def test_any_valid_key_lists_sender_numbers(mock: MockClient, key_name: str) -> None:
    assert mock.get("/sender-numbers", key=key_name).status_code == 200


def test_auth_comes_before_scope_parsing_and_validation(mock: MockClient) -> None:
    broken = {"Content-Type": "application/json"}
    response = mock.client.post(API + "/messages", content=b"{", headers=broken)
    assert error_of(response) == (401, "missing_api_key")


def test_scope_comes_before_parsing(mock: MockClient) -> None:
    headers = {**mock.auth("messages_read"), "Content-Type": "text/plain"}
    response = mock.client.post(API + "/messages", content=b"{", headers=headers)
    assert error_of(response) == (403, "insufficient_scope")


def test_parsing_comes_before_validation(mock: MockClient) -> None:
    headers = {**mock.auth(), "Content-Type": "text/plain"}
    response = mock.client.post(API + "/messages", content=b"{}", headers=headers)
    assert error_of(response) == (415, "unsupported_media_type")


def test_validation_comes_before_state_rules(mock: MockClient) -> None:
    response = mock.send_text(sender_phone=DROP, sender_number_id=999, to_phone="123")
    assert error_of(response) == (422, "invalid_phone")
