"""THE TABLE of mock variants: each breaks one documented rule, or takes one open reading.

A broken variant names the requirement it breaks; the suite must fail that requirement on it
(the mutant corpus, tests/mutants/). A compatible variant names the readings register entry
it takes; the suite must pass it. A variant is data: an override of a rule value, of a choice,
or a named hook (behaviour.py), never a copy of the mock's code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.mock.behaviour import HOOKS, Behaviour, Choices
from conformance.rules.values import Bounds, Rules

RuleChange = Callable[[Rules], Mapping[str, Any]]

# What a server that translated the documented Arabic message would send.
ENGLISH_ACCOUNT_MESSAGE = "The number owner must be verified in TGO Connect before using the API."


class UnknownVariant(ValueError):
    """A variant name that is not in the table; str() lists the known ones."""


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    breaks: str | None = None  # the requirement a broken variant breaks
    reading: str | None = None  # the readings register entry a compatible variant takes
    rules: RuleChange | None = None
    choices: Mapping[str, Any] = field(default_factory=dict)
    hooks: frozenset[str] = frozenset()

    @property
    def compatible(self) -> bool:
        return self.breaks is None

    def apply(self, behaviour: Behaviour) -> Behaviour:
        rules = behaviour.rules
        if self.rules is not None:
            rules = rules.replace(**self.rules(rules))
        return Behaviour(
            rules=rules,
            choices=replace(behaviour.choices, **self.choices),
            hooks=behaviour.hooks | self.hooks,
        )


def _broken(name: str, breaks: str, description: str, **kwargs: Any) -> Variant:
    hooks = frozenset(kwargs.pop("hooks", ()))
    return Variant(name, description, breaks=breaks, hooks=hooks, **kwargs)


def _hook(name: str, breaks: str, description: str) -> Variant:
    """A broken variant that is one hook of the same name."""
    return _broken(name, breaks, description, hooks={name})


def _compatible(name: str, reading: str, description: str, **choices: Any) -> Variant:
    return Variant(name, description, reading=reading, choices=choices)


def _no_scope(operation: str) -> RuleChange:
    return lambda r: {"scopes": {**r.scopes, operation: None}}


def _sendable(status: str) -> RuleChange:
    return lambda r: {"sendable_statuses": r.sendable_statuses | {status}}


def _phone(**change: Any) -> RuleChange:
    return lambda r: {"phone": replace(r.phone, **change)}


def _phone_digits(low: int = 0, high: int = 0) -> RuleChange:
    return lambda r: {
        "phone": replace(
            r.phone, min_digits=r.phone.min_digits + low, max_digits=r.phone.max_digits + high
        )
    }


def _duration(low: int = 0, high: int = 0) -> RuleChange:
    return lambda r: {"duration": Bounds(r.duration.minimum + low, r.duration.maximum + high)}


VARIANTS: tuple[Variant, ...] = (
    # --- scopes ---
    _broken(
        "skip_scope_check_register",
        "SCOPE-005",
        "registerSenderNumber ignores its scope",
        rules=_no_scope("registerSenderNumber"),
    ),
    _broken(
        "skip_scope_check_send",
        "SCOPE-001",
        "sendMessage ignores its scope",
        rules=_no_scope("sendMessage"),
    ),
    _broken(
        "skip_scope_check_list_messages",
        "SCOPE-002",
        "listMessages ignores its scope",
        rules=_no_scope("listMessages"),
    ),
    _broken(
        "skip_scope_check_lookup",
        "SCOPE-003",
        "lookupContact ignores its scope",
        rules=_no_scope("lookupContact"),
    ),
    _broken(
        "skip_scope_check_usage",
        "SCOPE-004",
        "getUsage ignores its scope",
        rules=_no_scope("getUsage"),
    ),
    _broken(
        "scope_error_wrong_status",
        "SCOPE-007",
        "a missing scope answers 401, not 403",
        rules=lambda r: {"forbidden_status": r.unauthorized_status},
    ),
    # --- authentication ---
    _hook("accept_missing_key", "AUTH-001", "a request without X-Api-Key gets full access"),
    _broken(
        "missing_key_wrong_code",
        "AUTH-001",
        "a missing key answers code invalid_api_key",
        rules=lambda r: {"missing_key_code": r.invalid_key_code},
    ),
    _hook("accept_revoked_key", "AUTH-003", "a revoked key still works"),
    _hook("accept_authorization_header", "AUTH-004", "a key in Authorization counts"),
    _broken(
        "invalid_key_wrong_status",
        "AUTH-002",
        "an invalid key answers 403, not 401",
        hooks={"invalid_key_answers_403"},
    ),
    _broken(
        "accept_key_with_extra_chars",
        "AUTH-006",
        "whitespace, quotes, a literal \\n and trailing junk are trimmed from the key",
        hooks={"trim_key_junk"},
    ),
    # --- E.164, every phone field ---
    _broken(
        "e164_accept_missing_plus",
        "PHONE-006",
        "digits without + are accepted",
        rules=_phone(plus_required=False),
    ),
    _broken(
        "e164_accept_leading_zero",
        "PHONE-001",
        "+0... is accepted",
        rules=_phone(first_digit_nonzero=False),
    ),
    _broken(
        "e164_accept_16_digits",
        "PHONE-002",
        "16 digits after + are accepted",
        rules=_phone_digits(high=1),
    ),
    _broken(
        "e164_reject_short",
        "PHONE-007",
        "the shortest E.164 number is refused",
        rules=_phone_digits(low=1),
    ),
    _broken(
        "e164_accept_separators",
        "PHONE-004",
        "spaces, dashes, dots, brackets stripped",
        hooks={"strip_phone_separators"},
    ),
    _broken(
        "invalid_phone_wrong_code",
        "PHONE-003",
        "invalid phones answer validation_error",
        rules=lambda r: {"invalid_phone_code": "validation_error"},
    ),
    # --- E.164, one field each ---
    _hook("skip_e164_sender_phone", "PHONE-001", "sendMessage sender_phone is not checked"),
    _hook("skip_e164_to_phone", "PHONE-002", "sendMessage to_phone is not checked"),
    _hook("skip_e164_register_phone", "PHONE-003", "registerSenderNumber phone is not checked"),
    _hook("skip_e164_lookup_phone", "PHONE-004", "lookupContact phone is not checked"),
    _hook("skip_e164_lookup_sender_phone", "PHONE-005", "lookupContact sender_phone unchecked"),
    # --- voice duration ---
    _broken(
        "voice_accept_0",
        "VOICE-002",
        "duration one below the minimum is accepted",
        rules=_duration(low=-1),
    ),
    _broken(
        "voice_reject_1", "VOICE-001", "the minimum duration is refused", rules=_duration(low=1)
    ),
    _broken(
        "voice_reject_300", "VOICE-001", "the maximum duration is refused", rules=_duration(high=-1)
    ),
    _broken(
        "voice_accept_301",
        "VOICE-002",
        "duration one above the maximum is accepted",
        rules=_duration(high=1),
    ),
    _broken(
        "voice_accept_fraction",
        "VOICE-003",
        "a fractional duration (1.5) is accepted",
        hooks={"accept_fractional_duration"},
    ),
    _broken(
        "voice_accept_missing_duration",
        "VOICE-004",
        "a voice message needs no duration",
        hooks={"voice_without_duration"},
    ),
    # --- sender selection ---
    _broken(
        "exclusivity_accept_both",
        "MSG-007",
        "sender_phone and sender_number_id together",
        hooks={"accept_both_senders"},
    ),
    _broken(
        "exclusivity_accept_neither",
        "MSG-008",
        "no sender: the first active one is used",
        hooks={"accept_no_sender"},
    ),
    _broken(
        "unknown_sender_accepted",
        "MSG-010",
        "an unknown sender falls back to an active one",
        hooks={"unknown_sender_falls_back"},
    ),
    # --- sender and account state ---
    _broken(
        "send_from_pending_verification",
        "SENDER-009",
        "pending_verification senders send",
        rules=_sendable("pending_verification"),
    ),
    _broken(
        "send_from_rejected", "SENDER-010", "rejected senders can send", rules=_sendable("rejected")
    ),
    _broken(
        "send_from_suspended",
        "SENDER-011",
        "suspended senders can send",
        rules=_sendable("suspended"),
    ),
    _broken(
        "send_from_unverified_account",
        "ACCT-001",
        "unverified-account senders can send",
        rules=_sendable("pending_account_verification"),
    ),
    _broken(
        "not_active_wrong_message",
        "SENDER-009",
        "sender-not-active has another message",
        rules=lambda r: {"sender_not_active_message": "Sender number is inactive"},
    ),
    _broken(
        "account_unverified_wrong_message",
        "ACCT-002",
        "account-not-verified in English",
        rules=lambda r: {"account_not_verified_message": ENGLISH_ACCOUNT_MESSAGE},
    ),
    _hook("new_sender_created_active", "SENDER-001", "a registered sender skips its OTP"),
    _hook("registered_sender_not_listed", "SENDER-004", "registered senders are not listed"),
    _broken(
        "sender_list_missing_verification_status",
        "SENDER-005",
        "the list omits verification_status",
        hooks={"sender_list_without_verification_status"},
    ),
    _broken(
        "sender_list_wrong_status_value",
        "SENDER-006",
        "list statuses outside the enum",
        hooks={"sender_list_status_outside_enum"},
    ),
    # --- recipients ---
    _hook("send_to_unreachable", "RCPT-007", "messages to a phone without account accepted"),
    _hook("send_to_unverified", "RCPT-008", "messages to an unverified phone accepted"),
    _broken(
        "lookup_wrong_can_receive",
        "RCPT-003",
        "lookup says can_receive=false when reachable",
        hooks={"lookup_can_receive_false"},
    ),
    _hook("lookup_reason_not_ok", "RCPT-004", "lookup reason_code is not ok when reachable"),
    _broken(
        "lookup_missing_exists", "RCPT-001", "lookup omits exists", hooks={"lookup_without_exists"}
    ),
    _broken(
        "lookup_field_wrong_type",
        "RCPT-001",
        'lookup exists is the string "true"',
        hooks={"lookup_exists_as_string"},
    ),
    # --- message bodies ---
    _hook("media_not_required", "MSG-006", "image, voice and document need no media"),
    _broken(
        "text_without_content_accepted",
        "MSG-004",
        "a text message needs no content",
        hooks={"text_without_content"},
    ),
    # --- log and usage ---
    _broken(
        "log_missing_field_sent_at",
        "LOG-001",
        "log entries omit sent_at",
        hooks={"log_without_sent_at"},
    ),
    _broken(
        "log_missing_field_sender_number_id",
        "LOG-001",
        "log entries omit sender_number_id",
        hooks={"log_without_sender_number_id"},
    ),
    _broken(
        "log_missing_field_message_type",
        "LOG-001",
        "log entries omit message_type",
        hooks={"log_without_message_type"},
    ),
    _hook("log_sent_at_not_datetime", "LOG-001", "log sent_at is not a date-time"),
    _hook("log_drops_message", "LOG-002", "accepted messages never reach the log"),
    _hook("usage_not_counting", "USAGE-002", "usage counters never increase"),
    # --- errors ---
    _hook("error_not_json", "ERR-001", "error bodies are text/plain"),
    _hook("error_without_code", "ERR-003", "error bodies have no code"),
    _broken(
        "error_message_field_named_error",
        "ERR-002",
        "error text in error, not message",
        hooks={"error_text_in_error"},
    ),
    _broken(
        "validation_wrong_status",
        "ERR-006",
        "an invalid well-formed body answers 400",
        rules=lambda r: {"invalid_body_status": 400},
    ),
    _hook("server_error_on_bad_json", "ERR-007", "malformed JSON answers 500"),
    # --- compatible: only what the docs leave open ---
    _compatible(
        "compat_extra_fields", "READ-030", "every body carries extra fields", extra_fields=True
    ),
    _compatible(
        "compat_string_ids", "READ-022", 'ids are strings such as "snd_12"', id_style="prefixed"
    ),
    _compatible("compat_id_offset", "READ-022", "allocated ids start at 100000", id_base=100_000),
    _compatible("compat_reverse_order", "READ-019", "lists are newest first", newest_first=True),
    _compatible("compat_charset", "READ-021", "application/json; charset=utf-8", charset=True),
    _compatible(
        "compat_own_wording",
        "READ-028",
        "own texts and codes where the docs give none",
        own_wording=True,
    ),
    _compatible(
        "compat_envelope_data",
        "READ-018",
        'lists are wrapped as {"data": [...]}',
        list_envelope="data",
    ),
    _compatible(
        "compat_status_200", "READ-006", "accepted POSTs answer 200, not 201", created_status=200
    ),
    _compatible(
        "compat_extra_error_field",
        "READ-001",
        "error bodies also carry error",
        error_also_in_error=True,
    ),
)

BY_NAME: dict[str, Variant] = {variant.name: variant for variant in VARIANTS}


def broken() -> dict[str, Variant]:
    return {v.name: v for v in VARIANTS if not v.compatible}


def compatible() -> dict[str, Variant]:
    return {v.name: v for v in VARIANTS if v.compatible}


def behaviour_of(names: Iterable[str], base: Behaviour | None = None) -> Behaviour:
    """The behaviour of the mock with these variants applied, in order (none: the faithful
    mock)."""
    behaviour = base or Behaviour()
    for name in names:
        try:
            variant = BY_NAME[name]
        except KeyError:
            raise UnknownVariant(f"unknown mock variant {name!r}") from None
        behaviour = variant.apply(behaviour)
    return behaviour


def _check_table() -> None:
    unknown_hooks = {h for v in VARIANTS for h in v.hooks} - HOOKS
    if unknown_hooks:
        raise ValueError(f"variants name unknown hooks: {sorted(unknown_hooks)}")
    unknown_choices = {c for v in VARIANTS for c in v.choices} - set(Choices.__dataclass_fields__)
    if unknown_choices:
        raise ValueError(f"variants name unknown choices: {sorted(unknown_choices)}")


_check_table()
