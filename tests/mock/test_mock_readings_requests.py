"""The compatible variants that read requests or refuse them otherwise, each under the reading it
takes (openapi/readings.yaml): empty values, foreign and unknown fields, media sniffing,
fractional durations, refusal statuses, Accept and the query string, sender numbers."""

from __future__ import annotations

from typing import Any

import pytest
from tgo_mock_client import (
    API,
    DROP,
    OGG,
    PNG,
    MakeMock,
    MockClient,
    encode_multipart,
    error_of,
    list_all,
)

from conformance.mock.fields import OPTIONAL_JSON_FIELDS
from conformance.mock.media import Media, fits
from conformance.mock.parsing import admits_json
from conformance.mock.variants import compatible
from conformance.rules.contract import load_spec
from conformance.rules.readings import load_register
from conformance.rules.values import load_rules

ARABIC = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."


# --- the register ---


def test_every_compatible_variant_is_named_by_the_reading_it_takes() -> None:
    register = load_register()
    named = {name: r.id for r in register.readings for name in r.variants}
    assert {name: v.reading for name, v in compatible().items()} == named


def test_the_known_request_fields_are_the_request_schemas() -> None:
    schemas = load_spec()["components"]["schemas"]
    send = set(schemas["SendTextMessageRequest"]["properties"])
    send |= set(schemas["SendMediaMessageRequest"]["properties"])
    operations = load_rules().operations
    assert set(operations["sendMessage"].body_fields) == send
    register = set(schemas["RegisterSenderNumberRequest"]["properties"])
    assert set(operations["registerSenderNumber"].body_fields) == register
    assert operations["listMessages"].body_fields == ()


# --- READ-011: an empty value is an absent one ---


@pytest.mark.parametrize(
    "field,code",
    [
        ("to_phone", "missing_to_phone"),
        ("content", "missing_content"),
        ("type", "missing_type"),
    ],
)
def test_empty_required_fields_are_missing(make_mock: MakeMock, field: str, code: str) -> None:
    mock = make_mock(names=["compat_empty_is_missing"])
    assert error_of(mock.send_text(**{field: ""})) == (422, code)
    assert error_of(mock.send_text(**{field: DROP})) == (422, code)


