"""What a mock does: the documented rules it enforces, its own readings of what the docs leave
open, and named deviations a value cannot say.

The faithful mock is `Behaviour()`: the contract's rules, the mock's default choices, no hooks.
A variant (variants.py) changes one of the three.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from conformance.rules.values import Rules, load_rules

ListEnvelope = Literal["bare", "data", "items", "results", "named"]
Paging = Literal[
    "links.next",
    "next_page_url",
    "next",
    "link_header",
    "has_more",
    "page_token",
    "cursor",
    "page_number",
    "offset",
]
IdStyle = Literal["int", "prefixed"]
TimestampStyle = Literal["z", "offset_micro", "epoch"]
LookupFields = Literal["all", "promised"]
UsageShape = Literal["by_id", "total_by_phone", "nested_counts"]
DuplicateRegistration = Literal["refuse", "return_existing"]
PendingAccountIn = Literal["status", "verification_status"]
DeliveryMode = Literal["at_once", "queued"]
ForeignPhoneRegistration = Literal["refuse", "new_sender"]
ErrorTextField = Literal["message", "error"]


@dataclass(frozen=True)
class Choices:
    """The mock's answers where the docs are silent or vague. Every value here is one reading;
    the readings register (openapi/readings.yaml) lists the others, and the compatible variants
    take them. Each default is the faithful mock's reading. Each group names the one place its
    choices are read; each comment the register entry."""

    # --- lists: paging.Lists ---
    list_envelope: ListEnvelope = "bare"  # READ-018
    page_size: int | None = None  # READ-020 (None: a list comes whole)
    # READ-020: how the next page is announced, when lists page; in the body, a "bare" list is
    # wrapped as {"data": [...]} (an array has no room for a link). The last five are the
    # conventions of Stripe, AIP-158, cursors, page counts and offsets, each with its own
    # envelope (paging.Lists).
    paging: Paging = "links.next"
    newest_first: bool = False  # READ-019
    # --- ids: ids.encode (via views.Views._id), models.Backend._allocate ---
    id_style: IdStyle = "int"  # READ-022
    id_base: int | None = None  # READ-022: where ids start (None: the mock's own bases)
    # --- response shapes: views.Views ---
    extra_fields: bool = False  # READ-030: bodies carry fields the docs do not name
    timestamps: TimestampStyle = "z"  # READ-014: 2025-01-10T08:00:00Z
    lookup_fields: LookupFields = "all"  # READ-017: "promised" = exists, can_receive, reason_code
    usage_shape: UsageShape = "by_id"  # READ-027: sender_number_id, sender_phone, message_count
    # --- error bodies: views.Views.error (and routes.error_response for the text/plain one) ---
    error_code: bool = True  # READ-001: error bodies carry code
    error_text_field: ErrorTextField = "message"  # READ-001: the TGO pages' field, or error's
    error_also_in_error: bool = False  # READ-001: error bodies repeat the text under "error"
    own_wording: bool = False  # READ-028: own texts and codes where the docs give none
    account_refusal_as_text: bool = False  # READ-002: the Arabic sentence alone, text/plain
    # --- HTTP: routes.Api (statuses of success, the status of an invalid query), and
    # parsing.Reader (Accept, the query string) ---
    charset: bool = False  # READ-021: application/json; charset=utf-8
    require_accept_json: bool = False  # READ-021: 406 unless Accept admits application/json
    plus_is_space: bool = False  # READ-026: a "+" in a query string is a space
    registered_status: int = 201  # READ-006: an accepted registration
    sent_status: int = 201  # READ-006: an accepted message
    invalid_query_status: int | None = None  # READ-005 (None: the rules' invalid-body status)
    # --- refusal statuses: errors.MockError.wire, for the classes whose status_choice names
    # the field (None: the error class's own status, the mock's reading) ---
    unreadable_body_status: int | None = None  # READ-004: InvalidJson, InvalidMultipart (400)
    state_refusal_status: int | None = None  # READ-007: SenderNotActive, AccountNotVerified (422)
    unknown_sender_status: int | None = None  # READ-008: SenderNotFound (404)
    # --- request fields: fields.FieldReader (empty, null, unknown), validation.Validator ---
    empty_is_missing: bool = False  # READ-011: "" is an absent field (missing_<name>)
    null_is_absent: bool = False  # READ-011: a JSON null in an optional body field is absent
    refuse_unknown_fields: bool = False  # READ-031: an undocumented body field answers 422
    refuse_foreign_fields: bool = False  # READ-012: another type's field answers 422
    fractional_duration: bool = False  # READ-013: 1.5 s, 1e2, +100 are durations
    sniff_media: bool = False  # READ-032: a file must be of its message type
    text_as_multipart: bool = False  # READ-033: a text message may come as a form
    media_as_json_unsupported: bool = False  # READ-034: 415 instead of 422
    # --- senders and lookup: models.Backend (register, _info, authorize, lookup) ---
    duplicate_registration: DuplicateRegistration = "refuse"  # READ-009: 409 sender_exists
    register_needs_account: bool = False  # READ-010: only phones with a TGO Connect account
    # READ-047: a phone another account holds is refused (409), or registered anew for this one
    foreign_phone_registration: ForeignPhoneRegistration = "refuse"
    pending_account_in: PendingAccountIn = "status"  # READ-023
    # READ-024: listing needs the scope of one of these operations (none: any valid key)
    sender_list_scope_of: tuple[str, ...] = ()
    lookup_sender_must_exist: bool = False  # READ-025: an unknown sender_phone is not_found
    unverified_phone_exists: bool = True  # READ-041: exists true for an unverified phone
    # --- delivery, log and usage: delivery.Delivery ---
    delivery: DeliveryMode = "at_once"  # READ-016: "queued" = accept, then delivered or failed
    accepted_status: str = "sent"  # READ-029: the log's word for an accepted message
    log_lag: float = 0.0  # READ-046: seconds before a message shows in the log and usage
    sent_at_null_until_sent: bool = False  # READ-048: a queued or failed message's sent_at


@dataclass(frozen=True)
class Behaviour:
    """Rules, choices and hooks of one mock."""

    rules: Rules = field(default_factory=load_rules)
    choices: Choices = field(default_factory=Choices)
    hooks: frozenset[str] = frozenset()

    def hook(self, name: str) -> bool:
        """Whether the named deviation is on; a name no variant declares is a bug here."""
        if name not in HOOKS:
            raise ValueError(f"unknown hook {name!r}")
        return name in self.hooks


def choice_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Choices))


# Deviations a value of the rules or the choices cannot say. Each is read at the one place its
# rule lives; variants.py says which requirement it breaks.
HOOKS: frozenset[str] = frozenset(
    {
        "accept_missing_key",
        "accept_revoked_key",
        "accept_authorization_header",
        "invalid_key_answers_403",
        "trim_key_junk",
        "strip_phone_separators",
        "skip_e164_sender_phone",
        "skip_e164_to_phone",
        "skip_e164_register_phone",
        "skip_e164_lookup_phone",
        "skip_e164_lookup_sender_phone",
        "accept_non_number_duration",
        "voice_without_duration",
        "accept_both_senders",
        "accept_no_sender",
        "unknown_sender_falls_back",
        "new_sender_created_active",
        "registered_sender_not_listed",
        "sender_list_without_verification_status",
        "sender_list_status_outside_enum",
        "send_to_unreachable",
        "send_to_unverified",
        "lookup_can_receive_false",
        "lookup_reason_not_ok",
        "lookup_without_exists",
        "lookup_exists_as_string",
        "media_not_required",
        "text_without_content",
        "log_without_sent_at",
        "log_without_sender_number_id",
        "log_without_message_type",
        "log_sent_at_not_datetime",
        "log_drops_message",
        "usage_not_counting",
        "error_not_json",
        "error_without_text",
        "server_error_on_bad_json",
        "foreign_sender_by_id",
        "foreign_sender_by_phone",
        "foreign_messages_in_log",
        "foreign_usage_counted",
        "registration_takes_over",
        "foreign_senders_listed",
        "lookup_sees_foreign_senders",
        "strip_key_whitespace",
        "usage_ignores_x_api_key",
        "lookup_refuses_valid_key",
        "full_access_without_lookup",
        "writes_need_full_access",
        "usage_forbidden_to_every_key",
        "to_phone_plus_optional",
        "unknown_type_as_text",
        "text_json_refused",
        "media_in_part_file",
        "sender_by_phone_only",
        "server_error_without_to_phone",
        "display_name_required",
        "server_error_without_register_phone",
        "sender_list_phone_without_plus",
        "pending_account_shown_active",
        "lookup_exists_for_any_number",
        "lookup_needs_sender_phone",
        "lookup_refuses_sender_phone",
        "lookup_unverified_can_receive",
        "log_media_as_document",
        "usage_grouped_by_type",
        "foreign_sender_id_forbidden",
    }
)
