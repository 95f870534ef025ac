"""In-memory state of the TGO Business API server: accounts, keys, sender numbers, messages.

Everything lives in one process and one event loop. Handlers only mutate the store in
synchronous sections (no ``await`` between a check and the write that depends on it), so
concurrent requests cannot interleave half-done updates.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# --- vocabulary -------------------------------------------------------------------------------

SCOPE_ALL = "*"
SCOPE_SEND = "messages.send"
SCOPE_READ = "messages.read"
SCOPE_LOOKUP = "contacts.lookup"
SCOPE_USAGE = "usage.read"
KNOWN_SCOPES = frozenset({SCOPE_ALL, SCOPE_SEND, SCOPE_READ, SCOPE_LOOKUP, SCOPE_USAGE})

# Internal lifecycle states, as the world file names them.
STATE_ACTIVE = "active"
STATE_PENDING_OTP = "pending_verification"
STATE_PENDING_ACCOUNT = "pending_account_verification"
STATE_REJECTED = "rejected"
STATE_SUSPENDED = "suspended"
WORLD_STATES = frozenset(
    {STATE_ACTIVE, STATE_PENDING_OTP, STATE_PENDING_ACCOUNT, STATE_REJECTED, STATE_SUSPENDED}
)

# How each internal state shows in the API: (status, verification_status). See CHOICES.md.
STATE_PRESENTATION: dict[str, tuple[str, str]] = {
    STATE_ACTIVE: ("active", "verified"),
    STATE_PENDING_OTP: ("pending_verification", "pending_verification"),
    STATE_PENDING_ACCOUNT: ("active", "pending_account_verification"),
    STATE_REJECTED: ("rejected", "rejected"),
    STATE_SUSPENDED: ("suspended", "verified"),
}

MESSAGE_TYPES = ("text", "image", "voice", "document")

E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def is_e164(value: object) -> bool:
    return isinstance(value, str) and E164.fullmatch(value) is not None


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def key_digest(raw_key: str) -> bytes:
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).digest()


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiKey:
    account: str
    scopes: frozenset[str]
    revoked: bool

    def allows(self, *scopes: str) -> bool:
        """True if the key holds ``*`` or any of the given scopes."""
        return SCOPE_ALL in self.scopes or any(s in self.scopes for s in scopes)


@dataclass
class SenderNumber:
    id: int
    account: str
    phone: str
    display_name: str | None
    state: str
    created_at: datetime

    @property
    def can_send(self) -> bool:
        return self.state == STATE_ACTIVE

    def to_api(self) -> dict[str, Any]:
        status, verification_status = STATE_PRESENTATION[self.state]
        return {
            "id": self.id,
            "phone": self.phone,
            "display_name": self.display_name,
            "status": status,
            "verification_status": verification_status,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class MediaInfo:
    filename: str | None
    content_type: str | None
    size: int
    sha256: str

    def to_api(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass
class Message:
    id: str
    account: str
    sender_number_id: int
    sender_phone: str
    to_phone: str
    message_type: str
    content: str | None
    media: MediaInfo | None
    duration: int | None
    status: str
    sent_at: datetime

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sender_number_id": self.sender_number_id,
            "sender_phone": self.sender_phone,
            "to_phone": self.to_phone,
            "message_type": self.message_type,
            "content": self.content,
            "media": None if self.media is None else self.media.to_api(),
            "duration": self.duration,
            "status": self.status,
            "sent_at": iso(self.sent_at),
        }


@dataclass(frozen=True)
class Contact:
    """An entry of the TGO Connect directory (a consumer-app user)."""

    recipient_id: int
    phone: str
    phone_verified: bool
    account_verified: bool
    phone_verified_at: datetime | None


@dataclass
class Account:
    name: str
    senders: list[SenderNumber] = field(default_factory=list)  # creation order
    messages: list[Message] = field(default_factory=list)  # creation order

    def sender_by_phone(self, phone: str) -> SenderNumber | None:
        return next((s for s in self.senders if s.phone == phone), None)

    def sender_by_id(self, sender_id: int) -> SenderNumber | None:
        return next((s for s in self.senders if s.id == sender_id), None)


class WorldError(ValueError):
    """The world file is not usable."""


class Store:
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self._keys: dict[bytes, ApiKey] = {}
        self.directory: dict[str, Contact] = {}
        self._next_sender_id = 1

    # -- keys --
    def key_for(self, raw_key: str) -> ApiKey | None:
        key = self._keys.get(key_digest(raw_key))
        if key is None or key.revoked:
            return None
        return key

    # -- sender numbers --
    def add_sender(
        self, account: Account, phone: str, display_name: str | None, state: str
    ) -> SenderNumber:
        sender = SenderNumber(
            id=self._next_sender_id,
            account=account.name,
            phone=phone,
            display_name=display_name,
            state=state,
            created_at=utc_now(),
        )
        self._next_sender_id += 1
        account.senders.append(sender)
        return sender

    def all_sender_ids(self) -> dict[str, int]:
        return {s.phone: s.id for a in self.accounts.values() for s in a.senders}

    # -- messages --
    def add_message(self, account: Account, sender: SenderNumber, **fields: Any) -> Message:
        message = Message(
            id="msg_" + secrets.token_hex(12),
            account=account.name,
            sender_number_id=sender.id,
            sender_phone=sender.phone,
            status="sent",
            sent_at=utc_now(),
            **fields,
        )
        account.messages.append(message)
        return message

    # -- world loading --
    @classmethod
    def from_world_file(cls, path: Path) -> Store:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise WorldError(f"cannot read world file {path}: {exc}") from exc
        return cls.from_world(data)

    @classmethod
    def from_world(cls, data: Any) -> Store:
        store = cls()
        loaded_at = utc_now()
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), dict):
            raise WorldError("world must be an object with an 'accounts' object")
        for name, spec in data["accounts"].items():
            if not isinstance(spec, dict):
                raise WorldError(f"account {name!r} must be an object")
            account = Account(name=name)
            store.accounts[name] = account
            for key_spec in spec.get("keys") or []:
                raw = key_spec.get("key") if isinstance(key_spec, dict) else None
                scopes = key_spec.get("scopes") if isinstance(key_spec, dict) else None
                if not isinstance(raw, str) or not raw or not isinstance(scopes, list):
                    raise WorldError(f"account {name!r}: bad key entry {key_spec!r}")
                digest = key_digest(raw)
                if digest in store._keys:
                    raise WorldError(f"account {name!r}: duplicate API key")
                store._keys[digest] = ApiKey(
                    account=name,
                    scopes=frozenset(s for s in scopes if isinstance(s, str)),
                    revoked=bool(key_spec.get("revoked", False)),
                )
            for sn in spec.get("sender_numbers") or []:
                if not isinstance(sn, dict) or not is_e164(sn.get("phone")):
                    raise WorldError(f"account {name!r}: bad sender number {sn!r}")
                if sn.get("state") not in WORLD_STATES:
                    raise WorldError(f"account {name!r}: bad sender state {sn.get('state')!r}")
                display_name = sn.get("display_name")
                if display_name is not None and not isinstance(display_name, str):
                    raise WorldError(f"account {name!r}: bad display_name {display_name!r}")
                if account.sender_by_phone(sn["phone"]) is not None:
                    raise WorldError(f"account {name!r}: duplicate sender {sn['phone']}")
                sender = store.add_sender(account, sn["phone"], display_name, sn["state"])
                sender.created_at = loaded_at
        for index, entry in enumerate(data.get("tgo_connect") or [], start=1):
            if not isinstance(entry, dict) or not is_e164(entry.get("phone")):
                raise WorldError(f"bad tgo_connect entry {entry!r}")
            phone_verified = bool(entry.get("phone_verified", False))
            store.directory[entry["phone"]] = Contact(
                recipient_id=index,
                phone=entry["phone"],
                phone_verified=phone_verified,
                account_verified=bool(entry.get("account_verified", False)),
                phone_verified_at=loaded_at if phone_verified else None,
            )
        return store
