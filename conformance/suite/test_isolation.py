"""Account isolation: nothing crosses between two accounts of one target.

The target config's [other_account] gives a second account's key and one of its active
senders. "A" is the configured account ([keys].full), "B" the other one. Every check compares
what each key sees, so it holds for any id scheme: an entry leaks when the other account's own
listing shows it too (same id and same phone, or same id, sender, type and content), never
merely because two accounts happen to number their resources alike.

Read-only safety: the only requests sent across accounts are ones a conforming server must
refuse (a message from B's sender, through A's key, to a configured recipient), except the
registration of B's phone through A, which runs only with allow_writes = true. Nothing is ever
sent with B's key but reads.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.errors import parse_json
from conformance.checks.lists import Listing, read_listing, same_id, usage_sender
from conformance.checks.values import shown
from conformance.config import OtherAccount, Sender, TargetConfig
from conformance.config.model import missing_entry
from conformance.generation.payloads import (
    UNREGISTERED_SENDER_ID,
    UNREGISTERED_SENDER_PHONE,
    text_body,
)
from conformance.generation.requests import unique_text
from conformance.http.client import OTHER_ACCOUNT_KEY, TargetClient
from conformance.not_run import skip_because
from conformance.verify import Verifier

A = "full"
B = OTHER_ACCOUNT_KEY
# What a lookup's answer must share with one naming a sender no account holds. Its
# reason_code may differ: a sender that is not the account's may be answered as not existing
# or as not active, and each has its own code.
SAME_AS_NO_SENDER = ("exists", "can_receive")


@pytest.fixture
def other(need: Any) -> OtherAccount:
    """The second account, or a skip naming [other_account]."""
    account: OtherAccount = need("other_account")
    return account


def _other_sender_field(other: OtherAccount, field: str) -> Any:
    value = getattr(other.sender, field)
    if value is None:
        skip_because(missing_entry("other_account", f"sender.{field}"))
    return value


def _senders(listing: Listing) -> set[tuple[str, Any]]:
    """(id, phone) of every entry of a sender list."""
    return {
        (str(e.get("id")), e.get("phone"))
        for e in listing.items
        if isinstance(e, dict) and e.get("id") is not None
    }


def _messages(listing: Listing) -> set[tuple[str, str, Any, Any]]:
    """What identifies a log entry whatever the id scheme: id, sender, type and content."""
    return {
        (str(e.get("id")), str(e.get("sender_number_id")), e.get("message_type"), e.get("content"))
        for e in listing.items
        if isinstance(e, dict) and e.get("id") is not None
    }


def _read(
    target: TargetClient, verify: Verifier, req: str, operation: str, resource: str, key: str
) -> Listing:
    listing = read_listing(target, verify, req, operation, resource, key=key)
    listing.skip_if_incomplete("a list")
    return listing


def _with_content(target: TargetClient, verify: Verifier, req: str, content: str) -> list[str]:
    """The accounts whose message log holds an entry with this content."""
    holders = []
    for name, key in (("the configured account", A), ("the other account", B)):
        log = _read(target, verify, req, "listMessages", "messages", key)
        if any(isinstance(e, dict) and e.get("content") == content for e in log.items):
            holders.append(name)
    return holders


@pytest.mark.requirement("ISO-001", "ISO-002", "ERR-010")
@pytest.mark.parametrize("by", ["id", "phone"])
def test_another_accounts_sender_cannot_send(
    by: str, target: TargetClient, tgo_config: TargetConfig, verify: Verifier, other: OtherAccount
) -> None:
    req = "ISO-001" if by == "id" else "ISO-002"
    field = "sender_number_id" if by == "id" else "sender_phone"
    theirs = Sender(**{by: _other_sender_field(other, by)})
    content = unique_text()
    # To a configured recipient: if a broken server sends it, it goes where sends may go.
    response = target.call(
        "sendMessage", json=text_body(tgo_config, sender=theirs, by=by, content=content), key=A
    )
    status = response.status_code
    verify.check(
        req,
        400 <= status < 500 and status != 401,
        f"a text message naming the other account's sender by {field}, sent with the "
        f"configured account's key: answered {status}",
        expected="a 4xx refusal: the sender is not the account's",
        exchange=response,
    )
    sent_in = _with_content(target, verify, req, content)
    verify.check(
        req,
        not sent_in,
        f"the message from the other account's sender is in the message log of "
        f"{' and '.join(sent_in)}",
        expected="nothing sent",
        exchange=response,
    )
    if by == "id":
        nowhere = target.call(
            "sendMessage",
            json=text_body(
                tgo_config, sender=Sender(id=UNREGISTERED_SENDER_ID), by="id", content=unique_text()
            ),
            key=A,
        )
        verify.check(
            "ERR-010",
            status == nowhere.status_code,
            f"the other account's sender id answered {status}, a sender id no account holds "
            f"{nowhere.status_code}",
            expected="the refusal of a sender that does not exist",
            exchange=response,
        )


@pytest.mark.requirement("ISO-003")
def test_lookup_treats_another_accounts_sender_as_none(
    target: TargetClient, tgo_config: TargetConfig, verify: Verifier, other: OtherAccount
) -> None:
    phone = tgo_config.recipient("reachable")
    their_phone = _other_sender_field(other, "phone")
    # READ-047: this account may have registered the same phone as a sender of its own (ISO-007
    # does, in this run or an earlier one); a lookup naming it then names its own sender.
    own = read_listing(
        target,
        verify,
        "ISO-003",
        "listSenderNumbers",
        "sender_numbers",
        key=A,
        until=lambda items: any(
            isinstance(i, dict) and i.get("phone") == their_phone for i in items
        ),
    )
    if any(isinstance(i, dict) and i.get("phone") == their_phone for i in own.items):
        pytest.skip(
            "this account holds a sender number of its own with the other account's phone "
            "(registered anew, READ-047): a lookup naming that phone names its own sender"
        )
    theirs = target.call("lookupContact", params={"phone": phone, "sender_phone": their_phone})
    nobodys = target.call(
        "lookupContact", params={"phone": phone, "sender_phone": UNREGISTERED_SENDER_PHONE}
    )
    same_status = theirs.status_code == nobodys.status_code
    seen: dict[str, Any] = {}
    if same_status and 200 <= theirs.status_code < 300:
        ok_theirs, body_theirs = parse_json(theirs)
        ok_nobodys, body_nobodys = parse_json(nobodys)
        if ok_theirs and ok_nobodys and isinstance(body_theirs, dict):
            seen = {
                f: (body_theirs.get(f), body_nobodys.get(f))
                for f in SAME_AS_NO_SENDER
                if isinstance(body_nobodys, dict) and body_theirs.get(f) != body_nobodys.get(f)
            }
    verify.check(
        "ISO-003",
        same_status and not seen,
        f"a lookup naming the other account's sender_phone answered {theirs.status_code}, one "
        f"naming a phone no account holds {nobodys.status_code}"
        + (f"; differing: {shown(seen)}" if seen else ""),
        expected="the same answer as for a sender that does not exist",
        exchange=theirs,
    )


@pytest.mark.requirement("ISO-004")
def test_sender_lists_never_cross_accounts(
    target: TargetClient, verify: Verifier, other: OtherAccount
) -> None:
    mine = _read(target, verify, "ISO-004", "listSenderNumbers", "sender", A)
    theirs = _read(target, verify, "ISO-004", "listSenderNumbers", "sender", B)
    shared = _senders(mine) & _senders(theirs)
    verify.check(
        "ISO-004",
        not shared,
        f"both accounts' sender lists show {shown(sorted(shared, key=str))} (id, phone)",
        expected="each account lists only its own sender numbers",
        exchange=mine.last,
    )


@pytest.mark.requirement("ISO-005")
def test_message_logs_never_cross_accounts(
    target: TargetClient, verify: Verifier, other: OtherAccount
) -> None:
    mine = _read(target, verify, "ISO-005", "listMessages", "messages", A)
    theirs = _read(target, verify, "ISO-005", "listMessages", "messages", B)
    shared = _messages(mine) & _messages(theirs)
    verify.check(
        "ISO-005",
        not shared,
        f"{len(shared)} entries are in both accounts' message logs, e.g. "
        f"{shown(sorted(shared, key=str)[:1])} (id, sender_number_id, message_type, content)",
        expected="each account's log holds only its own messages",
        exchange=mine.last,
    )
    own = _read(target, verify, "ISO-005", "listSenderNumbers", "sender", A)
    my_senders = {sender_id for sender_id, _ in _senders(own)}
    foreign = [
        e
        for e in mine.items
        if isinstance(e, dict)
        and same_id(e.get("sender_number_id"), other.sender.id)
        and str(e.get("sender_number_id")) not in my_senders
    ]
    verify.check(
        "ISO-005",
        not foreign,
        f"the configured account's log has {len(foreign)} entries from the other account's "
        f"sender {other.sender.id}, which its own sender list does not hold",
        expected="each account's log holds only its own messages",
        exchange=mine.last,
    )


def _foreign_groups(usage: Listing, own: Listing, others: Listing) -> list[Any]:
    """Usage groups naming a sender of `others` that `own` does not hold."""
    mine, theirs = _senders(own), _senders(others)
    their_ids = {sender_id for sender_id, _ in theirs} - {sender_id for sender_id, _ in mine}
    their_phones = {phone for _, phone in theirs} - {phone for _, phone in mine}
    return [
        entry
        for entry in usage.items
        if isinstance(entry, dict) and _names_one_of(usage_sender(entry), their_ids, their_phones)
    ]


def _names_one_of(sender: tuple[Any, Any], ids: set[str], phones: set[Any]) -> bool:
    sender_id, phone = sender
    return (sender_id is not None and str(sender_id) in ids) or (
        phone is not None and phone in phones
    )


@pytest.mark.requirement("ISO-006")
def test_usage_never_counts_another_accounts_senders(
    target: TargetClient, verify: Verifier, other: OtherAccount
) -> None:
    senders = {
        key: _read(target, verify, "ISO-006", "listSenderNumbers", "sender", key) for key in (A, B)
    }
    for key, other_key, whose in ((A, B, "configured"), (B, A, "other")):
        usage = _read(target, verify, "ISO-006", "getUsage", "usage", key)
        foreign = _foreign_groups(usage, senders[key], senders[other_key])
        verify.check(
            "ISO-006",
            not foreign,
            f"the {whose} account's usage counts {len(foreign)} sender numbers of the other "
            f"account, e.g. {shown(foreign[:1])}",
            expected="usage of the account's own sender numbers only",
            exchange=usage.last,
        )


def _listed(listing: Listing, phone: str) -> dict[str, Any] | None:
    return next((e for e in listing.items if isinstance(e, dict) and e.get("phone") == phone), None)


@pytest.mark.writes
@pytest.mark.requirement("ISO-007")
def test_registering_another_accounts_phone_leaves_its_sender_alone(
    target: TargetClient, verify: Verifier, other: OtherAccount
) -> None:
    phone = _other_sender_field(other, "phone")
    before = _listed(_read(target, verify, "ISO-007", "listSenderNumbers", "sender", B), phone)
    if before is None:
        pytest.skip("the other account's sender list does not show its configured sender")
    response = target.call("registerSenderNumber", json={"phone": phone}, key=A)
    status = response.status_code
    behaviour = "registered anew" if 200 <= status < 300 else f"refused with {status}"
    verify.chose("ISO-007", "READ-047", f"a phone the other account holds: {behaviour}")
    after_listing = _read(target, verify, "ISO-007", "listSenderNumbers", "sender", B)
    after = _listed(after_listing, phone)
    unchanged = (
        after is not None
        and same_id(after.get("id"), before.get("id"))
        and after.get("status") == before.get("status")
    )
    verify.check(
        "ISO-007",
        unchanged,
        "after the configured account registered the other account's phone, the other "
        f"account lists it as {shown(after)} (before: {shown(before)})",
        expected="the other account's sender number unchanged",
        exchange=after_listing.last,
    )
