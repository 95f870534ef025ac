"""Recipients: what contact lookup says, and that sending agrees with it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import any_refusal, expect_success, parse_json
from conformance.checks.lists import read_listing, same_id
from conformance.checks.values import delivery_word, is_timestamp, shown
from conformance.config import TargetConfig
from conformance.generation.payloads import text_body
from conformance.generation.references import Confirmation
from conformance.generation.requests import unique_text
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.not_run import skip_because
from conformance.rules.values import Rules
from conformance.verify import Verifier

# The fields only the page's example shows (RCPT-010, a SHOULD), and the types it shows them
# with; null is allowed where the contact has none.
EXAMPLE_FIELDS: dict[str, tuple[type, ...]] = {
    "recipient_id": (int, str, type(None)),
    "is_verified": (bool, type(None)),
}
# A message accepted for someone who cannot receive may take the profile's settle_s to say it
# failed (READ-016, READ-046); the log is read again every DELIVERY_POLL_S.
DELIVERY_POLL_S = 0.25


def _lookup_body(verify: Verifier, req: str, response: Exchange, what: str) -> dict[str, Any]:
    ok, body = parse_json(response)
    verify.require(
        req,
        200 <= response.status_code < 300 and ok and isinstance(body, dict),
        f"lookup of {what} answered {response.status_code}" + ("" if ok else " (not JSON)"),
        expected="a 2xx with a JSON object",
        exchange=response,
    )
    assert isinstance(body, dict)
    return body


@pytest.mark.requirement("RCPT-001", "RCPT-002", "RCPT-003", "RCPT-004", "RCPT-005", "RCPT-010")
def test_lookup_of_reachable_recipient(
    lookup: Callable[..., Exchange], tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier
) -> None:
    phone = tgo_config.recipient("reachable")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-005", response, "a reachable recipient without sender_phone")
    _check_documented_fields(verify, tgo_rules, body, response)
    who = f"reachable {phone}"
    _expect_field(verify, ["RCPT-002"], body, "exists", True, who, response)
    _expect_field(verify, ["RCPT-003"], body, "can_receive", True, who, response)
    _expect_field(verify, ["RCPT-004"], body, "reason_code", "ok", who, response)
    _check_example_fields(verify, body, response, exists=True)


def _check_documented_fields(
    verify: Verifier, rules: Rules, body: dict[str, Any], response: Exchange
) -> None:
    """exists, can_receive (booleans: "whether ...") and reason_code (a string): RCPT-001."""
    for field in rules.lookup_fields:
        value = body.get(field, "<missing>")
        kind = str if field == "reason_code" else bool
        verify.check(
            "RCPT-001",
            isinstance(value, kind),
            f"lookup answer has {field} = {shown(value)}",
            expected=f"{field}, a {'string' if kind is str else 'boolean'}",
            exchange=response,
        )


def _check_example_fields(
    verify: Verifier, body: dict[str, Any], response: Exchange, *, exists: bool
) -> None:
    """The fields only the example shows (RCPT-010, SHOULD); for a phone with no account they
    may be absent."""
    for field, types in EXAMPLE_FIELDS.items():
        present = field in body
        verify.check(
            "RCPT-010",
            (present or not exists) and (not present or isinstance(body[field], types)),
            f"lookup answer has {field} = {shown(body.get(field, '<missing>'))}",
            expected=f"{field} as the page's example shows it",
            exchange=response,
        )
    verified_at = body.get("phone_verified_at")
    verify.check(
        "RCPT-010",
        ("phone_verified_at" in body or not exists)
        and (verified_at is None or is_timestamp(verified_at)),
        "lookup answer has phone_verified_at = "
        + shown(body.get("phone_verified_at", "<missing>")),
        expected="phone_verified_at, a timestamp or null (READ-014)",
        exchange=response,
    )


@pytest.mark.requirement("RCPT-006", "RCPT-003")
def test_lookup_with_sender_phone(
    lookup: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    sender = need("sender", "active")
    if sender.phone is None:
        skip_because(tgo_config.missing("senders", "active.phone"))
    response = lookup(tgo_config.recipient("reachable"), sender_phone=sender.phone)
    body = _lookup_body(verify, "RCPT-006", response, "a reachable recipient with sender_phone")
    who = "reachable recipient with sender_phone"
    _expect_field(verify, ["RCPT-003"], body, "can_receive", True, who, response)


@pytest.mark.requirement("RCPT-002", "RCPT-003", "RCPT-004", "RCPT-010")
def test_lookup_of_phone_without_account(
    lookup: Callable[..., Exchange], verify: Verifier, need: Callable[..., Any]
) -> None:
    phone = need("recipient", "unreachable")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-002", response, "a phone with no TGO Connect account")
    _expect_field(verify, ["RCPT-002"], body, "exists", False, f"unregistered {phone}", response)
    _check_cannot_receive(verify, body, f"unregistered {phone}", response)
    _check_example_fields(verify, body, response, exists=False)


@pytest.mark.requirement("RCPT-009", "RCPT-003", "RCPT-004")
def test_lookup_of_recipient_with_unverified_phone(
    lookup: Callable[..., Exchange], verify: Verifier, need: Callable[..., Any]
) -> None:
    phone = need("recipient", "unverified")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-009", response, "a recipient whose phone is not verified")
    # What exists and is_verified say of such a recipient is a reading (READ-041).
    verify.chose(
        "RCPT-009",
        "READ-041",
        f"exists {shown(body.get('exists'))}, "
        f"is_verified {shown(body.get('is_verified', '<absent>'))}",
    )
    _check_cannot_receive(verify, body, f"unverified {phone}", response, also="RCPT-009")


def _expect_field(
    verify: Verifier,
    requirements: list[str],
    body: dict[str, Any],
    name: str,
    value: bool | str,
    who: str,
    response: Exchange,
) -> None:
    """The lookup answer's field holds exactly this value (True is not 1, "ok" not "OK")."""
    for requirement in requirements:
        verify.check(
            requirement,
            type(body.get(name)) is type(value) and body.get(name) == value,
            f"{who}: {name} = {shown(body.get(name))}",
            expected=f"{name} {shown(value)}",
            exchange=response,
        )


