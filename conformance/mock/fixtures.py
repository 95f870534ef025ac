"""The seeded tenant (keys, senders in every state, recipients) and the target config for it.

Sender ids and phones are those of /work/shared/target-config.md's example. Keys are random per
State (never hard-coded) and survive reset + seed, so a printed config stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from conformance.config import OtherAccount, TargetConfig
from conformance.config import Sender as ConfigSender
from conformance.config.model import OTHER_ACCOUNT as OTHER_ACCOUNT_TABLE
from conformance.mock import ids
from conformance.mock.behaviour import Behaviour
from conformance.mock.delivery import DELIVERED
from conformance.mock.models import Backend, State, new_api_key
from conformance.mock.records import OTHER_ACCOUNT, Contact, Message, Sender, Standing, Tally
from conformance.redact import mask_key
from conformance.rules.values import Rules, scope_key_name


def key_scopes(rules: Rules) -> dict[str, tuple[str, ...]]:
    """[keys] entry -> the scopes of the key seeded for it; "revoked" is a full-access key
    revoked right after it is issued."""
    full = (rules.full_access_scope,)
    single = {scope_key_name(s): (s,) for s in rules.scoped_operations.values()}
    return {"full": full, **single, "revoked": full}


# state -> (id, phone, display name, OTP confirmed, standing, owner's account verified)
SENDER_FIXTURES: dict[str, tuple[int, str, str, bool, Standing, bool]] = {
    "active": (12, "+201001187188", "Support", True, "good", True),
    "pending_verification": (13, "+201001187189", "Sales", False, "good", True),
    "pending_account_verification": (14, "+201001187190", "Billing", True, "good", False),
    "rejected": (15, "+201001187191", "Rejected line", False, "rejected", True),
    "suspended": (16, "+201001187192", "Suspended line", True, "suspended", True),
}
# The second organisation ([other_account]): an active sender of its own, and one message in
# its log, so that a log or a usage that leaks across accounts has something to leak.
OTHER_SENDER: tuple[int, str, str] = (17, "+201001187193", "Globex support")
OTHER_MESSAGE_CONTENT = "globex: a message of the other account"
OTHER_KEY_NAME = OTHER_ACCOUNT_TABLE  # the fixture secret's name, as the config names the key
REACHABLE_PHONE = "+201010000000"
UNREACHABLE_PHONE = "+201010000001"
UNVERIFIED_PHONE = "+201010000002"
# The docs' lookup example: recipient 4821, phone verified 2025-01-10T08:00:00Z.
REACHABLE_ID = 4821
UNVERIFIED_ID = 4822
VERIFIED_AT = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
OWNER_IDS_FROM = 4900


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
        shown = ", ".join(f"{k}={mask_key(v)}" for k, v in self.as_dict().items())
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
class SeededOtherAccount:
    key: str = field(repr=False)
    sender: SeededSender

    def __repr__(self) -> str:
        return f"SeededOtherAccount(key={mask_key(self.key)}, sender={self.sender!r})"


@dataclass(frozen=True)
class Seeded:
    """What seed() created, for in-process use and for rendering the target config."""

    keys: SeededKeys
    senders: SeededSenders
    recipients: SeededRecipients
    other_account: SeededOtherAccount

    def as_json(self) -> dict[str, object]:
        """Plain data (with the key secrets: for the local control plane only)."""
        other = self.other_account
        return {
            "keys": self.keys.as_dict(),
            "senders": {
                k: {"id": s.id, "phone": s.phone} for k, s in self.senders.as_dict().items()
            },
            "recipients": self.recipients.as_dict(),
            OTHER_ACCOUNT_TABLE: {
                "key": other.key,
                "sender": {"id": other.sender.id, "phone": other.sender.phone},
            },
        }


def seed(state: State) -> Seeded:
    """Create (or restore) the fixtures in the state; other data is left as it is."""
    backend = Backend(state)
    with state.lock:
        secrets_by_name: dict[str, str] = {}
        for name, scopes in key_scopes(backend.rules).items():
            secret = state.fixture_secrets.get(name) or new_api_key(backend.rules)
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
        other = _seed_other_account(state, backend)
    return Seeded(
        SeededKeys(**secrets_by_name),
        SeededSenders(**seeded_senders),
        SeededRecipients(REACHABLE_PHONE, UNREACHABLE_PHONE, UNVERIFIED_PHONE),
        other,
    )


def _seed_other_account(state: State, backend: Backend) -> SeededOtherAccount:
    secret = state.fixture_secrets.get(OTHER_KEY_NAME) or new_api_key(backend.rules)
    state.fixture_secrets[OTHER_KEY_NAME] = secret
    backend.issue_key((backend.rules.full_access_scope,), secret, account=OTHER_ACCOUNT)
    number, phone, display_name = OTHER_SENDER
    backend.add_sender(Sender(number, phone, display_name, True, "good", account=OTHER_ACCOUNT))
    backend.add_contact(Contact(OWNER_IDS_FROM + len(SENDER_FIXTURES), phone, VERIFIED_AT, True))
    if not any(m.account == OTHER_ACCOUNT for m in state.messages):
        message = Message(
            id=backend.allocate("message"),
            sender_number_id=number,
            sender_phone=phone,
            to_phone=REACHABLE_PHONE,
            message_type="text",
            content=OTHER_MESSAGE_CONTENT,
            media_filename=None,
            duration=None,
            status=DELIVERED,
            sent_at=VERIFIED_AT,
            account=OTHER_ACCOUNT,
        )
        state.messages.append(message)
        state.usage.append(Tally(number, "text", VERIFIED_AT, OTHER_ACCOUNT))
    return SeededOtherAccount(secret, SeededSender(number, phone))


def target_config(
    base_url: str, seeded: Seeded, behaviour: Behaviour | None = None
) -> TargetConfig:
    """The target config (docs/target-config.md) describing the mock serving `seeded`.

    Sender ids are written as the mock shows them (compat_string_ids: "snd_12")."""
    style = (behaviour or Behaviour()).choices.id_style
    return TargetConfig(
        base_url=base_url,
        timeout=10.0,
        rate_limit=0.0,
        allow_writes=True,
        keys=seeded.keys.as_dict(),
        senders={
            name: ConfigSender(id=ids.encode("sender", sender.id, style), phone=sender.phone)
            for name, sender in seeded.senders.as_dict().items()
        },
        recipients=seeded.recipients.as_dict(),
        other_account=OtherAccount(
            key=seeded.other_account.key,
            sender=ConfigSender(
                id=ids.encode("sender", seeded.other_account.sender.id, style),
                phone=seeded.other_account.sender.phone,
            ),
        ),
        source="<embedded mock>",
    )


CONFIG_HEADER = (
    "Target config for the bundled TGO Business mock (tgo-conformance mock).\n"
    "The keys are random and valid only while this mock process runs."
)
