"""sendMessage: text as JSON, media as multipart, voice duration, sender exclusivity, sender and
recipient state, and the log and usage that accepted messages leave behind."""

from __future__ import annotations

import re

import pytest
from tgo_mock_client import API, DROP, MockClient, encode_multipart, error_of

SENT_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ARABIC = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."


def log(mock: MockClient) -> list[dict[str, object]]:
    response = mock.get("/messages")
    assert response.status_code == 200
    entries: list[dict[str, object]] = response.json()
    return entries


def usage_of(mock: MockClient, sender_id: int) -> int:
    rows = mock.get("/usage").json()
    counts = [row["message_count"] for row in rows if row["sender_number_id"] == sender_id]
    assert len(counts) == 1
    return int(counts[0])


# --- text ---


def test_docs_text_example_is_accepted_and_logged(mock: MockClient) -> None:
    response = mock.send_text()
    assert response.status_code == 201
    created = response.json()
    assert created["message_type"] == "text"
    assert created["sender_number_id"] == 12
    entries = log(mock)
    assert [e["id"] for e in entries] == [created["id"]]
    entry = entries[0]
    assert entry["content"] == "Hello from TGO Business"
    assert entry["status"] == "sent"
    assert SENT_AT.fullmatch(str(entry["sent_at"]))
    assert {"id", "sender_number_id", "message_type", "content", "status", "sent_at"} <= set(entry)


def test_text_by_sender_number_id_integer_or_string(mock: MockClient) -> None:
    for ident in (12, "12"):
        response = mock.send_text(sender_phone=DROP, sender_number_id=ident)
        assert response.status_code == 201
        assert response.json()["sender_number_id"] == 12


def test_text_without_content_is_422(mock: MockClient) -> None:
    assert error_of(mock.send_text(content=DROP)) == (422, "validation_error")


@pytest.mark.parametrize("content", [5, None, ["hi"], {"t": "hi"}, True])
def test_text_content_must_be_a_string(mock: MockClient, content: object) -> None:
    assert error_of(mock.send_text(content=content)) == (422, "validation_error")


@pytest.mark.parametrize("message_type", ["image", "voice", "document"])
def test_media_type_sent_as_json_is_422_missing_media(mock: MockClient, message_type: str) -> None:
    assert error_of(mock.send_text(type=message_type)) == (422, "missing_media")


@pytest.mark.parametrize("message_type", [DROP, "video", "TEXT", 1, None, ""])
def test_unknown_or_missing_type_is_422(mock: MockClient, message_type: object) -> None:
    assert error_of(mock.send_text(type=message_type)) == (422, "validation_error")


def test_text_via_multipart_is_422(mock: MockClient) -> None:
    assert error_of(mock.send_media("text", content="hi")) == (422, "validation_error")


def test_missing_to_phone_is_422(mock: MockClient) -> None:
    assert error_of(mock.send_text(to_phone=DROP)) == (422, "validation_error")


def test_unknown_fields_are_ignored(mock: MockClient) -> None:
    assert mock.send_text(priority="high", extra={"a": [1]}).status_code == 201


# --- media ---


@pytest.mark.parametrize("message_type", ["image", "voice", "document"])
def test_media_messages_are_accepted_and_logged(mock: MockClient, message_type: str) -> None:
    response = mock.send_media(message_type)
    assert response.status_code == 201
    entry = log(mock)[0]
    assert entry["message_type"] == message_type
    assert entry["content"] is None
    assert entry["media_filename"] in ("image.png", "audio.ogg")


@pytest.mark.parametrize("message_type", ["image", "voice", "document"])
def test_media_part_is_required(mock: MockClient, message_type: str) -> None:
    assert error_of(mock.send_media(message_type, media=DROP)) == (422, "missing_media")


def test_media_given_as_plain_field_is_not_a_file(mock: MockClient) -> None:
    fields = {
        "sender_phone": mock.seeded.senders.active.phone,
        "to_phone": mock.seeded.recipients.reachable,
        "type": "image",
        "media": "image.png",
    }
    body, content_type = encode_multipart(fields, {})
    headers = {**mock.auth(), "Content-Type": content_type}
    response = mock.client.post(API + "/messages", content=body, headers=headers)
    assert error_of(response) == (422, "missing_media")


def test_multipart_sender_number_id_is_text(mock: MockClient) -> None:
    response = mock.send_media("image", sender_phone=DROP, sender_number_id="12")
    assert response.status_code == 201


# --- voice duration ---


@pytest.mark.parametrize("duration", ["1", "45", "300"])
def test_voice_duration_in_range_is_accepted(mock: MockClient, duration: str) -> None:
    assert mock.send_media("voice", duration=duration).status_code == 201


@pytest.mark.parametrize(
    "duration", ["0", "301", "-5", "1.5", "abc", "", " 45", "45s", "1e2", "99999999999999999999"]
)
def test_voice_duration_out_of_range_or_not_integer_is_422(mock: MockClient, duration: str) -> None:
    assert error_of(mock.send_media("voice", duration=duration)) == (422, "invalid_duration")


