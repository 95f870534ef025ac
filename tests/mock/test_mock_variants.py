"""Every variant of the mock changes the behaviour it names, and only when it is on.

For each variant: a probe (a request and what to observe of the answer), what the faithful mock
observes, and a check that the mock with only that variant on observes something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from tgo_mock_client import API, DROP, MakeMock, MockClient, error_of, list_all

from conformance.mock.variants import BY_NAME, behaviour_of, broken, compatible

Probe = Callable[[MockClient], object]
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
Z_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
STATUSES = {
    "active",
    "pending_verification",
    "pending_account_verification",
    "rejected",
    "suspended",
}


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
    assert mock.send_text().status_code in (200, 201, 202)
    entry: dict[str, Any] = list_all(mock, "/messages")[0]
    return entry


def log_has(field: str) -> Probe:
    return lambda mock: field in first_log_entry(mock)


def sender_list(mock: MockClient) -> list[dict[str, Any]]:
    return list_all(mock, "/sender-numbers")


def delivered_to(recipient: str) -> Probe:
    """The answer to a text to this recipient, and the statuses the log then shows."""

    def probe(mock: MockClient) -> object:
        outcome = text_to(recipient)(mock)
        return outcome, [entry["status"] for entry in mock.get("/messages").json()]

    return probe


def timestamp_style(mock: MockClient) -> object:
    sent_at = first_log_entry(mock)["sent_at"]
    if isinstance(sent_at, int):
        return "epoch"
    return "z" if Z_SECONDS.fullmatch(sent_at) else sent_at[19:]


def list_shape(mock: MockClient) -> object:
    """How the sender list comes: the type of its body, and a Link header."""
    response = mock.get("/sender-numbers")
    return type(response.json()).__name__, response.headers.get("link")


def status_with_accept(accept: str) -> Probe:
    return lambda mock: mock.get("/usage", headers={"Accept": accept}).status_code


def status_of_sender(sender_id: int) -> Probe:
    return lambda mock: next(s["status"] for s in sender_list(mock) if s["id"] == sender_id)


def raw_lookup(query: str) -> Probe:
    return lambda mock: error_of(
        mock.client.get(API + "/contacts/lookup?" + query, headers=mock.auth())
    )


def account_refusal_type(mock: MockClient) -> object:
    phone = mock.seeded.senders.pending_account_verification.phone
    return mock.send_text(sender_phone=phone).headers["content-type"]


def registered_is_listed(mock: MockClient) -> object:
    mock.register("+201005550000")
    return "+201005550000" in {s["phone"] for s in sender_list(mock)}


def log_length(mock: MockClient) -> object:
    mock.send_text()
    return len(list_all(mock, "/messages"))


def usage_of_active(mock: MockClient) -> object:
    mock.send_text()
    return next(
        r["message_count"] for r in mock.get("/usage").json() if r["sender_number_id"] == 12
    )


def usage_keys(mock: MockClient) -> object:
    return sorted(mock.get("/usage").json()[0])


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
OTHER = "other_account"


def other_sender(mock: MockClient) -> Any:
    return mock.seeded.other_account.sender


def ids_listed(path: str, key: str, field: str = "id") -> Probe:
    return lambda mock: sorted(str(e.get(field)) for e in list_all(mock, path, key))


def other_takes_over(mock: MockClient) -> object:
    mock.register(other_sender(mock).phone)  # through the first account
    return [s["id"] for s in list_all(mock, "/sender-numbers", OTHER)]


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
    "e164_reject_real_numbers": (lookup_outcome("+201010000000"), (200, None)),
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
    "voice_accept_non_number": (voice("forty"), BAD_DURATION),
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
    "send_to_unreachable": (delivered_to("unreachable"), (UNREACHABLE, [])),
    "send_to_unverified": (delivered_to("unverified"), (UNREACHABLE, [])),
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
    "error_without_text": (error_keys, ["code", "message"]),
    "validation_wrong_status": (lambda m: m.register("12").status_code, 422),
    "server_error_on_bad_json": (bad_json, 400),
    "foreign_sender_by_id": (
        lambda m: error_of(m.send_text(sender_phone=DROP, sender_number_id=other_sender(m).id)),
        (404, "not_found"),
    ),
    "foreign_sender_by_phone": (
        lambda m: error_of(m.send_text(sender_phone=other_sender(m).phone)),
        (404, "not_found"),
    ),
    "lookup_sees_foreign_senders": (
        lambda m: [
            error_of(m.lookup(phone="+201010000000", sender_phone=sender_phone))
            for sender_phone in (other_sender(m).phone, "+447700900123")
        ],
        [(200, None), (200, None)],  # the faithful mock ignores a sender_phone (READ-025)
    ),
    "foreign_senders_listed": (
        ids_listed("/sender-numbers", "full"),
        ["12", "13", "14", "15", "16"],
    ),
    "foreign_messages_in_log": (lambda m: len(list_all(m, "/messages", "full")), 0),
    "foreign_usage_counted": (
        ids_listed("/usage", "full", "sender_number_id"),
        ["12", "13", "14", "15", "16"],
    ),
    "registration_takes_over": (other_takes_over, [17]),
    "accept_key_with_inner_whitespace": (
        with_header(lambda m: {"X-Api-Key": FULL(m)[:10] + " " + FULL(m)[10:]}),
        INVALID_KEY,
    ),
    "usage_ignores_x_api_key": (with_header(lambda m: {"X-Api-Key": FULL(m)}), (200, None)),
    "lookup_answers_valid_key_401": (with_key("GET", "/contacts/lookup", "full"), (200, None)),
    "full_access_misses_lookup_scope": (with_key("GET", "/contacts/lookup", "full"), (200, None)),
    "write_scopes_need_full_access": (with_key("POST", "/messages", "messages_send"), (201, None)),
    "usage_forbidden_to_every_key": (with_key("GET", "/usage", "full"), (200, None)),
    "to_phone_without_plus_normalised": (text(to_phone="201010000000"), BAD_PHONE),
    "document_type_refused": (media("document"), (201, None)),
    "unknown_type_sent_as_text": (text(type="video"), (422, "validation_error")),
    "text_as_json_refused": (text(), (201, None)),
    "media_file_in_part_file": (media("image"), (201, None)),
    "message_without_to_phone_500": (text(to_phone=DROP), (422, "validation_error")),
    "sender_by_id_refused": (text(sender_phone=DROP, sender_number_id=12), (201, None)),
    "register_needs_display_name": (register("+201005550000"), (201, None)),
    "register_without_phone_500": (
        lambda m: error_of(m.post_json("/sender-numbers", {})),
        (422, "validation_error"),
    ),
    "sender_list_phone_without_plus": (lambda m: sender_list(m)[0]["phone"], "+201001187188"),
    "active_sender_cannot_send": (text(), (201, None)),
    "pending_account_listed_as_active": (status_of_sender(14), "pending_account_verification"),
    "lookup_exists_for_unregistered": (
        lambda m: m.lookup(phone="+201010000001").json()["exists"],
        False,
    ),
    "lookup_requires_sender_phone": (lookup_outcome("+201010000000"), (200, None)),
    "lookup_refuses_sender_phone": (
        lookup_outcome("+201010000000", "+201001187188"),
        (200, None),
    ),
    "lookup_unverified_can_receive": (
        lambda m: m.lookup(phone="+201010000002").json()["can_receive"],
        False,
    ),
    "log_media_mislabelled": (
        lambda m: (m.send_media("image").status_code, list_all(m, "/messages")[0]["message_type"]),
        (201, "image"),
    ),
    "usage_by_message_type": (usage_keys, ["message_count", "sender_number_id", "sender_phone"]),
    "foreign_sender_id_forbidden": (
        lambda m: error_of(m.send_text(sender_phone=DROP, sender_number_id=other_sender(m).id)),
        (404, "not_found"),
    ),
    "compat_foreign_phone_registered_anew": (
        lambda m: error_of(m.register(other_sender(m).phone)),
        (409, "sender_exists"),
    ),
    "compat_extra_fields": (lambda m: len(m.lookup(phone="+201010000000").json()), 6),
    "compat_string_ids": (lambda m: sender_list(m)[0]["id"], 12),
    "compat_id_offset": (lambda m: m.register("+201005550000").json()["id"] >= 100_000, False),
    "compat_reverse_order": (lambda m: [s["id"] for s in sender_list(m)], [12, 13, 14, 15, 16]),
    "compat_charset": (lambda m: m.get("/usage").headers["content-type"], "application/json"),
    "compat_own_wording": (with_key("GET", "/usage", "messages_send"), FORBIDDEN),
    "compat_envelope_data": (lambda m: type(m.get("/usage").json()).__name__, "list"),
    "compat_status_200": (lambda m: m.send_text().status_code, 201),
    "compat_extra_error_field": (error_keys, ["code", "message"]),
    "compat_message_only_errors": (error_keys, ["code", "message"]),
    "compat_error_codes_envelope": (error_keys, ["code", "message"]),
    "compat_validation_400": (voice("301"), BAD_DURATION),
    "compat_arabic_plain_text": (account_refusal_type, "application/json"),
    "compat_malformed_422": (bad_json, 400),
    "compat_query_400": (lookup_outcome("abc"), BAD_PHONE),
    "compat_send_202": (lambda m: m.send_text().status_code, 201),
    "compat_state_refusal_409": (text_from("suspended"), NOT_ACTIVE),
    "compat_state_refusal_400": (text_from("suspended"), NOT_ACTIVE),
    "compat_unknown_sender_422": (
        text(sender_phone=DROP, sender_number_id=999),
        (404, "not_found"),
    ),
    "compat_duplicate_registration_ok": (register("+201001187188"), (409, "sender_exists")),
    "compat_register_needs_connect_account": (register("+201005550000"), (201, None)),
    "compat_empty_is_missing": (text(to_phone=""), BAD_PHONE),
    "compat_null_is_absent": (text(sender_number_id=None), (422, "sender_conflict")),
    "compat_refuse_foreign_fields": (text(duration=45), (201, None)),
    "compat_fractional_duration": (voice("1.5"), BAD_DURATION),
    "compat_timestamps_offset_micro": (timestamp_style, "z"),
    "compat_timestamps_epoch": (timestamp_style, "z"),
    "compat_numbering_plan_strict": (lookup_outcome("+1234567"), (200, None)),
    "compat_accept_then_fail": (text_to("unreachable"), UNREACHABLE),
    "compat_lookup_minimal": (lambda m: len(m.lookup(phone="+201010000000").json()), 6),
    "compat_envelope_named": (lambda m: type(m.get("/usage").json()).__name__, "list"),
    "compat_paging_links_next": (list_shape, ("list", None)),
    "compat_paging_next_page_url": (list_shape, ("list", None)),
    "compat_paging_next_field": (list_shape, ("list", None)),
    "compat_paging_link_header": (list_shape, ("list", None)),
    "compat_paging_has_more": (list_shape, ("list", None)),
    "compat_paging_page_token": (list_shape, ("list", None)),
    "compat_paging_cursor": (list_shape, ("list", None)),
    "compat_paging_page_number": (list_shape, ("list", None)),
    "compat_paging_offset": (list_shape, ("list", None)),
    "compat_requires_accept_json": (status_with_accept("text/html"), 200),
    "compat_pending_account_in_verification_status": (
        status_of_sender(14),
        "pending_account_verification",
    ),
    "compat_list_senders_needs_scope": (
        lambda m: m.get("/sender-numbers", key="usage_read").status_code,
        200,
    ),
    "compat_lookup_refuses_unknown_sender": (
        lookup_outcome("+201010000000", "+201009999999"),
        (200, None),
    ),
    "compat_plus_is_space": (raw_lookup("phone=+201010000000"), (200, None)),
    "compat_usage_total_by_phone": (
        usage_keys,
        ["message_count", "sender_number_id", "sender_phone"],
    ),
    "compat_status_words": (lambda m: first_log_entry(m)["status"], "sent"),
    "compat_refuse_unknown_fields": (text(priority="high"), (201, None)),
    "compat_media_sniffing": (media("image", media=("a.png", b"GIF", "image/png")), (201, None)),
    "compat_text_multipart_accepted": (media("text", content="hi"), (422, "validation_error")),
    "compat_media_json_415": (text(type="image"), (422, "missing_media")),
    "compat_unverified_not_existing": (
        lambda m: m.lookup(phone="+201010000002").json()["exists"],
        True,
    ),
    "compat_log_lags": (log_length, 1),
    "compat_sent_at_null_until_sent": (lambda m: first_log_entry(m)["sent_at"] is None, False),
    "compat_usage_nested_counts": (
        usage_keys,
        ["message_count", "sender_number_id", "sender_phone"],
    ),
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


def shown_states(listed: list[dict[str, Any]]) -> set[str]:
    """The sender states a list shows: in status, or (READ-023) pending_account_verification
    in verification_status."""
    pending = "pending_account_verification"
    return {s["status"] for s in listed} | {
        pending for s in listed if s.get("verification_status") == pending
    }


def keeps_documented_behaviour(mock: MockClient) -> None:
    """Spot checks of documented rules: a send is taken (any 2xx, READ-006), a missing key is
    401, a rejected sender is refused (any 4xx but 401 and 403, READ-007), every sender is
    listed (all pages, READ-020) with every documented state (READ-023), an invalid body is
    refused with 400 or 422 (READ-003)."""
    assert mock.send_text().status_code in (200, 201, 202)
    assert error_of(mock.get("/usage", key=None))[0] == 401
    refused = error_of(mock.send_text(sender_phone="+201001187191"))[0]
    assert 400 <= refused < 500 and refused not in (401, 403)
    assert mock.send_text(sender_phone=DROP, sender_number_id=12).status_code in (200, 201, 202)
    listed = sender_list(mock)
    assert len(listed) == 5
    assert shown_states(listed) == STATUSES
    assert error_of(mock.lookup(phone="12"))[0] in (400, 422)
    assert error_of(mock.send_media("voice", duration="301"))[0] in (400, 422)  # READ-003


@pytest.mark.parametrize("name", sorted(compatible()))
def test_compatible_variants_keep_documented_behaviour(make_mock: MakeMock, name: str) -> None:
    keeps_documented_behaviour(make_mock(names=[name]))


def test_all_compatible_variants_at_once_keep_documented_behaviour(make_mock: MakeMock) -> None:
    keeps_documented_behaviour(make_mock(names=list(compatible())))
