"""Every variant of the mock changes the behaviour it names, and only when it is on.

For each variant: a probe (a request and what to observe of the answer), what the faithful mock
observes, and a check that the mock with only that variant on observes something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from tgo_mock_client import API, DROP, MakeMock, MockClient, error_of

from conformance.mock.variants import BY_NAME, behaviour_of, broken, compatible

Probe = Callable[[MockClient], object]
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def lookup_outcome(phone: str, sender_phone: str | None = None) -> Probe:
    def probe(mock: MockClient) -> object:
        params = (
            {"phone": phone}
            if sender_phone is None
            else {"phone": phone, "sender_phone": sender_phone}
        )
        return error_of(mock.lookup(**params))

    return probe


def with_key(method: str, path: str, key: str) -> Probe:
    def probe(mock: MockClient) -> object:
        if method == "POST" and path == "/sender-numbers":
            return error_of(mock.register("+201005550000", key=key))
        if method == "POST":
            return error_of(mock.send_text(key=key))
        if path == "/contacts/lookup":
            return error_of(mock.lookup(key=key, phone="+201010000000"))
        return error_of(mock.get(path, key=key))

    return probe


def with_header(headers: Callable[[MockClient], dict[str, str]]) -> Probe:
    def probe(mock: MockClient) -> object:
        return error_of(mock.client.get(API + "/usage", headers=headers(mock)))

    return probe


def text(**fields: object) -> Probe:
    return lambda mock: error_of(mock.send_text(**fields))


def text_from(state: str) -> Probe:
    return lambda mock: error_of(
        mock.send_text(sender_phone=mock.seeded.senders.as_dict()[state].phone)
    )


def text_to(recipient: str) -> Probe:
    return lambda mock: error_of(
        mock.send_text(to_phone=mock.seeded.recipients.as_dict()[recipient])
    )


def message_of(state: str) -> Probe:
    def probe(mock: MockClient) -> object:
        sender = mock.seeded.senders.as_dict()[state]
        return mock.send_text(sender_phone=sender.phone).json().get("message")

    return probe


def voice(duration: object) -> Probe:
    return lambda mock: error_of(mock.send_media("voice", duration=duration))


def media(message_type: str, **fields: object) -> Probe:
    return lambda mock: error_of(mock.send_media(message_type, **fields))


def register(phone: str) -> Probe:
    return lambda mock: error_of(mock.register(phone))


def first_log_entry(mock: MockClient) -> dict[str, Any]:
    assert mock.send_text().status_code in (200, 201)
    body = mock.get("/messages").json()
    entries = body["data"] if isinstance(body, dict) else body
    entry: dict[str, Any] = entries[0]
    return entry


def log_has(field: str) -> Probe:
    return lambda mock: field in first_log_entry(mock)


def sender_list(mock: MockClient) -> list[dict[str, Any]]:
    body = mock.get("/sender-numbers").json()
    listed: list[dict[str, Any]] = body["data"] if isinstance(body, dict) else body
    return listed


def registered_is_listed(mock: MockClient) -> object:
    mock.register("+201005550000")
    return "+201005550000" in {s["phone"] for s in sender_list(mock)}


def log_length(mock: MockClient) -> object:
    mock.send_text()
    return len(mock.get("/messages").json())


def usage_of_active(mock: MockClient) -> object:
    mock.send_text()
    return next(
        r["message_count"] for r in mock.get("/usage").json() if r["sender_number_id"] == 12
    )


def reachable_lookup(field: str) -> Probe:
    return lambda mock: mock.lookup(phone="+201010000000").json().get(field, "<absent>")


def missing_key_error(mock: MockClient) -> dict[str, Any]:
    response = mock.get("/usage", key=None)
    return {"type": response.headers["content-type"], "text": response.text}


def error_keys(mock: MockClient) -> object:
    return sorted(mock.get("/usage", key=None).json())


def bad_json(mock: MockClient) -> object:
    headers = {**mock.auth(), "Content-Type": "application/json"}
    return mock.client.post(API + "/sender-numbers", content=b"{", headers=headers).status_code


FULL = lambda mock: mock.seeded.keys.full  # noqa: E731

FORBIDDEN = (403, "insufficient_scope")
MISSING_KEY = (401, "missing_api_key")
INVALID_KEY = (401, "invalid_api_key")
BAD_PHONE = (422, "invalid_phone")
BAD_DURATION = (422, "invalid_duration")
NOT_ACTIVE = (422, "sender_not_active")
UNREACHABLE = (422, "recipient_unreachable")

# name -> (probe, what the faithful mock observes)
TABLE: dict[str, tuple[Probe, object]] = {
    "skip_scope_check_register": (with_key("POST", "/sender-numbers", "messages_read"), FORBIDDEN),
    "skip_scope_check_send": (with_key("POST", "/messages", "messages_read"), FORBIDDEN),
    "skip_scope_check_list_messages": (with_key("GET", "/messages", "messages_send"), FORBIDDEN),
    "skip_scope_check_lookup": (with_key("GET", "/contacts/lookup", "usage_read"), FORBIDDEN),
    "skip_scope_check_usage": (with_key("GET", "/usage", "contacts_lookup"), FORBIDDEN),
    "scope_error_wrong_status": (with_key("GET", "/usage", "messages_send"), FORBIDDEN),
    "accept_missing_key": (with_header(lambda m: {}), MISSING_KEY),
    "missing_key_wrong_code": (with_header(lambda m: {}), MISSING_KEY),
    "accept_revoked_key": (
        with_header(lambda m: {"X-Api-Key": m.seeded.keys.revoked}),
        INVALID_KEY,
    ),
    "accept_authorization_header": (
        with_header(lambda m: {"Authorization": f"Bearer {FULL(m)}"}),
        MISSING_KEY,
    ),
    "invalid_key_wrong_status": (
        with_header(lambda m: {"X-Api-Key": "trk_" + "Z" * 32}),
        INVALID_KEY,
    ),
    "accept_key_with_extra_chars": (
        with_header(lambda m: {"X-Api-Key": FULL(m) + "\\n"}),
        INVALID_KEY,
    ),
    "e164_accept_missing_plus": (lookup_outcome("201010000000"), BAD_PHONE),
    "e164_accept_leading_zero": (lookup_outcome("+0201010000000"), BAD_PHONE),
    "e164_accept_16_digits": (lookup_outcome("+2010100000001234"), BAD_PHONE),
    "e164_reject_short": (lookup_outcome("+12"), (200, None)),
    "e164_accept_separators": (lookup_outcome("+20 101-000-0000"), BAD_PHONE),
    "invalid_phone_wrong_code": (lookup_outcome("abc"), BAD_PHONE),
    "skip_e164_sender_phone": (text(sender_phone="abc"), BAD_PHONE),
    "skip_e164_to_phone": (text(to_phone="abc"), BAD_PHONE),
    "skip_e164_register_phone": (register("abc"), BAD_PHONE),
    "skip_e164_lookup_phone": (lookup_outcome("abc"), BAD_PHONE),
    "skip_e164_lookup_sender_phone": (lookup_outcome("+201010000000", "abc"), BAD_PHONE),
    "voice_accept_0": (voice("0"), BAD_DURATION),
    "voice_reject_1": (voice("1"), (201, None)),
    "voice_reject_300": (voice("300"), (201, None)),
    "voice_accept_301": (voice("301"), BAD_DURATION),
    "voice_accept_fraction": (voice("1.5"), BAD_DURATION),
    "voice_accept_missing_duration": (voice(DROP), BAD_DURATION),
    "exclusivity_accept_both": (text(sender_number_id=12), (422, "sender_conflict")),
    "exclusivity_accept_neither": (text(sender_phone=DROP), (422, "sender_conflict")),
    "unknown_sender_accepted": (text(sender_phone=DROP, sender_number_id=999), (404, "not_found")),
    "send_from_pending_verification": (text_from("pending_verification"), NOT_ACTIVE),
    "send_from_rejected": (text_from("rejected"), NOT_ACTIVE),
    "send_from_suspended": (text_from("suspended"), NOT_ACTIVE),
    "send_from_unverified_account": (
        text_from("pending_account_verification"),
        (422, "account_not_verified"),
    ),
    "not_active_wrong_message": (message_of("suspended"), "The sender number is not active."),
    "account_unverified_wrong_message": (
        message_of("pending_account_verification"),
        "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال.",
    ),
    "new_sender_created_active": (
        lambda m: m.register("+201010000000").json()["status"],
        "pending_verification",
    ),
    "registered_sender_not_listed": (registered_is_listed, True),
    "sender_list_missing_verification_status": (
        lambda m: all("verification_status" in s for s in sender_list(m)),
        True,
    ),
    "sender_list_wrong_status_value": (lambda m: sender_list(m)[0]["status"], "active"),
    "send_to_unreachable": (text_to("unreachable"), UNREACHABLE),
    "send_to_unverified": (text_to("unverified"), UNREACHABLE),
    "lookup_wrong_can_receive": (reachable_lookup("can_receive"), True),
    "lookup_reason_not_ok": (reachable_lookup("reason_code"), "ok"),
    "lookup_missing_exists": (reachable_lookup("exists"), True),
    "lookup_field_wrong_type": (lambda m: type(reachable_lookup("exists")(m)).__name__, "bool"),
    "media_not_required": (media("image", media=DROP), (422, "missing_media")),
    "text_without_content_accepted": (text(content=DROP), (422, "validation_error")),
    "log_missing_field_sent_at": (log_has("sent_at"), True),
    "log_missing_field_sender_number_id": (log_has("sender_number_id"), True),
    "log_missing_field_message_type": (log_has("message_type"), True),
    "log_sent_at_not_datetime": (
        lambda m: bool(RFC3339.fullmatch(first_log_entry(m)["sent_at"])),
        True,
    ),
    "log_drops_message": (log_length, 1),
    "usage_not_counting": (usage_of_active, 1),
    "error_not_json": (lambda m: missing_key_error(m)["type"], "application/json"),
    "error_without_code": (error_keys, ["code", "message"]),
    "error_message_field_named_error": (error_keys, ["code", "message"]),
    "validation_wrong_status": (lambda m: m.register("12").status_code, 422),
    "server_error_on_bad_json": (bad_json, 400),
    "compat_extra_fields": (lambda m: len(m.lookup(phone="+201010000000").json()), 6),
    "compat_string_ids": (lambda m: sender_list(m)[0]["id"], 12),
    "compat_id_offset": (lambda m: m.register("+201005550000").json()["id"] >= 100_000, False),
    "compat_reverse_order": (lambda m: [s["id"] for s in sender_list(m)], [12, 13, 14, 15, 16]),
    "compat_charset": (lambda m: m.get("/usage").headers["content-type"], "application/json"),
    "compat_own_wording": (with_key("GET", "/usage", "messages_send"), FORBIDDEN),
    "compat_envelope_data": (lambda m: type(m.get("/usage").json()).__name__, "list"),
    "compat_status_200": (lambda m: m.send_text().status_code, 201),
    "compat_extra_error_field": (error_keys, ["code", "message"]),
}


def test_every_variant_has_a_probe() -> None:
    assert sorted(TABLE) == sorted(BY_NAME)


def test_variants_are_broken_or_compatible_and_say_which() -> None:
    assert set(broken()) | set(compatible()) == set(BY_NAME)
    for variant in BY_NAME.values():
        assert variant.description
        assert (variant.breaks is None) != (variant.reading is None), variant.name
        assert variant.rules or variant.choices or variant.hooks, f"{variant.name} changes nothing"
    with pytest.raises(ValueError, match="no_such_variant"):
        behaviour_of(["no_such_variant"])


@pytest.mark.parametrize("name", sorted(TABLE))
def test_variant_changes_the_behaviour_it_names(make_mock: MakeMock, name: str) -> None:
    probe, faithful = TABLE[name]
    assert probe(make_mock()) == faithful, "the faithful mock is not as documented"
    faulted = make_mock(names=[name], raise_server_exceptions=False)
    assert probe(faulted) != faithful, f"{name} changed nothing the probe sees"


def test_server_error_variant_really_answers_500_in_the_envelope(make_mock: MakeMock) -> None:
    faulted = make_mock(names=["server_error_on_bad_json"], raise_server_exceptions=False)
    headers = {**faulted.auth(), "Content-Type": "application/json"}
    response = faulted.client.post(API + "/sender-numbers", content=b"{", headers=headers)
    assert error_of(response) == (500, "internal_error")


@pytest.mark.parametrize("name", sorted(compatible()))
def test_compatible_variants_keep_documented_behaviour(make_mock: MakeMock, name: str) -> None:
    """Spot checks that a compatible variant leaves the documented rules alone."""
    mock = make_mock(names=[name])
    assert mock.send_text().status_code in (200, 201)
    assert error_of(mock.get("/usage", key=None))[0] == 401
    assert error_of(mock.send_text(sender_phone="+201001187191"))[0] == 422
    assert mock.send_text(sender_phone=DROP, sender_number_id=12).status_code in (200, 201)
    listed = sender_list(mock)
    assert len(listed) == 5
    assert {s["status"] for s in listed} == {
        "active",
        "pending_verification",
        "pending_account_verification",
        "rejected",
        "suspended",
    }