def test_voice_without_duration_is_422(mock: MockClient) -> None:
    assert error_of(mock.send_media("voice", duration=DROP)) == (422, "invalid_duration")


def test_invalid_duration_on_image_is_rejected_too(mock: MockClient) -> None:
    # The contract types duration on every media type; only voice requires it.
    assert error_of(mock.send_media("image", duration="0")) == (422, "invalid_duration")
    assert mock.send_media("image", duration="10").status_code == 201


# --- sender exclusivity and existence ---


def test_both_sender_fields_is_422_sender_conflict(mock: MockClient) -> None:
    assert error_of(mock.send_text(sender_number_id=12)) == (422, "sender_conflict")
    both = mock.send_media("image", sender_number_id="12")
    assert error_of(both) == (422, "sender_conflict")


def test_neither_sender_field_is_422_sender_conflict(mock: MockClient) -> None:
    assert error_of(mock.send_text(sender_phone=DROP)) == (422, "sender_conflict")
    assert error_of(mock.send_media("image", sender_phone=DROP)) == (422, "sender_conflict")


@pytest.mark.parametrize("ident", [999, "999", "abc", -1, 0, 10**30])
def test_unknown_sender_number_id_is_404(mock: MockClient, ident: object) -> None:
    response = mock.send_text(sender_phone=DROP, sender_number_id=ident)
    assert error_of(response) == (404, "not_found")
    assert response.json()["message"] == "Sender number not found"


@pytest.mark.parametrize("ident", [1.5, True, None, [12], {"id": 12}])
def test_sender_number_id_of_wrong_type_is_422(mock: MockClient, ident: object) -> None:
    response = mock.send_text(sender_phone=DROP, sender_number_id=ident)
    assert error_of(response) == (422, "validation_error")


def test_unknown_sender_phone_is_404(mock: MockClient) -> None:
    assert error_of(mock.send_text(sender_phone="+201009999999")) == (404, "not_found")


# --- sender state ---


@pytest.mark.parametrize("state", ["pending_verification", "rejected", "suspended"])
def test_sender_not_active_is_422_with_documented_text(mock: MockClient, state: str) -> None:
    sender = mock.seeded.senders.as_dict()[state]
    for response in (
        mock.send_text(sender_phone=sender.phone),
        mock.send_text(sender_phone=DROP, sender_number_id=sender.id),
        mock.send_media("voice", sender_phone=sender.phone),
    ):
        assert error_of(response) == (422, "sender_not_active")
        assert response.json()["message"] == "The sender number is not active."


def test_unverified_account_is_422_with_documented_arabic_text(mock: MockClient) -> None:
    sender = mock.seeded.senders.pending_account_verification
    response = mock.send_text(sender_phone=sender.phone)
    assert error_of(response) == (422, "account_not_verified")
    assert response.json()["message"] == ARABIC
    assert ARABIC.encode() in response.content  # UTF-8 on the wire, not \u escapes


def test_verifying_the_account_enables_sending(mock: MockClient) -> None:
    sender = mock.seeded.senders.pending_account_verification
    mock.backend.set_account_verified(sender.phone, True)
    assert mock.send_text(sender_phone=sender.phone).status_code == 201


# --- recipients ---


@pytest.mark.parametrize("recipient", ["unreachable", "unverified"])
def test_recipient_that_cannot_receive_is_422(mock: MockClient, recipient: str) -> None:
    phone = mock.seeded.recipients.as_dict()[recipient]
    assert error_of(mock.send_text(to_phone=phone)) == (422, "recipient_unreachable")
    assert error_of(mock.send_media("image", to_phone=phone)) == (422, "recipient_unreachable")


def test_sender_checks_come_before_recipient_checks(mock: MockClient) -> None:
    response = mock.send_text(
        sender_phone=mock.seeded.senders.suspended.phone,
        to_phone=mock.seeded.recipients.unreachable,
    )
    assert error_of(response) == (422, "sender_not_active")


# --- log and usage ---


def test_rejected_messages_leave_no_trace(mock: MockClient) -> None:
    before = mock.state.snapshot()
    mock.send_text(to_phone=mock.seeded.recipients.unreachable)
    mock.send_text(sender_phone=mock.seeded.senders.rejected.phone)
    mock.send_media("voice", duration="0")
    assert mock.state.snapshot() == before
    assert log(mock) == []


def test_usage_counts_accepted_messages_per_sender(mock: MockClient) -> None:
    assert usage_of(mock, 12) == 0
    for _ in range(3):
        assert mock.send_text().status_code == 201
    assert mock.send_media("document").status_code == 201
    assert usage_of(mock, 12) == 4
    assert usage_of(mock, 13) == 0
    rows = mock.get("/usage").json()
    assert {row["sender_phone"] for row in rows} >= {"+201001187188", "+201001187189"}


def test_log_is_in_send_order_with_distinct_ids(mock: MockClient) -> None:
    contents = [f"message {i}" for i in range(5)]
    ids = [mock.send_text(content=c).json()["id"] for c in contents]
    entries = log(mock)
    assert [e["id"] for e in entries] == ids
    assert [e["content"] for e in entries] == contents
    assert len(set(ids)) == 5
