"""The broken rows of the variants table: each breaks one documented rule, and names the
requirement the suite must fail on it (the mutant corpus, tests/mutants/)."""

from __future__ import annotations

from conformance.mock.variant import (
    Variant,
    broken,
    duration,
    hook,
    no_scope,
    phone,
    phone_digits,
    sendable,
)

# What a server that translated the documented Arabic message would send.
ENGLISH_ACCOUNT_MESSAGE = "The number owner must be verified in TGO Connect before using the API."

BROKEN: tuple[Variant, ...] = (
    # --- scopes ---
    broken(
        "skip_scope_check_register",
        "SCOPE-005",
        "registerSenderNumber ignores its scope",
        rules=no_scope("registerSenderNumber"),
    ),
    broken(
        "skip_scope_check_send",
        "SCOPE-001",
        "sendMessage ignores its scope",
        rules=no_scope("sendMessage"),
    ),
    broken(
        "skip_scope_check_list_messages",
        "SCOPE-002",
        "listMessages ignores its scope",
        rules=no_scope("listMessages"),
    ),
    broken(
        "skip_scope_check_lookup",
        "SCOPE-003",
        "lookupContact ignores its scope",
        rules=no_scope("lookupContact"),
    ),
    broken(
        "skip_scope_check_usage",
        "SCOPE-004",
        "getUsage ignores its scope",
        rules=no_scope("getUsage"),
    ),
    broken(
        "scope_error_wrong_status",
        "SCOPE-007",
        "a missing scope answers 401, not 403",
        rules=lambda r: {"forbidden_status": r.unauthorized_status},
    ),
    broken(
        "full_access_misses_lookup_scope",
        "SCOPE-006",
        "full access (*) is a fixed list of scopes that misses the lookup's: 403 there",
        hooks={"full_access_without_lookup"},
    ),
    broken(
        "write_scopes_need_full_access",
        "SCOPE-008",
        "a key holding only a write operation's scope is answered 403 by that operation",
        hooks={"writes_need_full_access"},
    ),
    broken(
        "usage_forbidden_to_every_key",
        "ERR-005",
        "getUsage answers 403 to every key, full access included (usage taken as a plan limit)",
        hooks={"usage_forbidden_to_every_key"},
    ),
    # --- authentication ---
    hook("accept_missing_key", "AUTH-001", "a request without X-Api-Key gets full access"),
    broken(
        "missing_key_wrong_code",
        "ERR-011",
        "a missing key answers code invalid_api_key",
        rules=lambda r: {"missing_key_code": r.invalid_key_code},
    ),
    hook("accept_revoked_key", "AUTH-003", "a revoked key still works"),
    hook("accept_authorization_header", "AUTH-004", "a key in Authorization counts"),
    broken(
        "invalid_key_wrong_status",
        "AUTH-002",
        "an invalid key answers 403, not 401",
        hooks={"invalid_key_answers_403"},
    ),
    broken(
        "accept_key_with_inner_whitespace",
        "AUTH-005",
        "spaces and tabs inside the key value are removed before it is looked up",
        hooks={"strip_key_whitespace"},
    ),
    broken(
        "usage_ignores_x_api_key",
        "AUTH-007",
        "getUsage looks for the key under another header: a valid key in X-Api-Key is missing",
        hooks={"usage_ignores_x_api_key"},
    ),
    broken(
        "lookup_answers_valid_key_401",
        "ERR-004",
        "lookupContact checks keys against a stale copy: a valid active key answers 401",
        hooks={"lookup_refuses_valid_key"},
    ),
    broken(
        "accept_key_with_extra_chars",
        "AUTH-006",
        "whitespace, quotes, a literal \\n and trailing junk are trimmed from the key",
        hooks={"trim_key_junk"},
    ),
    # --- E.164, every phone field ---
    broken(
        "e164_accept_missing_plus",
        "PHONE-006",
        "digits without + are accepted",
        rules=phone(plus_required=False),
    ),
    broken(
        "e164_accept_leading_zero",
        "PHONE-001",
        "+0... is accepted",
        rules=phone(first_digit_nonzero=False),
    ),
    broken(
        "e164_accept_16_digits",
        # Every phone field takes 16 digits; a send then meets the recipient check (422), so
        # it is the lookup that shows it (PHONE-004).
        "PHONE-004",
        "16 digits after + are accepted",
        rules=phone_digits(high=1),
    ),
    broken(
        "e164_reject_real_numbers",
        "PHONE-007",
        "real numbers of 12 to 15 digits are refused as invalid_phone",
        rules=phone_digits(high=-4),
    ),
    broken(
        "e164_accept_separators",
        "PHONE-004",
        "spaces, dashes, dots, brackets stripped",
        hooks={"strip_phone_separators"},
    ),
    broken(
        "invalid_phone_wrong_code",
        "ERR-013",
        "invalid phones answer validation_error",
        rules=lambda r: {"invalid_phone_code": "validation_error"},
    ),
    # --- E.164, one field each ---
    hook("skip_e164_sender_phone", "PHONE-001", "sendMessage sender_phone is not checked"),
    broken(
        "to_phone_without_plus_normalised",
        "PHONE-002",
        'a to_phone without its leading "+" (201010000000) is given one and sent',
        hooks={"to_phone_plus_optional"},
    ),
    # An unchecked to_phone still meets the recipient check and is refused with 422: the one
    # documented thing that tells is the code (error-codes.txt's invalid_phone, a SHOULD).
    hook("skip_e164_to_phone", "ERR-013", "sendMessage to_phone is not checked"),
    hook("skip_e164_register_phone", "PHONE-003", "registerSenderNumber phone is not checked"),
    hook("skip_e164_lookup_phone", "PHONE-004", "lookupContact phone is not checked"),
    hook("skip_e164_lookup_sender_phone", "PHONE-005", "lookupContact sender_phone unchecked"),
    # --- voice duration ---
    broken(
        "voice_accept_0",
        "VOICE-002",
        "duration one below the minimum is accepted",
        rules=duration(low=-1),
    ),
    broken("voice_reject_1", "VOICE-001", "the minimum duration is refused", rules=duration(low=1)),
    broken(
        "voice_reject_300", "VOICE-001", "the maximum duration is refused", rules=duration(high=-1)
    ),
    broken(
        "voice_accept_301",
        "VOICE-002",
        "duration one above the maximum is accepted",
        rules=duration(high=1),
    ),
    broken(
        "voice_accept_non_number",
        "VOICE-003",
        'a duration that is no number ("forty", "") is taken as none',
        hooks={"accept_non_number_duration"},
    ),
    broken(
        "voice_accept_missing_duration",
        "VOICE-004",
        "a voice message needs no duration",
        hooks={"voice_without_duration"},
    ),
    # --- message types and encodings ---
    broken(
        "document_type_refused",
        "MSG-001",
        "document messages are refused as an unknown type (only text, image and voice)",
        rules=lambda r: {
            "message_types": tuple(t for t in r.message_types if t != "document"),
            "media_types": tuple(t for t in r.media_types if t != "document"),
        },
    ),
    broken(
        "unknown_type_sent_as_text",
        "MSG-002",
        'a type other than the four ("video", "sticker", "") is sent as a text message',
        hooks={"unknown_type_as_text"},
    ),
    broken(
        "text_as_json_refused",
        "MSG-003",
        "every message is a form: a text message as a JSON body answers 415",
        choices={"text_as_multipart": True},
        hooks={"text_json_refused"},
    ),
    broken(
        "media_file_in_part_file",
        "MSG-005",
        "the file is read from the multipart part file: one in part media is missing (422)",
        hooks={"media_in_part_file"},
    ),
    broken(
        "message_without_to_phone_500",
        "MSG-011",
        "a message without to_phone answers 500 (the field is read as if always present)",
        hooks={"server_error_without_to_phone"},
    ),
    # --- sender selection ---
    broken(
        "sender_by_id_refused",
        "MSG-009",
        "only sender_phone names a sender: sender_number_id alone is refused (422)",
        hooks={"sender_by_phone_only"},
    ),
    broken(
        "exclusivity_accept_both",
        "MSG-007",
        "sender_phone and sender_number_id together",
        hooks={"accept_both_senders"},
    ),
    broken(
        "exclusivity_accept_neither",
        "MSG-008",
        "no sender: the first active one is used",
        hooks={"accept_no_sender"},
    ),
    broken(
        "unknown_sender_accepted",
        "MSG-010",
        "an unknown sender falls back to an active one",
        hooks={"unknown_sender_falls_back"},
    ),
    # --- sender and account state ---
    broken(
        "send_from_pending_verification",
        "SENDER-009",
        "pending_verification senders send",
        rules=sendable("pending_verification"),
    ),
    broken(
        "send_from_rejected", "SENDER-010", "rejected senders can send", rules=sendable("rejected")
    ),
    broken(
        "send_from_suspended",
        "SENDER-011",
        "suspended senders can send",
        rules=sendable("suspended"),
    ),
    broken(
        "send_from_unverified_account",
        "ACCT-001",
        "unverified-account senders can send",
        rules=sendable("pending_account_verification"),
    ),
    broken(
        "not_active_wrong_message",
        "SENDER-009",
        "sender-not-active has another message",
        rules=lambda r: {"sender_not_active_message": "Sender number is inactive"},
    ),
    broken(
        "account_unverified_wrong_message",
        "ACCT-002",
        "account-not-verified in English",
        rules=lambda r: {"account_not_verified_message": ENGLISH_ACCOUNT_MESSAGE},
    ),
    hook("new_sender_created_active", "SENDER-001", "a registered sender skips its OTP"),
    broken(
        "register_needs_display_name",
        "SENDER-002",
        "registerSenderNumber refuses a body without display_name (422 missing_display_name)",
        hooks={"display_name_required"},
    ),
    broken(
        "register_without_phone_500",
        "SENDER-003",
        "a registration body without phone answers 500 (the field is read as if always present)",
        hooks={"server_error_without_register_phone"},
    ),
    broken(
        "sender_list_phone_without_plus",
        "SENDER-007",
        'the sender list shows phones without their "+", which sendMessage refuses',
        hooks={"sender_list_phone_without_plus"},
    ),
    broken(
        "active_sender_cannot_send",
        "SENDER-008",
        'sendMessage takes only senders whose status is "verified", a word the list never shows',
        rules=lambda r: {"sendable_statuses": frozenset({"verified"})},
    ),
    broken(
        "pending_account_listed_as_active",
        "ACCT-003",
        "a sender awaiting account verification is listed as active and verified",
        hooks={"pending_account_shown_active"},
    ),
    hook("registered_sender_not_listed", "SENDER-004", "registered senders are not listed"),
    broken(
        "sender_list_missing_verification_status",
        "SENDER-005",
        "the list omits verification_status",
        hooks={"sender_list_without_verification_status"},
    ),
    broken(
        "sender_list_wrong_status_value",
        "SENDER-006",
        "list statuses outside the enum",
        hooks={"sender_list_status_outside_enum"},
    ),
    # --- recipients ---
    hook(
        "send_to_unreachable",
        "RCPT-007",
        "messages to a phone without account are accepted and logged as delivered",
    ),
    hook(
        "send_to_unverified",
        "RCPT-008",
        "messages to an unverified phone are accepted and logged as delivered",
    ),
    broken(
        "lookup_wrong_can_receive",
        "RCPT-003",
        "lookup says can_receive=false when reachable",
        hooks={"lookup_can_receive_false"},
    ),
    hook("lookup_reason_not_ok", "RCPT-004", "lookup reason_code is not ok when reachable"),
    broken(
        "lookup_exists_for_unregistered",
        "RCPT-002",
        "lookup says exists=true for a phone with no TGO Connect account (exists as well-formed)",
        hooks={"lookup_exists_for_any_number"},
    ),
    broken(
        "lookup_requires_sender_phone",
        "RCPT-005",
        "lookupContact refuses a request without sender_phone (422 missing_sender_phone)",
        hooks={"lookup_needs_sender_phone"},
    ),
    broken(
        "lookup_refuses_sender_phone",
        "RCPT-006",
        "lookupContact refuses sender_phone as an unknown query parameter",
        hooks={"lookup_refuses_sender_phone"},
    ),
    broken(
        "lookup_unverified_can_receive",
        "RCPT-009",
        "lookup says can_receive=true, reason ok, for a recipient whose phone is not verified",
        hooks={"lookup_unverified_can_receive"},
    ),
    broken(
        "lookup_missing_exists", "RCPT-001", "lookup omits exists", hooks={"lookup_without_exists"}
    ),
    broken(
        "lookup_field_wrong_type",
        "RCPT-001",
        'lookup exists is the string "true"',
        hooks={"lookup_exists_as_string"},
    ),
    # --- message bodies ---
    hook("media_not_required", "MSG-006", "image, voice and document need no media"),
    broken(
        "text_without_content_accepted",
        "MSG-004",
        "a text message needs no content",
        hooks={"text_without_content"},
    ),
    # --- log and usage ---
    broken(
        "log_missing_field_sent_at",
        "LOG-001",
        "log entries omit sent_at",
        hooks={"log_without_sent_at"},
    ),
    broken(
        "log_missing_field_sender_number_id",
        "LOG-001",
        "log entries omit sender_number_id",
        hooks={"log_without_sender_number_id"},
    ),
    broken(
        "log_missing_field_message_type",
        "LOG-001",
        "log entries omit message_type",
        hooks={"log_without_message_type"},
    ),
    hook("log_sent_at_not_datetime", "LOG-001", "log sent_at is not a date-time"),
    hook("log_drops_message", "LOG-002", "accepted messages never reach the log"),
    broken(
        "log_media_mislabelled",
        "LOG-003",
        "the log gives every image, voice and document message the message_type document",
        hooks={"log_media_as_document"},
    ),
    hook("usage_not_counting", "USAGE-002", "usage counters never increase"),
    broken(
        "usage_by_message_type",
        "USAGE-001",
        "getUsage groups usage by message type, naming no sender number",
        hooks={"usage_grouped_by_type"},
    ),
    # --- errors ---
    hook("error_not_json", "ERR-001", "error bodies are text/plain"),
    # The compatible compat_message_only_errors sends the same bodies: READ-001 accepts them,
    # with ERR-003 (a SHOULD) failed.
    broken(
        "error_without_code", "ERR-003", "error bodies have no code", choices={"error_code": False}
    ),
    # Text in error alone follows error-codes.txt (compat_error_codes_envelope, READ-001); text
    # in neither field follows no page.
    hook("error_without_text", "ERR-002", "error bodies carry a code and no human text"),
    # 400 follows error-codes.txt (compat_validation_400, READ-003); 409 follows no page.
    broken(
        "validation_wrong_status",
        "ERR-006",
        "an invalid well-formed body answers 409, a status neither page gives",
        rules=lambda r: {"invalid_body_status": 409},
    ),
    hook("server_error_on_bad_json", "ERR-007", "malformed JSON answers 500"),
    # --- account isolation ---
    hook("foreign_sender_by_id", "ISO-001", "another account's sender is usable by its id"),
    hook("foreign_sender_by_phone", "ISO-002", "another account's sender is usable by its phone"),
    broken(
        "foreign_sender_id_forbidden",
        "ERR-010",
        "another account's sender id answers 403 (it exists, but is not yours), not as none",
        hooks={"foreign_sender_id_forbidden"},
    ),
    broken(
        "lookup_sees_foreign_senders",
        "ISO-003",
        "a lookup refuses a sender_phone no account holds, but takes another account's",
        choices={"lookup_sender_must_exist": True},
        hooks={"lookup_sees_foreign_senders"},
    ),
    hook("foreign_senders_listed", "ISO-004", "the sender list shows every account's senders"),
    hook("foreign_messages_in_log", "ISO-005", "the message log shows every account's messages"),
    hook("foreign_usage_counted", "ISO-006", "usage counts every account's sender numbers"),
    hook(
        "registration_takes_over",
        "ISO-007",
        "registering a phone another account holds moves that sender to the caller",
    ),
)
