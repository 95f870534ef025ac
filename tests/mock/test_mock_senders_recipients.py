"""Sender registration and life cycle, account verification, and contact lookup."""

from __future__ import annotations

import pytest
from tgo_mock_client import MockClient, error_of


def listed(mock: MockClient) -> dict[str, dict[str, object]]:
    response = mock.get("/sender-numbers")
    assert response.status_code == 200
    return {entry["phone"]: entry for entry in response.json()}


def test_seeded_senders_show_every_state(mock: MockClient) -> None:
    entries = listed(mock)
    assert {p: (e["id"], e["status"], e["verification_status"]) for p, e in entries.items()} == {
        "+201001187188": (12, "active", "verified"),
        "+201001187189": (13, "pending_verification", None),
        "+201001187190": (14, "pending_account_verification", "pending_account_verification"),
        "+201001187191": (15, "rejected", None),
        "+201001187192": (16, "suspended", "verified"),
    }
    assert set(next(iter(entries.values()))) >= {
        "id",
        "phone",
        "display_name",
        "status",
        "verification_status",
    }


def test_registration_creates_a_pending_sender_that_is_listed(mock: MockClient) -> None:
    response = mock.register("+201005550000", display_name="Support")
    assert response.status_code == 201
    created = response.json()
    assert created["phone"] == "+201005550000"
    assert created["display_name"] == "Support"
    assert created["status"] == "pending_verification"
    assert created["verification_status"] is None
    assert isinstance(created["id"], int)
    assert listed(mock)["+201005550000"] == created


def test_display_name_is_optional(mock: MockClient) -> None:
    assert mock.register("+201005550001").json()["display_name"] is None


@pytest.mark.parametrize("display_name", [5, None, ["x"], True])
def test_display_name_must_be_a_string(mock: MockClient, display_name: object) -> None:
    response = mock.register("+201005550002", display_name=display_name)
    assert error_of(response) == (422, "validation_error")


def test_duplicate_phone_is_409_sender_exists(mock: MockClient) -> None:
    assert mock.register("+201005550003").status_code == 201
    assert error_of(mock.register("+201005550003")) == (409, "sender_exists")
    assert error_of(mock.register("+201001187188")) == (409, "sender_exists")


def test_new_sender_cannot_send_until_otp_and_account_verified(mock: MockClient) -> None:
    phone = "+201005550004"
    sender_id = mock.register(phone).json()["id"]
    assert error_of(mock.send_text(sender_phone=phone)) == (422, "sender_not_active")
    mock.backend.confirm_otp(sender_id)  # the owner has no verified TGO Connect account yet
    assert listed(mock)[phone]["status"] == "pending_account_verification"
    assert error_of(mock.send_text(sender_phone=phone)) == (422, "account_not_verified")
    mock.backend.set_account_verified(phone, True)
    assert listed(mock)[phone]["status"] == "active"
    assert listed(mock)[phone]["verification_status"] == "verified"
    assert mock.send_text(sender_phone=phone).status_code == 201


def test_unverifying_the_account_moves_active_back(mock: MockClient) -> None:
    active = mock.seeded.senders.active
    mock.backend.set_account_verified(active.phone, False)
    assert listed(mock)[active.phone]["status"] == "pending_account_verification"
    assert error_of(mock.send_text()) == (422, "account_not_verified")


def test_otp_for_a_verified_owner_goes_straight_to_active(mock: MockClient) -> None:
    pending = mock.seeded.senders.pending_verification
    mock.backend.confirm_otp(pending.id)
    assert listed(mock)[pending.phone]["status"] == "active"


def test_register_needs_json(mock: MockClient) -> None:
    response = mock.client.post(
        "/api/v1/sender-numbers",
        data={"phone": "+201005550005"},
        headers=mock.auth(),
    )
    assert error_of(response) == (415, "unsupported_media_type")


# --- lookup ---


def test_lookup_reachable_matches_the_docs_example(mock: MockClient) -> None:
    response = mock.lookup(phone="+201010000000", sender_phone="+201001187188")
    assert response.status_code == 200
    assert response.json() == {
        "exists": True,
        "can_receive": True,
        "reason_code": "ok",
        "recipient_id": 4821,
        "is_verified": True,
        "phone_verified_at": "2025-01-10T08:00:00Z",
    }


def test_lookup_unverified(mock: MockClient) -> None:
    body = mock.lookup(phone=mock.seeded.recipients.unverified).json()
    assert body["exists"] is True
    assert body["can_receive"] is False
    assert body["reason_code"] == "phone_not_verified"
    assert body["is_verified"] is False
    assert body["phone_verified_at"] is None
    assert body["recipient_id"] is not None


@pytest.mark.parametrize("phone", ["+201010000001", "+447700900123"])
def test_lookup_unknown_phone(mock: MockClient, phone: str) -> None:
    assert mock.lookup(phone=phone).json() == {
        "exists": False,
        "can_receive": False,
        "reason_code": "not_found",
        "recipient_id": None,
        "is_verified": False,
        "phone_verified_at": None,
    }


def test_lookup_without_sender_phone_is_fine(mock: MockClient) -> None:
    assert mock.lookup(phone="+201010000000").status_code == 200


def test_recipient_state_changes_show_in_lookup_and_send(mock: MockClient) -> None:
    phone = "+201010000009"
    assert error_of(mock.send_text(to_phone=phone)) == (422, "recipient_unreachable")
    mock.backend.set_recipient(phone, "unverified")
    assert mock.lookup(phone=phone).json()["reason_code"] == "phone_not_verified"
    mock.backend.set_recipient(phone, "reachable")
    assert mock.lookup(phone=phone).json()["can_receive"] is True
    assert mock.send_text(to_phone=phone).status_code == 201
    mock.backend.set_recipient(phone, "unreachable")
    assert mock.lookup(phone=phone).json()["exists"] is False
