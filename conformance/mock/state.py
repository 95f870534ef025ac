"""The tenant's data: keys, sender numbers, the TGO Connect directory, the message log and the
usage tallies, behind one lock. The rules over it are models.Backend's.
"""

from __future__ import annotations

import secrets
import string
import threading
from datetime import UTC, datetime

from conformance.mock.records import ApiKey, Contact, Message, Sender, Snapshot, Tally
from conformance.rules.values import Rules, load_rules

KEY_ALPHABET = string.ascii_letters + string.digits


def new_api_key(rules: Rules | None = None) -> str:
    """A fresh key in the documented format (trk_ and 32 random alphanumerics)."""
    rules = rules or load_rules()
    body = "".join(secrets.choice(KEY_ALPHABET) for _ in range(rules.key_body_length))
    return rules.key_prefix + body


def utc_now() -> datetime:
    return datetime.now(UTC)


class State:
    """The tenant's data. Every access goes through `lock` (the Backend takes it)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.keys: dict[str, ApiKey] = {}
        self.senders: dict[int, Sender] = {}
        self.contacts: dict[str, Contact] = {}
        self.messages: list[Message] = []
        self.usage: list[Tally] = []
        self.counters: dict[str, int] = {}
        # Fixture keys are random per State but stable across reset + seed, so a target config
        # printed once stays valid for the life of the process.
        self.fixture_secrets: dict[str, str] = {}

    def reset(self) -> None:
        """Forget everything except the fixture key material."""
        with self.lock:
            self.keys.clear()
            self.senders.clear()
            self.contacts.clear()
            self.messages.clear()
            self.usage.clear()
            self.counters.clear()

    def snapshot(self) -> Snapshot:
        with self.lock:
            return Snapshot(
                tuple(self.keys.values()),
                tuple(self.senders.values()),
                tuple(self.contacts.values()),
                tuple(self.messages),
                tuple(self.usage),
                tuple(sorted(self.counters.items())),
            )
