"""In-memory, account-scoped state, loaded fresh from a world file at start-up."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

SCOPES = ("messages.send", "messages.read", "contacts.lookup", "usage.read")
MESSAGE_TYPES = ("text", "image", "voice", "document")

# World state -> (status, verification_status) as the API shows it.
# The docs' list example shows a number whose OTP is done but whose TGO Connect account is
# not verified as status "active" + verification_status "pending_account_verification".
STATE_VIEW = {
    "active": ("active", "verified"),
    "pending_verification": ("pending_verification", "pending_verification"),
    "pending_account_verification": ("active", "pending_account_verification"),
    "rejected": ("rejected", "rejected"),
    "suspended": ("suspended", "verified"),
}


@dataclass(frozen=True)
class ApiKey:
    key: str
    account: str
    scopes: frozenset[str]
    revoked: bool

    def allows(self, scope: str) -> bool:
        return "*" in self.scopes or scope in self.scopes


@dataclass
class Account:
    """The authenticated principal (DRF's request.user)."""

    name: str
    is_authenticated: bool = True


@dataclass
class SenderNumber:
    id: int
    account: str
    phone: str
    display_name: str | None
    state: str

    @property
    def status(self) -> str:
        return STATE_VIEW[self.state][0]

    @property
    def verification_status(self) -> str:
        return STATE_VIEW[self.state][1]


@dataclass(frozen=True)
class Contact:
    recipient_id: int
    phone: str
    phone_verified: bool
    account_verified: bool


@dataclass
class Message:
    id: int
    account: str
    sender_number_id: int
    sender_phone: str
    to_phone: str
    message_type: str
    content: str | None
    duration: int | None
    media: dict | None
    status: str
    sent_at: datetime


@dataclass
class Store:
    accounts: dict[str, Account] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    directory: dict[str, Contact] = field(default_factory=dict)
    sender_numbers: dict[int, SenderNumber] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    lock: threading.RLock = field(default_factory=threading.RLock)
    _sender_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def from_world(cls, world: dict) -> Store:
        store = cls()
        for name, spec in (world.get("accounts") or {}).items():
            store.accounts[name] = Account(name=name)
            for k in spec.get("keys") or []:
                store.keys[k["key"]] = ApiKey(
                    key=k["key"],
                    account=name,
                    scopes=frozenset(k.get("scopes") or []),
                    revoked=bool(k.get("revoked", False)),
                )
            for n in spec.get("sender_numbers") or []:
                state = n.get("state", "pending_verification")
                if state not in STATE_VIEW:
                    raise ValueError(f"unknown sender number state {state!r}")
                store._add_sender(name, n["phone"], n.get("display_name"), state)
        for i, c in enumerate(world.get("tgo_connect") or [], start=1):
            store.directory[c["phone"]] = Contact(
                recipient_id=i,
                phone=c["phone"],
                phone_verified=bool(c.get("phone_verified", False)),
                account_verified=bool(c.get("account_verified", False)),
            )
        return store

    def _add_sender(self, account: str, phone: str, display_name, state: str) -> SenderNumber:
        sn = SenderNumber(next(self._sender_ids), account, phone, display_name, state)
        self.sender_numbers[sn.id] = sn
        return sn

    # ---- queries (callers hold the lock where consistency across calls matters) ----------
    def active_key(self, raw: str) -> ApiKey | None:
        key = self.keys.get(raw)
        if key is None or key.revoked:
            return None
        return key

    def senders_of(self, account: str) -> list[SenderNumber]:
        with self.lock:
            return sorted(
                (s for s in self.sender_numbers.values() if s.account == account),
                key=lambda s: s.id,
            )

    def sender_by_id(self, account: str, sender_id: int) -> SenderNumber | None:
        sn = self.sender_numbers.get(sender_id)
        return sn if sn is not None and sn.account == account else None

    def sender_by_phone(self, account: str, phone: str) -> SenderNumber | None:
        for sn in self.sender_numbers.values():
            if sn.account == account and sn.phone == phone:
                return sn
        return None

    def register_sender(self, account: str, phone: str, display_name) -> SenderNumber | None:
        """Create a pending_verification number; None if the account already has this phone."""
        with self.lock:
            if self.sender_by_phone(account, phone) is not None:
                return None
            return self._add_sender(account, phone, display_name, "pending_verification")

    def reachability(self, phone: str) -> tuple[Contact | None, str]:
        contact = self.directory.get(phone)
        if contact is None:
            return None, "no_account"
        if not contact.phone_verified:
            return contact, "phone_not_verified"
        return contact, "ok"

    def add_message(self, **fields) -> Message:
        with self.lock:
            msg = Message(
                id=next(self._message_ids), status="sent", sent_at=datetime.now(UTC), **fields
            )
            self.messages.append(msg)
            return msg

    def messages_of(self, account: str) -> list[Message]:
        """Newest first."""
        with self.lock:
            return [m for m in reversed(self.messages) if m.account == account]

    def usage_of(self, account: str) -> list[dict]:
        with self.lock:
            rows = {
                sn.id: {
                    "sender_number_id": sn.id,
                    "phone": sn.phone,
                    "display_name": sn.display_name,
                    "message_count": 0,
                    "by_type": dict.fromkeys(MESSAGE_TYPES, 0),
                }
                for sn in self.senders_of(account)
            }
            for m in self.messages:
                if m.account == account and m.sender_number_id in rows:
                    row = rows[m.sender_number_id]
                    row["message_count"] += 1
                    row["by_type"][m.message_type] += 1
            return [rows[k] for k in sorted(rows)]


_store: Store | None = None


def get_store() -> Store:
    if _store is None:
        raise RuntimeError("store not initialised")
    return _store


def init_store(world: dict) -> Store:
    global _store
    _store = Store.from_world(world)
    return _store
