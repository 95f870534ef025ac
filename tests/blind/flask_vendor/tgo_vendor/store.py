"""In-memory, thread-safe state of the TGO Business API server.

Everything is loaded from a world file at start-up and lives only in memory.
Every public method takes the store lock, so request threads always see a
consistent snapshot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MESSAGE_TYPES = ("text", "image", "voice", "document")

# Internal sender number states (the world file's vocabulary).
SENDER_STATES = (
    "active",
    "pending_verification",
    "pending_account_verification",
    "rejected",
    "suspended",
)


def utc_now() -> str:
    """RFC 3339 timestamp in UTC without fractional seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WorldError(ValueError):
    """The world file does not describe a valid initial state."""


@dataclass(frozen=True)
class ApiKey:
    key: str
    account: str
    scopes: frozenset[str]
    revoked: bool

    def allows(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class Contact:
    """An entry of the TGO Connect directory (a consumer-app user)."""

    id: int
    phone: str
    phone_verified: bool
    account_verified: bool


@dataclass
class SenderNumber:
    id: int
    account: str
    phone: str
    display_name: str | None
    state: str


@dataclass(frozen=True)
class Message:
    id: int
    account: str
    sender_number_id: int
    to_phone: str
    message_type: str
    content: str | None
    media: dict[str, Any] | None
    duration: int | None
    status: str
    sent_at: str


@dataclass
class Account:
    name: str
    sender_numbers: list[SenderNumber] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


class SendRefused(Exception):
    """A send that is well-formed but cannot be carried out."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class Store:
    def __init__(self, world: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self._keys: dict[str, ApiKey] = {}
        self._contacts: dict[str, Contact] = {}
        self._next_sender_id = 1
        self._next_message_id = 1
        # The directory is known from the moment the server loaded it.
        self.loaded_at = utc_now()
        self._load(world)

    # ------------------------------------------------------------------ loading

    def _load(self, world: Any) -> None:
        if not isinstance(world, dict):
            raise WorldError("world must be a JSON object")
        accounts = world.get("accounts")
        if not isinstance(accounts, dict):
            raise WorldError("world.accounts must be an object")
        directory = world.get("tgo_connect", [])
        if not isinstance(directory, list):
            raise WorldError("world.tgo_connect must be an array")

        for index, entry in enumerate(directory, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("phone"), str):
                raise WorldError(f"tgo_connect[{index - 1}] needs a phone")
            self._contacts[entry["phone"]] = Contact(
                id=index,
                phone=entry["phone"],
                phone_verified=bool(entry.get("phone_verified", False)),
                account_verified=bool(entry.get("account_verified", False)),
            )

        for name, spec in accounts.items():
            if not isinstance(spec, dict):
                raise WorldError(f"account {name!r} must be an object")
            account = Account(name=name)
            self._accounts[name] = account
            for key_spec in spec.get("keys", []):
                key = key_spec.get("key") if isinstance(key_spec, dict) else None
                scopes = key_spec.get("scopes", []) if isinstance(key_spec, dict) else None
                if not isinstance(key, str) or not key or not isinstance(scopes, list):
                    raise WorldError(f"account {name!r} has a malformed key")
                if key in self._keys:
                    raise WorldError(f"key {key!r} is used twice")
                self._keys[key] = ApiKey(
                    key=key,
                    account=name,
                    scopes=frozenset(s for s in scopes if isinstance(s, str)),
                    revoked=bool(key_spec.get("revoked", False)),
                )
            for number in spec.get("sender_numbers", []):
                if not isinstance(number, dict) or not isinstance(number.get("phone"), str):
                    raise WorldError(f"account {name!r} has a malformed sender number")
                state = number.get("state", "pending_verification")
                if state not in SENDER_STATES:
                    raise WorldError(f"unknown sender number state {state!r}")
                display_name = number.get("display_name")
                if display_name is not None and not isinstance(display_name, str):
                    raise WorldError("display_name must be a string or null")
                account.sender_numbers.append(
                    SenderNumber(
                        id=self._take_sender_id(),
                        account=name,
                        phone=number["phone"],
                        display_name=display_name,
                        state=state,
                    )
                )

    def _take_sender_id(self) -> int:
        sender_id = self._next_sender_id
        self._next_sender_id += 1
        return sender_id

    # --------------------------------------------------------------- look-ups

    def api_key(self, key: str) -> ApiKey | None:
        """The active (not revoked) key with this exact value, if any."""
        found = self._keys.get(key)
        if found is None or found.revoked:
            return None
        return found

    def sender_ids(self) -> dict[str, int]:
        with self._lock:
            return {
                number.phone: number.id
                for account in self._accounts.values()
                for number in account.sender_numbers
            }

    def _contact(self, phone: str) -> Contact | None:
        return self._contacts.get(phone)

    def contact(self, phone: str) -> Contact | None:
        return self._contact(phone)

    def _find_sender(
        self, account: str, *, phone: str | None = None, sender_id: int | None = None
    ) -> SenderNumber | None:
        for number in self._accounts[account].sender_numbers:
            if phone is not None and number.phone == phone:
                return number
            if sender_id is not None and number.id == sender_id:
                return number
        return None

    def find_sender(
        self, account: str, *, phone: str | None = None, sender_id: int | None = None
    ) -> dict[str, Any] | None:
        with self._lock:
            number = self._find_sender(account, phone=phone, sender_id=sender_id)
            return None if number is None else self._sender_view(number)

    # --------------------------------------------------------- sender numbers

    def verification_status(self, number: SenderNumber) -> str:
        if number.state == "active":
            return "verified"
        if number.state in ("pending_verification", "pending_account_verification", "rejected"):
            return number.state
        # suspended: the OTP step was done; the account step follows TGO Connect.
        owner = self._contact(number.phone)
        if owner is not None and owner.account_verified:
            return "verified"
        return "pending_account_verification"

    def _sender_view(self, number: SenderNumber) -> dict[str, Any]:
        return {
            "id": number.id,
            "phone": number.phone,
            "display_name": number.display_name,
            "status": number.state,
            "verification_status": self.verification_status(number),
        }

    def list_senders(self, account: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self._sender_view(n) for n in self._accounts[account].sender_numbers]

    def register_sender(
        self, account: str, phone: str, display_name: str | None
    ) -> tuple[str, dict[str, Any] | None]:
        """Returns ("created", view), ("duplicate", None) or ("no_owner", None)."""
        with self._lock:
            if self._find_sender(account, phone=phone) is not None:
                return "duplicate", None
            if self._contact(phone) is None:
                return "no_owner", None
            number = SenderNumber(
                id=self._take_sender_id(),
                account=account,
                phone=phone,
                display_name=display_name,
                state="pending_verification",
            )
            self._accounts[account].sender_numbers.append(number)
            return "created", self._sender_view(number)

    # ------------------------------------------------------------ reachability

    @staticmethod
    def recipient_reason(contact: Contact | None) -> str:
        if contact is None:
            return "not_on_tgo_connect"
        if not contact.phone_verified:
            return "phone_not_verified"
        return "ok"

    def sender_reason(self, number: SenderNumber) -> str:
        if number.state == "active":
            return "ok"
        if number.state == "pending_account_verification":
            return "sender_account_not_verified"
        return "sender_not_active"

    def lookup(self, account: str, phone: str, sender_id: int | None) -> dict[str, Any]:
        with self._lock:
            contact = self._contact(phone)
            reason = self.recipient_reason(contact)
            if reason == "ok" and sender_id is not None:
                number = self._find_sender(account, sender_id=sender_id)
                if number is not None:
                    reason = self.sender_reason(number)
            verified = contact is not None and contact.phone_verified
            return {
                "phone": phone,
                "exists": contact is not None,
                "can_receive": reason == "ok",
                "reason_code": reason,
                "recipient_id": None if contact is None else contact.id,
                "is_verified": contact is not None and contact.account_verified,
                "phone_verified_at": self.loaded_at if verified else None,
            }

    # --------------------------------------------------------------- messages

    @staticmethod
    def _message_view(message: Message) -> dict[str, Any]:
        return {
            "id": message.id,
            "sender_number_id": message.sender_number_id,
            "to_phone": message.to_phone,
            "message_type": message.message_type,
            "content": message.content,
            "media": message.media,
            "duration": message.duration,
            "status": message.status,
            "sent_at": message.sent_at,
        }

    def send(
        self,
        account: str,
        *,
        sender_phone: str | None,
        sender_id: int | None,
        to_phone: str,
        message_type: str,
        content: str | None,
        media: dict[str, Any] | None,
        duration: int | None,
    ) -> dict[str, Any]:
        """Record a sent message, or raise SendRefused."""
        with self._lock:
            number = self._find_sender(account, phone=sender_phone, sender_id=sender_id)
            if number is None:
                raise SendRefused("sender_not_found")
            sender_reason = self.sender_reason(number)
            if sender_reason != "ok":
                raise SendRefused(sender_reason)
            recipient_reason = self.recipient_reason(self._contact(to_phone))
            if recipient_reason != "ok":
                raise SendRefused("recipient_unreachable", recipient_reason)
            message = Message(
                id=self._next_message_id,
                account=account,
                sender_number_id=number.id,
                to_phone=to_phone,
                message_type=message_type,
                content=content,
                media=media,
                duration=duration,
                status="sent",
                sent_at=utc_now(),
            )
            self._next_message_id += 1
            self._accounts[account].messages.append(message)
            return self._message_view(message)

    def list_messages(self, account: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self._message_view(m) for m in self._accounts[account].messages]

    def usage(self, account: str) -> list[dict[str, Any]]:
        with self._lock:
            acct = self._accounts[account]
            rows = []
            for number in acct.sender_numbers:
                by_type = dict.fromkeys(MESSAGE_TYPES, 0)
                for message in acct.messages:
                    if message.sender_number_id == number.id:
                        by_type[message.message_type] += 1
                rows.append(
                    {
                        "sender_number_id": number.id,
                        "phone": number.phone,
                        "display_name": number.display_name,
                        "total_messages": sum(by_type.values()),
                        "by_type": by_type,
                    }
                )
            return rows