def test_empty_phones_are_missing_everywhere(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_empty_is_missing"])
    assert error_of(mock.register("")) == (422, "missing_phone")
    assert error_of(mock.lookup(phone="")) == (422, "missing_phone")
    assert error_of(mock.send_media("image", to_phone="")) == (422, "missing_to_phone")
    both_empty = mock.send_text(sender_phone="", sender_number_id="")
    assert error_of(both_empty) == (422, "sender_conflict")


def test_empty_optional_fields_are_ignored(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_empty_is_missing"])
    created = mock.register("+201005550000", display_name="")
    assert created.status_code == 201 and created.json()["display_name"] is None
    assert mock.lookup(phone="+201010000000", sender_phone="").status_code == 200
    assert mock.send_text(sender_phone="", sender_number_id=12).status_code == 201
    assert mock.send_text(sender_number_id="").status_code == 201


def test_the_optional_json_fields_are_those_the_contract_does_not_require() -> None:
    schemas = load_spec()["components"]["schemas"]
    send, register = schemas["SendTextMessageRequest"], schemas["RegisterSenderNumberRequest"]
    assert set(OPTIONAL_JSON_FIELDS) == {"sendMessage", "registerSenderNumber"}
    for schema, op_id in ((send, "sendMessage"), (register, "registerSenderNumber")):
        optional = set(schema["properties"]) - set(schema["required"])
        assert set(OPTIONAL_JSON_FIELDS[op_id]) == optional, op_id


def test_null_optional_fields_are_absent(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_null_is_absent"])
    created = mock.register("+201005550000", display_name=None)
    assert created.status_code == 201 and created.json()["display_name"] is None
    assert mock.send_text(sender_number_id=None).status_code == 201
    assert mock.send_text(sender_phone=None, sender_number_id=12).status_code == 201
    # A body that names no one sender under either reading is refused all the same (ERR-006).
    assert error_of(mock.send_text(sender_phone=None)) == (422, "sender_conflict")
    assert error_of(mock.send_text(sender_phone=None, sender_number_id=None))[0] == 422
    # Null in a required field stays refused.
    assert error_of(mock.send_text(to_phone=None)) == (422, "invalid_phone")
    assert error_of(mock.send_text(content=None))[0] == 422


def test_null_optional_fields_are_refused_on_the_faithful_mock(mock: MockClient) -> None:
    assert error_of(mock.register("+201005550000", display_name=None))[0] == 422
    assert error_of(mock.send_text(sender_phone=None, sender_number_id=12)) == (
        422,
        "invalid_phone",
    )
    assert error_of(mock.send_text(sender_number_id=None)) == (422, "sender_conflict")


def test_empty_values_stay_invalid_on_the_faithful_mock(mock: MockClient) -> None:
    assert error_of(mock.send_text(to_phone="")) == (422, "invalid_phone")
    assert error_of(mock.send_text(content=DROP)) == (422, "validation_error")
    assert mock.send_text(content="").status_code == 201
    assert error_of(mock.lookup(phone="+201010000000", sender_phone="")) == (422, "invalid_phone")


# --- READ-012 and READ-031: fields of another type, fields the docs do not name ---


@pytest.mark.parametrize(
    "send",
    [
        lambda m: m.send_text(duration=45),
        lambda m: m.send_text(media="image.png"),
        lambda m: m.send_media("image", duration="10"),
        lambda m: m.send_media("document", content="hi"),
        lambda m: m.send_media("voice", content="hi"),
    ],
)
def test_foreign_fields_are_refused(make_mock: MakeMock, send: Any) -> None:
    mock = make_mock(names=["compat_refuse_foreign_fields"])
    assert error_of(send(mock)) == (422, "foreign_field")
    assert send(make_mock()).status_code == 201


def test_own_fields_stay_accepted_with_foreign_fields_refused(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_refuse_foreign_fields"])
    for message_type in ("image", "voice", "document"):
        assert mock.send_media(message_type).status_code == 201
    assert mock.send_text().status_code == 201


def test_unknown_fields_are_refused(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_refuse_unknown_fields"])
    assert error_of(mock.send_text(priority="high")) == (422, "unknown_field")
    assert error_of(mock.send_media("image", caption="x")) == (422, "unknown_field")
    assert error_of(mock.register("+201005550000", label="x")) == (422, "unknown_field")
    assert mock.register("+201005550000", display_name="Support").status_code == 201
    assert mock.send_media("voice").status_code == 201
    assert mock.lookup(phone="+201010000000", extra="1").status_code == 200  # a query


# --- READ-032: media sniffing ---

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
GIF = b"GIF89a" + b"\x00" * 16
WAV = b"RIFF" + b"\x00" * 16
MP3 = b"ID3" + b"\x00" * 16
FLAC = b"fLaC" + b"\x00" * 16


@pytest.mark.parametrize(
    "message_type,content,ctype,ok",
    [
        ("image", PNG, "image/png", True),
        ("image", JPEG, "image/jpeg", True),
        ("image", GIF, "image/gif", True),
        ("image", PNG, "application/octet-stream", False),
        ("image", b"not an image", "image/png", False),
        ("image", OGG, "image/png", False),
        ("voice", OGG, "audio/ogg", True),
        ("voice", WAV, "audio/wav", True),
        ("voice", MP3, "audio/mpeg", True),
        ("voice", FLAC, "audio/flac; x=1", True),
        ("voice", OGG, "video/ogg", False),
        ("voice", PNG, "audio/ogg", False),
        ("document", b"%PDF-1.4", "application/pdf", True),
        ("document", b"anything", "text/plain", True),
    ],
)
def test_media_must_be_of_its_type(
    make_mock: MakeMock, message_type: str, content: bytes, ctype: str, ok: bool
) -> None:
    mock = make_mock(names=["compat_media_sniffing"])
    response = mock.send_media(message_type, media=("file", content, ctype))
    assert error_of(response) == ((201, None) if ok else (422, "invalid_media"))
    assert fits(message_type, Media("file", len(content), ctype, content[:16])) is ok


def test_the_faithful_mock_takes_any_file(mock: MockClient) -> None:
    assert mock.send_media("image", media=("a.txt", b"text", "text/plain")).status_code == 201


# --- READ-013: fractional durations, and every other spelling of a number ---


@pytest.mark.parametrize(
    "duration,logged",
    [("1.5", 1.5), ("299.9", 299.9), ("45", 45), ("1e2", 100), ("1.", 1), (" +100", 100)],
)
def test_fractional_durations_are_taken_as_given(
    make_mock: MakeMock, duration: str, logged: float
) -> None:
    mock = make_mock(names=["compat_fractional_duration"])
    assert mock.send_media("voice", duration=duration).status_code == 201
    assert list_all(mock, "/messages")[0]["duration"] == logged


@pytest.mark.parametrize("duration", ["0.5", "300.5", "-1.5", "forty", "3.01e2", "100s", "0x64"])
def test_fractions_out_of_bounds_stay_refused(make_mock: MakeMock, duration: str) -> None:
    mock = make_mock(names=["compat_fractional_duration"])
    assert error_of(mock.send_media("voice", duration=duration)) == (422, "invalid_duration")


# --- READ-001, READ-002, READ-004, READ-005, READ-007, READ-008, READ-034: errors ---


def test_message_only_errors(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_message_only_errors"])
    assert mock.get("/usage", key=None).json() == {"message": "API key required"}


def test_the_account_refusal_is_the_arabic_sentence_alone(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_arabic_plain_text"])
    response = mock.send_text(sender_phone=mock.seeded.senders.pending_account_verification.phone)
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == ARABIC.encode()
    other = mock.send_text(sender_phone=mock.seeded.senders.suspended.phone)
    assert other.headers["content-type"] == "application/json"


def test_unreadable_bodies_answer_422(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_malformed_422"])
    headers = {**mock.auth(), "Content-Type": "application/json"}
    response = mock.client.post(API + "/messages", content=b"{", headers=headers)
    assert error_of(response) == (422, "invalid_json")
    boundary_only = {**mock.auth(), "Content-Type": "multipart/form-data; boundary=x"}
    too_many = encode_multipart({f"f{i}": "x" for i in range(100)}, {}, boundary="x")[0]
    response = mock.client.post(API + "/messages", content=too_many, headers=boundary_only)
    assert error_of(response) == (422, "invalid_multipart")


@pytest.mark.parametrize(
    "params,code",
    [
        ({}, "validation_error"),
        ({"phone": "abc"}, "invalid_phone"),
        ({"phone": "+201010000000", "sender_phone": "x"}, "invalid_phone"),
    ],
)
def test_invalid_queries_answer_400(make_mock: MakeMock, params: dict[str, str], code: str) -> None:
    mock = make_mock(names=["compat_query_400"])
    assert error_of(mock.lookup(**params)) == (400, code)
    assert error_of(mock.register("abc")) == (422, "invalid_phone")  # a body stays 422


@pytest.mark.parametrize(
    "name,status", [("compat_state_refusal_409", 409), ("compat_state_refusal_400", 400)]
)
def test_state_refusals(make_mock: MakeMock, name: str, status: int) -> None:
    mock = make_mock(names=[name])
    senders = mock.seeded.senders
    response = mock.send_text(sender_phone=senders.pending_account_verification.phone)
    assert error_of(response) == (status, "account_not_verified")
    assert response.json()["message"] == ARABIC
    for sender in (senders.pending_verification, senders.rejected, senders.suspended):
        response = mock.send_text(sender_phone=sender.phone)
        assert error_of(response) == (status, "sender_not_active")
        assert response.json()["message"] == "The sender number is not active."


def test_unknown_sender_answers_422_not_found(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_unknown_sender_422"])
    assert error_of(mock.send_text(sender_phone="+201009999999")) == (422, "not_found")
    assert error_of(mock.send_text(sender_phone=DROP, sender_number_id=999)) == (422, "not_found")


@pytest.mark.parametrize("message_type", ["image", "voice", "document"])
def test_media_sent_as_json_answers_415(make_mock: MakeMock, message_type: str) -> None:
    mock = make_mock(names=["compat_media_json_415"])
    assert error_of(mock.send_text(type=message_type)) == (415, "unsupported_media_type")
    assert error_of(mock.send_media(message_type, media=DROP)) == (422, "missing_media")


def test_text_as_multipart_is_taken(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_text_multipart_accepted"])
    assert mock.send_media("text", content="hi", media=DROP).status_code == 201
    assert list_all(mock, "/messages")[0]["content"] == "hi"
    assert error_of(mock.send_media("text", media=DROP)) == (422, "validation_error")


# --- READ-021, READ-026: Accept and the query string ---


@pytest.mark.parametrize(
    "accept,admitted",
    [
        (None, False),
        ("", False),
        ("text/html", False),
        ("application/problem+json", False),
        ("application/json;q=0", False),
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("text/html, application/*;q=0.5", True),
        ("*/*", True),
        ("text/html;q=x, */*", True),
    ],
)
def test_accept_admits_json(accept: str | None, admitted: bool) -> None:
    assert admits_json(accept) is admitted


def test_requests_must_accept_json(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_requires_accept_json"])
    assert mock.get("/usage", headers={"Accept": "application/json"}).status_code == 200
    refused = mock.get("/usage", headers={"Accept": "text/html"})
    assert error_of(refused) == (406, "not_acceptable")
    assert refused.headers["content-type"] == "application/json"
    del mock.client.headers["accept"]  # the client's default (*/*)
    no_accept = mock.client.get(API + "/usage", headers=mock.auth())
    assert "accept" not in no_accept.request.headers
    assert error_of(no_accept) == (406, "not_acceptable")
    assert error_of(mock.get("/usage", key=None, headers={"Accept": "text/html"}))[0] == 401


def test_plus_is_a_space_in_a_form_query(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_plus_is_space"])
    raw = mock.client.get(API + "/contacts/lookup?phone=+201010000000", headers=mock.auth())
    assert error_of(raw) == (422, "invalid_phone")
    encoded = mock.client.get(API + "/contacts/lookup?phone=%2B201010000000", headers=mock.auth())
    assert encoded.status_code == 200 and encoded.json()["exists"] is True


# --- READ-009, READ-010, READ-023, READ-024, READ-025: senders ---


def test_duplicate_registration_answers_the_existing_sender(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_duplicate_registration_ok"])
    response = mock.register("+201001187188", display_name="Other")
    assert response.status_code == 200
    assert response.json()["id"] == 12 and response.json()["status"] == "active"
    assert mock.register("+201005550000").status_code == 201
    again = mock.register("+201005550000")
    assert again.status_code == 200 and again.json()["status"] == "pending_verification"
    assert len(list_all(mock, "/sender-numbers")) == 6


def test_registration_needs_a_connect_account(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_register_needs_connect_account"])
    assert error_of(mock.register("+201005550000")) == (422, "no_tgo_connect_account")
    mock.backend.set_recipient("+201005550000", "unverified")
    assert mock.register("+201005550000").status_code == 201
    assert error_of(mock.register("+201001187188")) == (409, "sender_exists")


def test_pending_account_shows_in_verification_status(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_pending_account_in_verification_status"])
    sender = mock.seeded.senders.pending_account_verification
    listed = {s["id"]: s for s in list_all(mock, "/sender-numbers")}
    assert (listed[14]["status"], listed[14]["verification_status"]) == (
        "active",
        "pending_account_verification",
    )
    response = mock.send_text(sender_phone=sender.phone)
    assert error_of(response) == (422, "account_not_verified")
    assert response.json()["message"] == ARABIC
    mock.backend.set_account_verified(sender.phone, True)
    listed = {s["id"]: s for s in list_all(mock, "/sender-numbers")}
    assert (listed[14]["status"], listed[14]["verification_status"]) == ("active", "verified")
    assert mock.send_text(sender_phone=sender.phone).status_code == 201


@pytest.mark.parametrize(
    "key,status",
    [
        ("full", 200),
        ("messages_send", 200),
        ("messages_read", 200),
        ("contacts_lookup", 403),
        ("usage_read", 403),
    ],
)
def test_listing_senders_needs_a_messages_scope(make_mock: MakeMock, key: str, status: int) -> None:
    mock = make_mock(names=["compat_list_senders_needs_scope"])
    response = mock.get("/sender-numbers", key=key)
    assert response.status_code == status
    if status == 403:
        assert error_of(response) == (403, "insufficient_scope")
        assert "messages.send or messages.read" in response.json()["message"] or (
            "messages.read or messages.send" in response.json()["message"]
        )


def test_lookup_refuses_an_unknown_sender_phone(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_lookup_refuses_unknown_sender"])
    unknown = mock.lookup(phone="+201010000000", sender_phone="+201009999999")
    assert error_of(unknown) == (404, "not_found")
    known = mock.lookup(phone="+201010000000", sender_phone="+201001187191")  # rejected: known
    assert known.status_code == 200
    assert mock.lookup(phone="+201010000000").status_code == 200


# --- READ-015 ---


@pytest.mark.parametrize(
    "phone,ok",
    [("+12", False), ("+1234567", False), ("+12345678", True), ("+123456789012345", True)],
)
def test_numbering_plan_strict(make_mock: MakeMock, phone: str, ok: bool) -> None:
    mock = make_mock(names=["compat_numbering_plan_strict"])
    assert error_of(mock.lookup(phone=phone)) == ((200, None) if ok else (422, "invalid_phone"))
