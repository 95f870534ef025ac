"""The compatible rows of the variants table: each takes one reading of the readings register
(openapi/readings.yaml) that the faithful mock does not, and keeps every documented rule; the
suite must pass each, and all of them at once (the mutant corpus, tests/mutants/)."""

from __future__ import annotations

from conformance.mock.variant import Variant, compatible, phone

COMPATIBLE: tuple[Variant, ...] = (
    # --- errors ---
    compatible(
        "compat_message_only_errors",
        "READ-001",
        'error bodies are {"message": ...} only',
        error_code=False,
    ),
    compatible(
        "compat_extra_error_field",
        "READ-001",
        "error bodies also carry error",
        error_also_in_error=True,
    ),
    compatible(
        "compat_error_codes_envelope",
        "READ-001",
        'error bodies are error-codes.txt\'s envelope: {"error": ..., "code": ...}, no message',
        error_text_field="error",
    ),
    compatible(
        "compat_arabic_plain_text",
        "READ-002",
        "the account-not-verified refusal is the Arabic sentence alone, as text/plain",
        account_refusal_as_text=True,
    ),
    compatible(
        "compat_own_wording",
        "READ-028",
        "own texts and codes where the docs give none",
        own_wording=True,
    ),
    # --- statuses ---
    compatible(
        "compat_validation_400",
        "READ-003",
        "an invalid well-formed body answers 400, as error-codes.txt says",
        rules=lambda r: {"invalid_body_status": r.invalid_body_generic_status},
    ),
    compatible(
        "compat_malformed_422",
        "READ-004",
        "an unreadable JSON or multipart body answers 422",
        unreadable_body_status=422,
    ),
    compatible(
        "compat_query_400",
        "READ-005",
        "an invalid lookup query answers 400",
        invalid_query_status=400,
    ),
    compatible(
        "compat_status_200",
        "READ-006",
        "accepted POSTs answer 200, not 201",
        registered_status=200,
        sent_status=200,
    ),
    compatible("compat_send_202", "READ-006", "an accepted message answers 202", sent_status=202),
    compatible(
        "compat_state_refusal_409",
        "READ-007",
        "sender-not-active and account-not-verified answer 409",
        state_refusal_status=409,
    ),
    compatible(
        "compat_state_refusal_400",
        "READ-007",
        "sender-not-active and account-not-verified answer 400",
        state_refusal_status=400,
    ),
    compatible(
        "compat_unknown_sender_422",
        "READ-008",
        "an unknown sender answers 422 not_found",
        unknown_sender_status=422,
    ),
    compatible(
        "compat_media_json_415",
        "READ-034",
        "a media message sent as JSON answers 415",
        media_as_json_unsupported=True,
    ),
    # --- sender numbers ---
    compatible(
        "compat_duplicate_registration_ok",
        "READ-009",
        "registering a phone already registered answers 200 with that sender",
        duplicate_registration="return_existing",
    ),
    compatible(
        "compat_register_needs_connect_account",
        "READ-010",
        "a phone without a TGO Connect account is refused: 422 no_tgo_connect_account",
        register_needs_account=True,
    ),
    compatible(
        "compat_pending_account_in_verification_status",
        "READ-023",
        "an unverified owner shows as status active, verification_status "
        "pending_account_verification",
        pending_account_in="verification_status",
    ),
    compatible(
        "compat_list_senders_needs_scope",
        "READ-024",
        "listing sender numbers needs messages.send or messages.read",
        sender_list_scope_of=("sendMessage", "listMessages"),
    ),
    # --- request fields ---
    compatible(
        "compat_empty_is_missing",
        "READ-011",
        "an empty string is an absent field (missing_<field>, or ignored when optional)",
        empty_is_missing=True,
    ),
    compatible(
        "compat_null_is_absent",
        "READ-011",
        "a JSON null in an optional body field (sender_phone, sender_number_id, display_name) is"
        " an absent field, as Pydantic's Optional fields take it",
        null_is_absent=True,
    ),
    compatible(
        "compat_refuse_foreign_fields",
        "READ-012",
        "a field of another message type answers 422",
        refuse_foreign_fields=True,
    ),
    compatible(
        "compat_fractional_duration",
        "READ-013",
        "every number spelling within the bounds (1.5, 1e2, +100) is taken as given",
        fractional_duration=True,
    ),
    compatible(
        "compat_numbering_plan_strict",
        "READ-015",
        "fewer than 8 digits after the + are refused as invalid_phone",
        rules=phone(min_digits=8),
    ),
    compatible(
        "compat_plus_is_space",
        "READ-026",
        'the query string is a form: an unencoded "+" is a space',
        plus_is_space=True,
    ),
    compatible(
        "compat_refuse_unknown_fields",
        "READ-031",
        "a body field the docs do not name answers 422 unknown_field",
        refuse_unknown_fields=True,
    ),
    compatible(
        "compat_media_sniffing",
        "READ-032",
        "an image or voice file must be of its kind, by Content-Type and first bytes",
        sniff_media=True,
    ),
    compatible(
        "compat_text_multipart_accepted",
        "READ-033",
        "a text message may come as multipart/form-data",
        text_as_multipart=True,
    ),
    compatible(
        "compat_requires_accept_json",
        "READ-021",
        "a request whose Accept does not admit application/json answers 406",
        require_accept_json=True,
    ),
    # --- response shapes ---
    compatible(
        "compat_extra_fields", "READ-030", "every body carries extra fields", extra_fields=True
    ),
    compatible(
        "compat_string_ids", "READ-022", 'ids are strings such as "snd_12"', id_style="prefixed"
    ),
    compatible("compat_id_offset", "READ-022", "allocated ids start at 100000", id_base=100_000),
    compatible("compat_charset", "READ-021", "application/json; charset=utf-8", charset=True),
    compatible(
        "compat_timestamps_offset_micro",
        "READ-014",
        "timestamps as 2026-12-01T10:00:00.123456+00:00",
        timestamps="offset_micro",
    ),
    compatible(
        "compat_timestamps_epoch", "READ-014", "timestamps as Unix seconds", timestamps="epoch"
    ),
    compatible(
        "compat_lookup_minimal",
        "READ-017",
        "lookup answers only exists, can_receive and reason_code",
        lookup_fields="promised",
    ),
    compatible(
        "compat_lookup_refuses_unknown_sender",
        "READ-025",
        "lookup with a sender_phone that is no sender number answers 404 not_found",
        lookup_sender_must_exist=True,
    ),
    compatible(
        "compat_unverified_not_existing",
        "READ-041",
        "lookup of an unverified phone says exists false",
        unverified_phone_exists=False,
    ),
    compatible(
        "compat_usage_total_by_phone",
        "READ-027",
        "usage groups are sender_phone, total_messages and by_type",
        usage_shape="total_by_phone",
    ),
    # --- lists ---
    compatible("compat_reverse_order", "READ-019", "lists are newest first", newest_first=True),
    compatible(
        "compat_envelope_data",
        "READ-018",
        'lists are wrapped as {"data": [...]}',
        list_envelope="data",
    ),
    compatible(
        "compat_envelope_named",
        "READ-018",
        'lists are wrapped under their name ({"messages": [...]})',
        list_envelope="named",
    ),
    compatible(
        "compat_paging_links_next",
        "READ-020",
        'pages of 2 in {"data": [...]}, the next in links.next',
        paging="links.next",
        page_size=2,
    ),
    compatible(
        "compat_paging_next_page_url",
        "READ-020",
        'pages of 2 in {"data": [...]}, the next in next_page_url',
        paging="next_page_url",
        page_size=2,
    ),
    compatible(
        "compat_paging_next_field",
        "READ-020",
        'pages of 2 in {"data": [...]}, the next in next',
        paging="next",
        page_size=2,
    ),
    compatible(
        "compat_paging_link_header",
        "READ-020",
        'pages of 2 as bare arrays, the next in a Link header (rel="next")',
        paging="link_header",
        page_size=2,
    ),
    # Newest first in pages of 2: the configured senders are past the first page.
    compatible(
        "compat_paging_has_more",
        "READ-020",
        'Stripe-style: {"object": "list", "data": [...], "has_more": true}, newest first, '
        "the next page with ?starting_after=<last id>",
        paging="has_more",
        page_size=2,
        newest_first=True,
    ),
    compatible(
        "compat_paging_page_token",
        "READ-020",
        "AIP-158: next_page_token in the body, the next page with ?page_token=, newest first",
        paging="page_token",
        page_size=2,
        newest_first=True,
    ),
    compatible(
        "compat_paging_cursor",
        "READ-020",
        'cursors: {"data": [...], "meta": {"next_cursor": ...}}, the next page with ?cursor=',
        paging="cursor",
        page_size=2,
        newest_first=True,
    ),
    compatible(
        "compat_paging_page_number",
        "READ-020",
        'page numbers: {"data": [...], "page": 1, "per_page": 2, "total_pages": N}, no next link',
        paging="page_number",
        page_size=2,
        newest_first=True,
    ),
    compatible(
        "compat_paging_offset",
        "READ-020",
        'offsets: {"results": [...], "offset": 0, "limit": 2, "total": N}, newest first',
        paging="offset",
        page_size=2,
        newest_first=True,
    ),
    # --- delivery, log and usage ---
    compatible(
        "compat_sent_at_null_until_sent",
        "READ-048",
        "messages are accepted as queued, sent_at null until they are sent (and when they fail)",
        delivery="queued",
        sent_at_null_until_sent=True,
    ),
    compatible(
        "compat_usage_nested_counts",
        "READ-027",
        'usage groups name the sender by id and phone and count under "messages": {"total": N}',
        usage_shape="nested_counts",
    ),
    compatible(
        "compat_accept_then_fail",
        "READ-016",
        "messages are accepted (202) as queued, then delivered or, if they cannot arrive, failed",
        delivery="queued",
        sent_status=202,
    ),
    compatible(
        "compat_status_words",
        "READ-029",
        'the log says "accepted" for an accepted message',
        accepted_status="accepted",
    ),
    compatible(
        "compat_log_lags",
        "READ-046",
        "a message shows in the log and in usage 0.5 s after it was accepted",
        log_lag=0.5,
    ),
    compatible(
        "compat_foreign_phone_registered_anew",
        "READ-047",
        "a phone another account holds is registered anew for the caller, pending its OTP; the "
        "other account's sender is left as it is",
        foreign_phone_registration="new_sender",
    ),
)
