"""The records the mock keeps: immutable values that the State replaces, never mutates.

Immutability is what makes State.snapshot() a cheap, exact "did anything change" test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# A word of the contract's SenderStatus enum (Rules.sender_statuses), which is its one list:
# tests/test_rule_homes.py shows the seeded tenant's senders in every status the enum names.
SenderStatus = str
Standing = Literal["good", "rejected", "suspended"]
RecipientState = Literal["reachable", "unverified", "unreachable"]

# The organisations the mock serves: the one the target config describes, and the second one
# of its [other_account] (tenant isolation). Every key, sender number, message and tally
# belongs to one; TGO Connect's directory (contacts) belongs to none.
PRIMARY_ACCOUNT = "acme"
OTHER_ACCOUNT = "globex"


@dataclass(frozen=True)
class ApiKey:
    secret: str = field(repr=False)
    scopes: frozenset[str]
    revoked: bool = False
    account: str = PRIMARY_ACCOUNT

    def grants(self, scope: str, full_access: str) -> bool:
        return full_access in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class Contact:
    """A TGO Connect account: reachable when its phone is verified; may own a sender number."""

    id: int
    phone: str
    phone_verified_at: datetime | None
    account_verified: bool

    @property
    def can_receive(self) -> bool:
        return self.phone_verified_at is not None


@dataclass(frozen=True)
class Sender:
    id: int
    phone: str
    display_name: str | None
    otp_confirmed: bool
    standing: Standing = "good"
    registered_via_api: bool = False
    account: str = PRIMARY_ACCOUNT


@dataclass(frozen=True)
class SenderInfo:
    """A sender number with its derived status, as the API shows it."""

    id: int
    phone: str
    display_name: str | None
    status: SenderStatus
    verification_status: str | None


@dataclass(frozen=True)
class Message:
    id: int
    sender_number_id: int
    sender_phone: str
    to_phone: str
    message_type: str
    content: str | None
    media_filename: str | None
    duration: int | float | None
    status: str  # the status it settles in (delivery.py shows it at the time of reading)
    sent_at: datetime  # when it was accepted
    account: str = PRIMARY_ACCOUNT


@dataclass(frozen=True)
class Lookup:
    exists: bool
    can_receive: bool
    reason_code: str
    recipient_id: int | None
    is_verified: bool
    phone_verified_at: datetime | None


@dataclass(frozen=True)
class Tally:
    """One accepted message, as usage counts it."""

    sender_number_id: int
    message_type: str
    at: datetime
    account: str = PRIMARY_ACCOUNT


@dataclass(frozen=True)
class UsageEntry:
    """One group of usage: a sender number's (None: a message type's, usage_grouped_by_type)."""

    sender_number_id: int | None
    sender_phone: str | None
    message_count: int
    by_type: tuple[tuple[str, int], ...] = ()  # every message type with its count
    message_type: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """Everything a request can change, comparable with ==."""

    keys: tuple[ApiKey, ...]
    senders: tuple[Sender, ...]
    contacts: tuple[Contact, ...]
    messages: tuple[Message, ...]
    usage: tuple[Tally, ...]
    counters: tuple[tuple[str, int], ...]
