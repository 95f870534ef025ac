"""Switches that make the mock deviate from the documentation, one rule at a time.

All switches off is the faithful mock. A *breaking* switch violates exactly one documented rule,
so the conformance suite must fail on it (the mutant corpus); a *compatible* switch (prefix
``compat_``) changes only something the docs leave open, so the suite must still pass. Each switch
is read at the single place its rule lives (a branch in the rule, never a second copy of the app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any

COMPATIBLE_PREFIX = "compat_"


def _switch(doc: str) -> Any:
    return field(default=False, metadata={"doc": doc})


@dataclass(frozen=True)
class Faults:
    """Boolean switches; see each field's doc (``Faults.describe(name)``)."""

    # --- scopes ---
    skip_scope_check_register: bool = _switch("registerSenderNumber ignores its scope")
    skip_scope_check_send: bool = _switch("sendMessage ignores its scope")
    skip_scope_check_list_messages: bool = _switch("listMessages ignores its scope")
    skip_scope_check_lookup: bool = _switch("lookupContact ignores its scope")
    skip_scope_check_usage: bool = _switch("getUsage ignores its scope")
    scope_error_wrong_status: bool = _switch("a missing scope answers 401 instead of 403")
    # --- authentication ---
    accept_missing_key: bool = _switch("a request without X-Api-Key is served with full access")
    missing_key_wrong_code: bool = _switch("a missing key answers code invalid_api_key")
    accept_revoked_key: bool = _switch("a revoked key still works")
    accept_authorization_header: bool = _switch("a key in Authorization counts as X-Api-Key")
    invalid_key_wrong_status: bool = _switch("an invalid key answers 403 instead of 401")
    accept_key_with_extra_chars: bool = _switch(
        "whitespace, quotes, literal \\n and trailing junk are trimmed from the key"
    )
    # --- E.164, all phone fields ---
    e164_accept_missing_plus: bool = _switch("digits without + are accepted (and + is added)")
    e164_accept_leading_zero: bool = _switch("+0... is accepted")
    e164_accept_16_digits: bool = _switch("16 digits after + are accepted")
    e164_reject_short: bool = _switch("a 2-digit number (+12) is rejected")
    e164_accept_separators: bool = _switch("spaces, dashes, dots and brackets are stripped")
    invalid_phone_wrong_code: bool = _switch("invalid phones answer code validation_error")
    # --- E.164, one field each ---
    skip_e164_sender_phone: bool = _switch("sendMessage sender_phone is not checked for E.164")
    skip_e164_to_phone: bool = _switch("sendMessage to_phone is not checked for E.164")
    skip_e164_register_phone: bool = _switch("registerSenderNumber phone is not checked")
    skip_e164_lookup_phone: bool = _switch("lookupContact phone is not checked for E.164")
    skip_e164_lookup_sender_phone: bool = _switch("lookupContact sender_phone is not checked")
    # --- voice duration ---
    voice_accept_0: bool = _switch("duration 0 is accepted")
    voice_reject_1: bool = _switch("duration 1 is rejected")
    voice_reject_300: bool = _switch("duration 300 is rejected")
    voice_accept_301: bool = _switch("duration 301 is accepted")
    voice_accept_fraction: bool = _switch("a fractional duration (1.5) is accepted")
    voice_accept_missing_duration: bool = _switch("a voice message without duration is accepted")
    # --- sender selection ---
    exclusivity_accept_both: bool = _switch("sender_phone and sender_number_id together accepted")
    exclusivity_accept_neither: bool = _switch("no sender field: the first active sender is used")
    unknown_sender_accepted: bool = _switch("an unknown sender falls back to an active sender")
    # --- sender and account state ---
    send_from_pending_verification: bool = _switch("pending_verification senders can send")
    send_from_rejected: bool = _switch("rejected senders can send")
    send_from_suspended: bool = _switch("suspended senders can send")
    send_from_unverified_account: bool = _switch("pending_account_verification senders can send")
    not_active_wrong_message: bool = _switch("sender-not-active error has another message")
    account_unverified_wrong_message: bool = _switch("account-not-verified error has English text")
    new_sender_created_active: bool = _switch(
        "a registered sender skips OTP: active if its owner is verified"
    )
    registered_sender_not_listed: bool = _switch("senders registered via the API are not listed")
    sender_list_missing_verification_status: bool = _switch("the list omits verification_status")
    sender_list_wrong_status_value: bool = _switch("the list shows status values outside the enum")
    # --- recipients ---
    send_to_unreachable: bool = _switch("messages to a phone without account are accepted")
    send_to_unverified: bool = _switch("messages to an unverified phone are accepted")
    lookup_wrong_can_receive: bool = _switch("lookup says can_receive=false for reachable phones")
    lookup_reason_not_ok: bool = _switch("lookup reason_code is not 'ok' for reachable phones")
    lookup_missing_exists: bool = _switch("lookup omits exists")
    lookup_field_wrong_type: bool = _switch('lookup exists is the string "true"/"false"')
    # --- message bodies ---
    media_not_required: bool = _switch("image/voice/document without media are accepted")
    text_without_content_accepted: bool = _switch("a text message without content is accepted")
    # --- log and usage ---
    log_missing_field_sent_at: bool = _switch("log entries omit sent_at")
    log_missing_field_sender_number_id: bool = _switch("log entries omit sender_number_id")
    log_missing_field_message_type: bool = _switch("log entries omit message_type")
    log_sent_at_not_datetime: bool = _switch("log sent_at is not an RFC 3339 date-time")
    log_drops_message: bool = _switch("accepted messages never reach the log")
    usage_not_counting: bool = _switch("usage counters never increase")
    # --- errors ---
    error_not_json: bool = _switch("error bodies are text/plain")
    error_without_code: bool = _switch("error bodies have no code")
    error_message_field_named_error: bool = _switch("error text is in 'error', not 'message'")
    validation_wrong_status: bool = _switch("an invalid well-formed body answers 400, not 422")
    server_error_on_bad_json: bool = _switch("malformed JSON answers 500")
    # --- compatible: only what the docs leave open ---
    compat_extra_fields: bool = _switch("every body carries extra fields")
    compat_string_ids: bool = _switch('ids are strings such as "snd_12"')
    compat_id_offset: bool = _switch("ids the mock allocates start at 100000")
    compat_reverse_order: bool = _switch("lists are newest first")
    compat_charset: bool = _switch("content-type application/json; charset=utf-8")
    compat_own_wording: bool = _switch("own texts and codes where the docs give none")
    compat_envelope_data: bool = _switch('lists are wrapped as {"data": [...]}')
    compat_status_200: bool = _switch("successful POSTs answer 200 instead of 201")
    compat_extra_error_field: bool = _switch("error bodies also carry 'error'")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every switch name, in declaration order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def breaking_names(cls) -> tuple[str, ...]:
        """Switches that violate a documented rule: the suite must fail on each."""
        return tuple(n for n in cls.names() if not n.startswith(COMPATIBLE_PREFIX))

    @classmethod
    def compatible_names(cls) -> tuple[str, ...]:
        """Switches that change only what the docs leave open: the suite must pass on each."""
        return tuple(n for n in cls.names() if n.startswith(COMPATIBLE_PREFIX))

    @classmethod
    def describe(cls, name: str) -> str:
        """One line saying what the switch does."""
        for f in fields(cls):
            if f.name == name:
                return str(f.metadata["doc"])
        raise ValueError(f"unknown fault {name!r}")

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Faults:
        """Faults with exactly these switches on; an unknown name is a ValueError."""
        wanted = list(names)
        unknown = sorted(set(wanted) - set(cls.names()))
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(unknown)}")
        return replace(cls(), **dict.fromkeys(wanted, True))

    def enabled(self) -> tuple[str, ...]:
        """Names of the switches that are on."""
        return tuple(n for n in self.names() if getattr(self, n))

    def is_on(self, name: str) -> bool:
        """Whether the named switch is on (for rules keyed by operation or field)."""
        # The per-request path calls this: a dict lookup, not a scan of fields().
        if name not in self.__dataclass_fields__:
            raise ValueError(f"unknown fault {name!r}")
        return bool(getattr(self, name))