def _check_cannot_receive(
    verify: Verifier, body: dict[str, Any], who: str, response: Exchange, also: str = ""
) -> None:
    """A contact that cannot receive says so, and says why (a reason other than "ok")."""
    requirements = ["RCPT-003", *([also] if also else [])]
    _expect_field(verify, requirements, body, "can_receive", False, who, response)
    verify.check(
        "RCPT-004",
        isinstance(body.get("reason_code"), str) and body.get("reason_code") != "ok",
        f"{who}: reason_code = {shown(body.get('reason_code'))}",
        expected='a reason_code other than "ok"',
        exchange=response,
    )


def _settled_status(
    target: TargetClient,
    verify: Verifier,
    req: str,
    sent: Exchange,
    content: str,
    settle_s: float,
) -> tuple[Any, Exchange]:
    """The logged status of the message, read until it says delivered or failed, or until
    settle_s (a target may deliver later: READ-016, READ-046)."""
    ok, answer = parse_json(sent)
    sent_id = answer.get("id") if ok and isinstance(answer, dict) else None

    def is_it(entry: Any) -> bool:
        if not isinstance(entry, dict):
            return False
        return (
            same_id(entry.get("id"), sent_id)
            if sent_id is not None
            else (entry.get("content") == content)
        )

    deadline = time.monotonic() + settle_s
    status: Any = None  # the log's word only: the send's answer is undocumented (READ-017)
    evidence = sent
    while delivery_word(status) is None and time.monotonic() < deadline:
        listing = read_listing(
            target,
            verify,
            req,
            "listMessages",
            "messages",
            until=lambda items: any(map(is_it, items)),
        )
        evidence = listing.last
        entry = next((e for e in listing.items if is_it(e)), None)
        if entry is not None:
            status = entry.get("status")
        if delivery_word(status) is None:
            time.sleep(DELIVERY_POLL_S)
    return status, evidence


@pytest.mark.writes  # an undelivered message may still be logged
@pytest.mark.requirement("RCPT-007", "RCPT-008")
@pytest.mark.parametrize("who", ["unreachable", "unverified"])
def test_send_to_recipient_who_cannot_receive_fails(
    who: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    need: Callable[..., Any],
    settle_s: float,
    reference: Callable[[str], Confirmation],
) -> None:
    phone = need("recipient", who)
    reference("text")  # the same message to [recipients] reachable
    req = "RCPT-007" if who == "unreachable" else "RCPT-008"
    content = unique_text()
    response = target.call("sendMessage", json=text_body(tgo_config, to=phone, content=content))
    if response.status_code in any_refusal(tgo_rules):
        verify.check(req, True)
        verify.chose(req, "READ-016", f"refused at once ({response.status_code})")
        return
    if not 200 <= response.status_code < 300:
        verify.check(
            req,
            False,
            f"message to the {who} recipient {phone}: answered {response.status_code}",
            expected="a refusal (4xx), or acceptance and then no delivery",
            exchange=response,
        )
        return
    status, evidence = _settled_status(target, verify, req, response, content, settle_s)
    word = delivery_word(status)
    if word is None:
        pytest.skip(
            f"the message to the {who} recipient was accepted and its status is still "
            f"{shown(status)} after {settle_s:g} s, a word that says neither delivered nor "
            "failed (READ-016, READ-029)"
        )
    verify.check(
        req,
        word == "failed",
        f"message to the {who} recipient {phone} was accepted and logged as {shown(status)}",
        expected="a refusal, or a status saying it was not delivered",
        exchange=evidence,
    )
    verify.chose(req, "READ-016", f"accepted, then logged as {shown(status)}")


@pytest.mark.writes
@pytest.mark.requirement("RCPT-003")
def test_reachable_recipient_per_lookup_can_be_sent_to(
    target: TargetClient,
    lookup: Callable[..., Exchange],
    tgo_config: TargetConfig,
    verify: Verifier,
) -> None:
    phone = tgo_config.recipient("reachable")
    body = _lookup_body(verify, "RCPT-003", lookup(phone), "the reachable recipient")
    if body.get("can_receive") is True:
        response = target.call(
            "sendMessage", json=text_body(tgo_config, to=phone, content=unique_text())
        )
        expect_success(
            verify, "RCPT-003", response, what="send to a recipient lookup calls can_receive"
        )
