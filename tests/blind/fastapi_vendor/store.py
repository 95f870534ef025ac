"""In-memory, account-scoped state: accounts, API keys, sender numbers, the TGO Connect
directory, the message log and usage counters.

All mutations happen under one lock, so the store is safe whether it is called from the
event loop or from worker threads.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

E164 = re.compile(r"\+[1-9][0-9]{1,14}")

SCOPES = ("messages.send", "messages.read", "contacts.lookup", "usage.read")
MESSAGE_TYPES = ("text", "image", "voice", "document")
MESSAGE_STATUSES = ("queued", "delivered", "failed")

# Lifecycle state of a sender number (world file vocabulary) ->
# (status, verification_status) as shown by the API.
SENDER_STATES: dict[str, tuple[str, str]] = {
    "active": ("active", "verified"),
    "pending_verification": ("pending_verification", "pending_verification"),
    "pending_account_verification": ("active", "pending_account_verification"),
    "rejected": ("rejected", "rejected"),
    "suspended": ("suspended", "verified"),
}

# Reachability reason codes (contact lookup and delivery failures).
REASON_OK = "ok"
REASON_NO_ACCOUNT = "no_tgo_connect_account"
REASON_PHONE_NOT_VERIFIED = "phone_not_verified"
REASON_SENDER_NOT_READY = "sender_not_ready"


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_e164(value: object) -> bool:
    return isinstance(value, str) and E164.fullmatch(value) is not None


def _key_digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class WorldError(ValueError):
    """The world file is not valid."""


@dataclass
class SenderNumber:
    id: int
    phone: str
    display_name: str | None
    state: str
    created_at: datetime
    usage_by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(MESSAGE_STATUSES, 0)
    )
    usage_by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MESSAGE_TYPES, 0))

    @property
    def status(self) -> str:
        return SENDER_STATES[self.state][0]

    @property
    def verification_status(self) -> str:
        return SENDER_STATES[self.state][1]

    @property
    def can_send(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True)
class Contact:
    """An entry of the TGO Connect directory."""

    id: int
    phone: str
    phone_verified: bool
    account_verified: bool
    phone_verified_at: datetime | None

    @property
    def reason_code(self) -> str:
        return REASON_OK if self.phone_verified else REASON_PHONE_NOT_VERIFIED


@dataclass(frozen=True)
class Media:
    filename: str | None
    content_type: str | None
    size_bytes: int
    duration: int | None


@dataclass
class Message:
    id: str
    seq: int
    sender: SenderNumber
    to_phone: str
    message_type: str
    content: str | None
    media: Media | None
    sent_at: datetime
    status: str = "queued"
    failure_reason: str | None = None
    delivered_at: datetime | None = None


@dataclass
class Account:
    name: str
    senders: dict[int, SenderNumber] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    def sender_by_phone(self, phone: str) -> SenderNumber | None:
        return next((s for s in self.senders.values() if s.phone == phone), None)


@dataclass(frozen=True)
class ApiKey:
    account: Account
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes


class RegistrationError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[bytes, ApiKey] = {}
        self.accounts: dict[str, Account] = {}
        self._directory: dict[str, Contact] = {}
        self._sender_ids = itertools.count(1)
        self._message_seq = itertools.count(1)
        self._messages: dict[str, tuple[Account, Message]] = {}

    # ----------------------------------------------------------------- world loading

    @classmethod
    def from_world(cls, world: Any) -> Store:
        store = cls()
        loaded_at = utcnow()
        if not isinstance(world, dict):
            raise WorldError("world must be a JSON object")
        accounts = world.get("accounts")
        if not isinstance(accounts, dict):
            raise WorldError("world.accounts must be an object")
        for name, spec in accounts.items():
            store._load_account(name, spec, loaded_at)
        directory = world.get("tgo_connect", [])
        if not isinstance(directory, list):
            raise WorldError("world.tgo_connect must be a list")
        for index, entry in enumerate(directory, start=1):
            store._load_contact(index, entry, loaded_at)
        return store

    def _load_account(self, name: str, spec: Any, loaded_at: datetime) -> None:
        where = f"accounts[{name!r}]"
        if not isinstance(spec, dict):
            raise WorldError(f"{where} must be an object")
        account = Account(name=name)
        self.accounts[name] = account
        keys = spec.get("keys", [])
        if not isinstance(keys, list):
            raise WorldError(f"{where}.keys must be a list")
        for entry in keys:
            if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                raise WorldError(f"{where}.keys entries need a string 'key'")
            scopes = entry.get("scopes", [])
            if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
                raise WorldError(f"{where}.keys[].scopes must be a list of strings")
            digest = _key_digest(entry["key"])
            if digest in self._keys:
                raise WorldError(f"{where}: duplicate API key")
            if entry.get("revoked", False):
                continue  # a revoked key authenticates nothing
            self._keys[digest] = ApiKey(account=account, scopes=frozenset(scopes))
        senders = spec.get("sender_numbers", [])
        if not isinstance(senders, list):
            raise WorldError(f"{where}.sender_numbers must be a list")
        for entry in senders:
            if not isinstance(entry, dict) or not is_e164(entry.get("phone")):
                raise WorldError(f"{where}.sender_numbers entries need an E.164 'phone'")
            display_name = entry.get("display_name")
            if display_name is not None and not isinstance(display_name, str):
                raise WorldError(f"{where}.sender_numbers[].display_name must be a string")
            state = entry.get("state")
            if state not in SENDER_STATES:
                raise WorldError(f"{where}.sender_numbers[].state {state!r} is unknown")
            if account.sender_by_phone(entry["phone"]) is not None:
                raise WorldError(f"{where}: duplicate sender number {entry['phone']}")
            sender = SenderNumber(
                id=next(self._sender_ids),
                phone=entry["phone"],
                display_name=display_name,
                state=state,
                created_at=loaded_at,
            )
            account.senders[sender.id] = sender

    def _load_contact(self, index: int, entry: Any, loaded_at: datetime) -> None:
        if not isinstance(entry, dict) or not is_e164(entry.get("phone")):
            raise WorldError("tgo_connect entries need an E.164 'phone'")
        phone_verified = entry.get("phone_verified", False)
        account_verified = entry.get("account_verified", False)
        if not isinstance(phone_verified, bool) or not isinstance(account_verified, bool):
            raise WorldError("tgo_connect flags must be booleans")
        if entry["phone"] in self._directory:
            raise WorldError(f"tgo_connect: duplicate phone {entry['phone']}")
        self._directory[entry["phone"]] = Contact(
            id=index,
            phone=entry["phone"],
            phone_verified=phone_verified,
            account_verified=account_verified,
            phone_verified_at=loaded_at if phone_verified else None,
        )

    # ----------------------------------------------------------------- queries

    def authenticate(self, key: str) -> ApiKey | None:
        return self._keys.get(_key_digest(key))

    def sender_ids(self) -> dict[str, int]:
        return {s.phone: s.id for a in self.accounts.values() for s in a.senders.values()}

    def contact(self, phone: str) -> Contact | None:
        return self._directory.get(phone)

    def reachability(self, phone: str) -> str:
        contact = self._directory.get(phone)
        return REASON_NO_ACCOUNT if contact is None else contact.reason_code

    def list_senders(
        self, account: Account, after_id: int | None, limit: int
    ) -> tuple[list[SenderNumber], bool]:
        with self._lock:
            items = (s for s in account.senders.values() if after_id is None or s.id > after_id)
            return _take(items, limit)

    def find_sender(
        self, account: Account, *, phone: str | None = None, sender_id: int | None = None
    ) -> SenderNumber | None:
        with self._lock:
            if sender_id is not None:
                return account.senders.get(sender_id)
            return account.sender_by_phone(phone) if phone is not None else None

    def list_messages(
        self, account: Account, before_seq: int | None, limit: int
    ) -> tuple[list[Message], bool]:
        """The account's message log, newest first."""
        with self._lock:
            items = (
                m for m in reversed(account.messages) if before_seq is None or m.seq < before_seq
            )
            return _take(items, limit)

    # ----------------------------------------------------------------- commands

    def register_sender(
        self, account: Account, phone: str, display_name: str | None
    ) -> SenderNumber:
        with self._lock:
            if account.sender_by_phone(phone) is not None:
                raise RegistrationError("sender_number_exists")
            if phone not in self._directory:
                raise RegistrationError(REASON_NO_ACCOUNT)
            sender = SenderNumber(
                id=next(self._sender_ids),
                phone=phone,
                display_name=display_name,
                state="pending_verification",
                created_at=utcnow(),
            )
            account.senders[sender.id] = sender
            return sender

    def queue_message(
        self,
        account: Account,
        sender: SenderNumber,
        to_phone: str,
        message_type: str,
        content: str | None,
        media: Media | None,
    ) -> Message:
        with self._lock:
            message = Message(
                id=f"msg_{uuid.uuid4().hex}",
                seq=next(self._message_seq),
                sender=sender,
                to_phone=to_phone,
                message_type=message_type,
                content=content,
                media=media,
                sent_at=utcnow(),
            )
            account.messages.append(message)
            self._messages[message.id] = (account, message)
            sender.usage_by_status["queued"] += 1
            sender.usage_by_type[message_type] += 1
            return message

    def deliver(self, message_id: str) -> None:
        """Settle a queued message: delivered if the recipient is reachable, else failed."""
        with self._lock:
            found = self._messages.get(message_id)
            if found is None or found[1].status != "queued":
                return
            message = found[1]
            reason = (
                self.reachability(message.to_phone)
                if message.sender.can_send
                else REASON_SENDER_NOT_READY
            )
            message.sender.usage_by_status["queued"] -= 1
            if reason == REASON_OK:
                message.status = "delivered"
                message.delivered_at = utcnow()
            else:
                message.status = "failed"
                message.failure_reason = reason
            message.sender.usage_by_status[message.status] += 1

    def usage(self, account: Account, after_id: int | None, limit: int) -> tuple[list[Any], bool]:
        """Usage rows per sender number: (sender, by_status copy, by_type copy)."""
        with self._lock:
            items = (
                (s, dict(s.usage_by_status), dict(s.usage_by_type))
                for s in account.senders.values()
                if after_id is None or s.id > after_id
            )
            return _take(items, limit)


def _take(items: Iterable[Any], limit: int) -> tuple[list[Any], bool]:
    """First ``limit`` items, and whether there are more."""
    page = list(itertools.islice(items, limit + 1))
    return page[:limit], len(page) > limit
