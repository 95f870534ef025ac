"""The rules of the mock TGO Business tenant over its State (state.py). Knows nothing of HTTP.

`Backend` applies the documented rules to it: authentication and scopes (access.py), sender
life cycle, recipient reachability, sending, log and usage. Hooks and choices are read here,
inside the rule they bend; delivery.py decides what becomes of a message once its sender
passed. State and
new_api_key are re-exported from state.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from conformance.mock.access import Access
from conformance.mock.behaviour import Behaviour
from conformance.mock.delivery import Delivery
from conformance.mock.errors import (
    AccountNotVerified,
    ForeignSender,
    NoConnectAccount,
    NotFound,
    SenderExists,
    SenderNotActive,
    SenderNotFound,
    ValidationError,
)
from conformance.mock.records import (
    PRIMARY_ACCOUNT,
    ApiKey,
    Contact,
    Lookup,
    Message,
    RecipientState,
    Sender,
    SenderInfo,
    SenderStatus,
    Standing,
    Tally,
    UsageEntry,
)
from conformance.mock.state import State as State
from conformance.mock.state import new_api_key as new_api_key
from conformance.mock.state import utc_now
from conformance.mock.validation import (
    LookupQuery,
    RegisterCommand,
    SendCommand,
    SenderRef,
)
from conformance.rules.values import Rules

# Where the mock's own id counters start (choices.id_base moves them all).
ID_BASES = {"sender": 100, "message": 1, "recipient": 5000}


def known_scopes(rules: Rules) -> frozenset[str]:
    """Every scope the contract names, plus full access ("*")."""
    named = {scope for scope in rules.scopes.values() if scope}
    return frozenset({rules.full_access_scope, *named})


class Backend:
    """The rules of the API over a State, as one behaviour enforces them."""

    def __init__(self, state: State, behaviour: Behaviour | None = None) -> None:
        self.state = state
        self.behaviour = behaviour or Behaviour()
        self.rules = self.behaviour.rules
        self.choices = self.behaviour.choices
        self.hook = self.behaviour.hook
        self.delivery = Delivery(self.behaviour)
        self.access = Access(state, self.behaviour)

    @contextmanager
    def _locked(self) -> Iterator[State]:
        with self.state.lock:
            yield self.state

    # --- authentication and scopes (access.py) ---

    def authorize(
        self, operation_id: str, api_keys: Sequence[str], authorization: str | None = None
    ) -> str:
        """401 unless exactly one active key is given in X-Api-Key; 403 without the scope.
        The account the key belongs to: what the request may see and use."""
        return self.access.authorize(operation_id, api_keys, authorization)

    # --- keys (control plane and fixtures) ---

    def issue_key(
        self, scopes: Sequence[str], secret: str | None = None, account: str = PRIMARY_ACCOUNT
    ) -> str:
        """Create an active key with these scopes; 422 for a scope the contract does not name."""
        unknown = sorted(set(scopes) - known_scopes(self.rules))
        if unknown or not scopes:
            raise ValidationError(f"unknown or no scopes: {', '.join(unknown)}")
        key = ApiKey(secret or new_api_key(self.rules), frozenset(scopes), account=account)
        with self._locked() as state:
            state.keys[key.secret] = key
        return key.secret

    def revoke_key(self, secret: str) -> None:
        with self._locked() as state:
            key = state.keys.get(secret)
            if key is None:
                raise NotFound("API key not found")
            state.keys[secret] = replace(key, revoked=True)

    # --- sender numbers ---

    def register(
        self, command: RegisterCommand, account: str = PRIMARY_ACCOUNT
    ) -> tuple[SenderInfo, bool]:
        """A new sender starts in pending_verification until its OTP is confirmed; with it,
        whether it is new (READ-009: a phone already registered may answer the existing one).
        A phone another account holds is refused, or registered anew for this account
        (READ-047); it never changes the other account's sender."""
        with self._locked() as state:
            existing = self._sender_with_phone(command.phone, account)
            foreign = None if existing else self._sender_with_phone(command.phone, None)
            if foreign is not None:
                if self.hook("registration_takes_over"):
                    taken = replace(foreign, account=account, otp_confirmed=False)
                    state.senders[foreign.id] = taken
                    return self._info(taken), True
                if self.choices.foreign_phone_registration == "refuse":
                    raise SenderExists()
            if existing is not None:
                if self.choices.duplicate_registration == "return_existing":
                    return self._info(existing), False
                raise SenderExists()
            if self.choices.register_needs_account and command.phone not in state.contacts:
                raise NoConnectAccount()  # READ-010: no account to receive the OTP
            sender = Sender(
                id=self.allocate("sender", taken=state.senders.keys()),
                phone=command.phone,
                display_name=command.display_name,
                otp_confirmed=self.hook("new_sender_created_active"),
                registered_via_api=True,
                account=account,
            )
            state.senders[sender.id] = sender
            return self._info(sender), True

    def add_sender(self, sender: Sender) -> SenderInfo:
        """Store a sender as given (fixtures)."""
        with self._locked() as state:
            state.senders[sender.id] = sender
            return self._info(sender)

    def list_senders(self, account: str = PRIMARY_ACCOUNT) -> list[SenderInfo]:
        with self._locked() as state:
            return [
                self._info(s)
                for s in sorted(state.senders.values(), key=lambda s: s.id)
                if (s.account == account or self.hook("foreign_senders_listed"))
                and not (s.registered_via_api and self.hook("registered_sender_not_listed"))
            ]

    def confirm_otp(self, sender_id: int) -> SenderInfo:
        """OTP entered: active if the owner's account is verified, else awaiting that."""
        return self._update_sender(sender_id, otp_confirmed=True)

    def reject(self, sender_id: int) -> SenderInfo:
        return self._update_sender(sender_id, standing="rejected")

    def suspend(self, sender_id: int) -> SenderInfo:
        return self._update_sender(sender_id, standing="suspended")

    def _update_sender(
        self, sender_id: int, *, otp_confirmed: bool | None = None, standing: Standing | None = None
    ) -> SenderInfo:
        with self._locked() as state:
            sender = state.senders.get(sender_id)
            if sender is None:
                raise SenderNotFound()
            sender = replace(
                sender,
                otp_confirmed=sender.otp_confirmed if otp_confirmed is None else otp_confirmed,
                standing=sender.standing if standing is None else standing,
            )
            state.senders[sender_id] = sender
            return self._info(sender)

    def _account_verified(self, sender: Sender) -> bool:
        owner = self.state.contacts.get(sender.phone)
        return owner is not None and owner.account_verified

    def _status(self, sender: Sender) -> SenderStatus:
        """The sender's state, which decides whether it may send."""
        if sender.standing != "good":
            return sender.standing
        if not sender.otp_confirmed:
            return "pending_verification"
        return "active" if self._account_verified(sender) else "pending_account_verification"

    def _info(self, sender: Sender) -> SenderInfo:
        """The sender as the API shows it."""
        status = self._status(sender)
        verification: str | None = None
        if sender.otp_confirmed:
            verified = self._account_verified(sender)
            verification = "verified" if verified else "pending_account_verification"
        if status == "pending_account_verification" and self.hook("pending_account_shown_active"):
            return SenderInfo(sender.id, sender.phone, sender.display_name, "active", "verified")
        if status == "pending_account_verification" and (
            self.choices.pending_account_in == "verification_status"
        ):
            status = "active"  # READ-023: as account-verification.txt's example shows it
        return SenderInfo(sender.id, sender.phone, sender.display_name, status, verification)

    # --- the TGO Connect directory (control plane and fixtures) ---

    def set_account_verified(self, phone: str, verified: bool) -> None:
        """Verify or un-verify the TGO Connect account that owns this phone."""
        with self._locked() as state:
            contact = state.contacts.get(phone) or self._new_contact(phone, utc_now())
            state.contacts[phone] = replace(contact, account_verified=verified)

    def set_recipient(
        self, phone: str, recipient: RecipientState, *, contact_id: int | None = None
    ) -> Lookup:
        """Make the phone reachable, unverified (account, phone not verified) or unreachable."""
        with self._locked() as state:
            if recipient == "unreachable":
                state.contacts.pop(phone, None)
            else:
                contact = state.contacts.get(phone) or self._new_contact(phone, None, contact_id)
                verified_at = contact.phone_verified_at or utc_now()
                state.contacts[phone] = replace(
                    contact, phone_verified_at=verified_at if recipient == "reachable" else None
                )
        return self.lookup(LookupQuery(phone, None))

    def add_contact(self, contact: Contact) -> None:
        """Store a contact as given (fixtures)."""
        with self._locked() as state:
            state.contacts[contact.phone] = contact

    def _new_contact(
        self, phone: str, verified_at: datetime | None, contact_id: int | None = None
    ) -> Contact:
        taken = {c.id for c in self.state.contacts.values()}
        number = contact_id or self.allocate("recipient", taken=taken)
        return Contact(number, phone, verified_at, account_verified=False)

    def lookup(self, query: LookupQuery, account: str = PRIMARY_ACCOUNT) -> Lookup:
        """Whether the phone has a TGO Connect account and can receive messages."""
        with self._locked() as state:
            contact = state.contacts.get(query.phone)
            named = query.sender_phone
            if self.choices.lookup_sender_must_exist and not self._is_sender(named, account):
                raise SenderNotFound()  # READ-025
        if contact is None:
            # lookup_exists_for_any_number: exists read as "the number is well-formed"
            exists = self.hook("lookup_exists_for_any_number")
            return Lookup(exists, False, "not_found", None, False, None)
        # lookup_unverified_can_receive: the account is asked about, not its phone
        reachable = contact.can_receive or self.hook("lookup_unverified_can_receive")
        reason = "ok" if reachable else "phone_not_verified"
        if reachable and self.hook("lookup_reason_not_ok"):
            reason = "reachable"
        if not reachable and not self.choices.unverified_phone_exists:
            return Lookup(False, False, reason, None, False, None)  # READ-041
        return Lookup(
            exists=True,
            can_receive=reachable and not self.hook("lookup_can_receive_false"),
            reason_code=reason,
            recipient_id=contact.id,
            is_verified=contact.phone_verified_at is not None,
            phone_verified_at=contact.phone_verified_at,
        )

    def _is_sender(self, phone: str | None, account: str) -> bool:
        """Whether the phone is none, or one of the account's sender numbers."""
        everyone = self.hook("lookup_sees_foreign_senders")
        return (
            phone is None
            or self._sender_with_phone(phone, None if everyone else account) is not None
        )

    def _sender_with_phone(self, phone: str, account: str | None) -> Sender | None:
        """The sender number with this phone: of the account, or of any account (None)."""
        return next(
            (
                s
                for s in self.state.senders.values()
                if s.phone == phone and (account is None or s.account == account)
            ),
            None,
        )

    # --- messages, log and usage ---

    def send(self, command: SendCommand, account: str = PRIMARY_ACCOUNT) -> Message:
        """Accept a message from an active sender of the account to a recipient delivery
        takes; log and count it. The message as the log shows it right away."""
        with self._locked() as state:
            sender = self._resolve_sender(command.sender, account)
            self._check_sender_can_send(sender)
            status = self.delivery.settle(state.contacts.get(command.to_phone))
            now = utc_now()
            message = Message(
                id=self.allocate("message"),
                sender_number_id=sender.id,
                sender_phone=sender.phone,
                to_phone=command.to_phone,
                message_type=command.message_type,
                content=command.content,
                media_filename=command.media.filename if command.media else None,
                duration=command.duration,
                status=status,
                sent_at=now,
                account=sender.account,
            )
            if not self.hook("log_drops_message"):
                state.messages.append(message)
            if not self.hook("usage_not_counting"):
                state.usage.append(Tally(sender.id, command.message_type, now, sender.account))
            return self.delivery.shown(message, now)

    def _resolve_sender(self, ref: SenderRef, account: str) -> Sender:
        """The account's sender the request names (another account's does not exist for it)."""
        found: Sender | None = None
        if ref.phone is not None:
            anyones = self.hook("foreign_sender_by_phone")
            found = self._sender_with_phone(ref.phone, None if anyones else account)
        elif ref.number_id is not None:
            found = self.state.senders.get(ref.number_id)
            if found is not None and found.account != account:
                if self.hook("foreign_sender_id_forbidden"):
                    raise ForeignSender()
                found = found if self.hook("foreign_sender_by_id") else None
        named = ref.phone is not None or ref.number_id is not None or ref.named_unknown_id
        if found is None and (not named or self.hook("unknown_sender_falls_back")):
            # Only under hooks: neither sender field, or an unknown sender accepted.
            own = (s for s in self.state.senders.values() if s.account == account)
            found = next((s for s in own if self._status(s) == "active"), None)
        if found is None:
            raise SenderNotFound()
        return found

    def _check_sender_can_send(self, sender: Sender) -> None:
        status = self._status(sender)
        if status in self.rules.sendable_statuses:
            return
        if status == "pending_account_verification":
            raise AccountNotVerified()
        raise SenderNotActive()

    def list_messages(self, account: str = PRIMARY_ACCOUNT) -> list[Message]:
        """The account's log as it shows now, in acceptance order."""
        now = utc_now()
        everyone = self.hook("foreign_messages_in_log")
        with self._locked() as state:
            return [
                self.delivery.shown(m, now)
                for m in state.messages
                if self.delivery.visible(m.sent_at, now) and (everyone or m.account == account)
            ]

    def usage(self, account: str = PRIMARY_ACCOUNT) -> list[UsageEntry]:
        """One entry per sender number of the account (including those that sent nothing),
        by sender id."""
        now = utc_now()
        everyone = self.hook("foreign_usage_counted")
        with self._locked() as state:
            counts = Counter(
                (t.sender_number_id, t.message_type)
                for t in state.usage
                if self.delivery.visible(t.at, now)
            )
            senders = sorted(
                (s for s in state.senders.values() if everyone or s.account == account),
                key=lambda s: s.id,
            )
        if self.hook("usage_grouped_by_type"):
            return [
                UsageEntry(None, None, sum(counts[s.id, kind] for s in senders), message_type=kind)
                for kind in self.rules.message_types
            ]
        entries = []
        for sender in senders:
            types = tuple((kind, counts[sender.id, kind]) for kind in self.rules.message_types)
            total = sum(count for _, count in types)
            entries.append(UsageEntry(sender.id, sender.phone, total, types))
        return entries

    def allocate(self, kind: str, taken: Iterable[int] = ()) -> int:
        """The next free id of its kind (ids are unique across accounts, as in one database)."""
        base = self.behaviour.choices.id_base or ID_BASES[kind]
        used = set(taken)
        number = max(self.state.counters.get(kind, base), base)
        while number in used:
            number += 1
        self.state.counters[kind] = number + 1
        return number
