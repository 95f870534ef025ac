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
Paging = Literal["links.next", "next_page_url", "next", "link_header"]
IdStyle = Literal["int", "prefixed"]


@dataclass(frozen=True)
class Choices:
    """The mock's answers where the docs are silent or vague. Every value here is one reading;
    the readings register (openapi/readings.yaml) lists the others, and the compatible variants
    take them."""

    list_envelope: ListEnvelope = "bare"
    page_size: int | None = None  # None: a list comes whole
    paging: Paging = "links.next"  # how the next page is announced, when lists page
    newest_first: bool = False
    id_style: IdStyle = "int"
    id_base: int | None = None  # where allocated ids start (None: the mock's own bases)
    charset: bool = False  # application/json; charset=utf-8
    extra_fields: bool = False  # bodies carry fields the docs do not name
    error_also_in_error: bool = False  # error bodies repeat the text under "error"
    own_wording: bool = False  # own texts and codes where the docs give none
    created_status: int = 201  # an accepted registration or message


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
        "accept_fractional_duration",
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
        "error_without_code",
        "error_text_in_error",
        "server_error_on_bad_json",
    }
)
