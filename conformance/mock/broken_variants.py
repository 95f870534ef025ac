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
    # --- sender selection ---
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
    hook("usage_not_counting", "USAGE-002", "usage counters never increase"),
    # --- errors ---
    hook("error_not_json", "ERR-001", "error bodies are text/plain"),
    # The compatible compat_message_only_errors sends the same bodies: READ-001 accepts them,
    # with ERR-003 (a SHOULD) failed.
    broken(
        "error_without_code", "ERR-003", "error bodies have no code", choices={"error_code": False}
    ),
    broken(
        "error_message_field_named_error",
        "ERR-002",
        "error text in error, not message",
        hooks={"error_text_in_error"},
    ),
    broken(
        "validation_wrong_status",
        "ERR-006",
        "an invalid well-formed body answers 400",
        rules=lambda r: {"invalid_body_status": 400},
    ),
    hook("server_error_on_bad_json", "ERR-007", "malformed JSON answers 500"),
    # --- account isolation ---
    hook("foreign_sender_by_id", "ISO-001", "another account's sender is usable by its id"),
    hook("foreign_sender_by_phone", "ISO-002", "another account's sender is usable by its phone"),
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
