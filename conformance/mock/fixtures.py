"""The seeded tenant (keys, senders in every state, recipients) and the target config for it.

Sender ids and phones are those of /work/shared/target-config.md's example. Keys are random per
State (never hard-coded) and survive reset + seed, so a printed config stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from conformance.mock import ids
from conformance.mock.faults import Faults
from conformance.mock.models import Backend, State, new_api_key
from conformance.mock.records import Contact, Sender, Standing

# name in [keys] -> scopes; "revoked" is a full key that is revoked right after issue.
KEY_SCOPES: dict[str, tuple[str, ...]] = {
    "full": ("*",),
    "messages_send": ("messages.send",),
    "messages_read": ("messages.read",),
    "contacts_lookup": ("contacts.lookup",),
    "usage_read": ("usage.read",),
    "revoked": ("*",),
}
# state -> (id, phone, display name, OTP confirmed, standing, owner's account verified)
SENDER_FIXTURES: dict[str, tuple[int, str, str, bool, Standing, bool]] = {
    "active": (12, "+201001187188", "Support", True, "good", True),
    "pending_verification": (13, "+201001187189", "Sales", False, "good", True),
    "pending_account_verification": (14, "+201001187190", "Billing", True, "good", False),
    "rejected": (15, "+201001187191", "Rejected line", False, "rejected", True),
    "suspended": (16, "+201001187192", "Suspended line", True, "suspended", True),
}
REACHABLE_PHONE = "+201010000000"
UNREACHABLE_PHONE = "+201010000001"
UNVERIFIED_PHONE = "+201010000002"
# The docs' lookup example: recipient 4821, phone verified 2025-01-10T08:00:00Z.
REACHABLE_ID = 4821
UNVERIFIED_ID = 4822
VERIFIED_AT = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
OWNER_IDS_FROM = 4900


def _masked(secret: str) -> str:
    return f"trk_…{secret[-4:]}"


@dataclass(frozen=True)
class SeededKeys:
    """The fixture keys (secrets: the repr shows only their last four characters)."""

    full: str = field(repr=False)
    messages_send: str = field(repr=False)
    messages_read: str = field(repr=False)
    contacts_lookup: str = field(repr=False)
    usage_read: str = field(repr=False)
    revoked: str = field(repr=False)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={_masked(v)}" for k, v in self.as_dict().items())
        return f"SeededKeys({shown})"


@dataclass(frozen=True)
class SeededSender:
    id: int
    phone: str


@dataclass(frozen=True)
class SeededSenders:
    active: SeededSender
    pending_verification: SeededSender
    pending_account_verification: SeededSender
    rejected: SeededSender
    suspended: SeededSender

    def as_dict(self) -> dict[str, SeededSender]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class SeededRecipients:
    reachable: str
    unreachable: str
    unverified: str

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Seeded:
    """What seed() created, for in-process use and for rendering the target config."""

    keys: SeededKeys
    senders: SeededSenders
    recipients: SeededRecipients

    def as_json(self) -> dict[str, object]:
        """Plain data (with the key secrets: for the local control plane only)."""
        return {
            "keys": self.keys.as_dict(),
            "senders": {
                k: {"id": s.id, "phone": s.phone} for k, s in self.senders.as_dict().items()
            },
            "recipients": self.recipients.as_dict(),
        }


def seed(state: State) -> Seeded:
    """Create (or restore) the fixtures in the state; other data is left as it is."""
    backend = Backend(state)
    with state.lock:
        secrets_by_name: dict[str, str] = {}
        for name, scopes in KEY_SCOPES.items():
            secret = state.fixture_secrets.get(name) or new_api_key()
            state.fixture_secrets[name] = secret
            backend.issue_key(scopes, secret)
            secrets_by_name[name] = secret
        backend.revoke_key(secrets_by_name["revoked"])
        seeded_senders: dict[str, SeededSender] = {}
        for offset, (name, spec) in enumerate(SENDER_FIXTURES.items()):
            number, phone, display_name, otp_confirmed, standing, owner_verified = spec
            backend.add_sender(Sender(number, phone, display_name, otp_confirmed, standing))
            owner = Contact(OWNER_IDS_FROM + offset, phone, VERIFIED_AT, owner_verified)
            backend.add_contact(owner)
            seeded_senders[name] = SeededSender(number, phone)
        backend.add_contact(Contact(REACHABLE_ID, REACHABLE_PHONE, VERIFIED_AT, True))
        backend.add_contact(Contact(UNVERIFIED_ID, UNVERIFIED_PHONE, None, False))
        state.contacts.pop(UNREACHABLE_PHONE, None)
    return Seeded(
        SeededKeys(**secrets_by_name),
        SeededSenders(**seeded_senders),
        SeededRecipients(REACHABLE_PHONE, UNREACHABLE_PHONE, UNVERIFIED_PHONE),
    )


def _toml_string(value: str) -> str:
    # Keys, phones and URLs are printable ASCII without quotes or backslashes; escape anyway.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_id(number: int, faults: Faults) -> str:
    wire = ids.encode("sender", number, faults)
    return str(wire) if isinstance(wire, int) else _toml_string(wire)


def target_config_toml(base_url: str, seeded: Seeded, *, faults: Faults | None = None) -> str:
    """A target config (target-config.md) describing the mock serving `seeded` at base_url.

    `faults` only matters for compat_string_ids: sender ids are then written as the mock shows
    them ("snd_12").
    """
    faults = faults or Faults()
    lines = [
        "# Target config for the bundled TGO Business mock (tgo-conformance mock).",
        "# The keys are random and valid only while this mock process runs.",
        f"base_url = {_toml_string(base_url)}",
        "timeout = 10.0",
        "rate_limit = 0.0",
        "allow_writes = true",
        "",
        "[keys]",
    ]
    lines += [f"{name} = {_toml_string(key)}" for name, key in seeded.keys.as_dict().items()]
    lines += ["", "[senders]"]
    for name, sender in seeded.senders.as_dict().items():
        ident = _toml_id(sender.id, faults)
        lines.append(f"{name} = {{ id = {ident}, phone = {_toml_string(sender.phone)} }}")
    lines += ["", "[recipients]"]
    lines += [f"{k} = {_toml_string(v)}" for k, v in seeded.recipients.as_dict().items()]
    return "\n".join(lines) + "\n"
