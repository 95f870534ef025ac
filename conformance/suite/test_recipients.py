"""Recipients: what contact lookup says, and that sending agrees with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import expect_success, parse_json
from conformance.checks.lists import list_items
from conformance.config import TargetConfig
from conformance.generation.payloads import MESSAGES, text_body
from conformance.http.evidence import Exchange
from conformance.suite.conftest import unique_text
from conformance.verify import Verifier

LOOKUP_FIELDS = {
    "exists": (bool,),
    "can_receive": (bool,),
    "reason_code": (str,),
    "recipient_id": (int, str, type(None)),
    "is_verified": (bool, type(None)),
    "phone_verified_at": (str, type(None)),
}
# A message to someone who cannot receive may be accepted only if the server says it failed.
FAILED_DELIVERY = {"failed", "undelivered", "not_delivered", "rejected", "error", "unreachable"}


def _lookup_body(verify: Verifier, req: str, response: Exchange, what: str) -> dict[str, Any]:
    ok, body = parse_json(response)
    verify.require(
        req,
        response.status_code == 200 and ok and isinstance(body, dict),
        f"lookup of {what} answered {response.status_code}" + ("" if ok else " (not JSON)"),
        expected="200 with a JSON object",
        exchange=response,
    )
    assert isinstance(body, dict)
    return body


@pytest.mark.requirement("RCPT-001", "RCPT-002", "RCPT-003", "RCPT-004", "RCPT-005")
def test_lookup_of_reachable_recipient(
    lookup: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    phone = tgo_config.recipient("reachable")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-005", response, "a reachable recipient without sender_phone")
    verify.check("RCPT-005", True)
    for field, types in LOOKUP_FIELDS.items():
        verify.check(
            "RCPT-001",
            field in body
            and isinstance(body[field], types)
            and not (bool not in types and isinstance(body[field], bool)),
            f"lookup answer has {field} = {body.get(field, '<missing>')!r}",
            expected=f"{field} of type {' or '.join(t.__name__ for t in types)}",
            exchange=response,
        )
    verify.check(
        "RCPT-002",
        body.get("exists") is True,
        f"reachable {phone}: exists = {body.get('exists')!r}",
        expected="exists true",
        exchange=response,
    )
    verify.check(
        "RCPT-003",
        body.get("can_receive") is True,
        f"reachable {phone}: can_receive = {body.get('can_receive')!r}",
        expected="can_receive true",
        exchange=response,
    )
    verify.check(
        "RCPT-004",
        body.get("reason_code") == "ok",
        f"reachable {phone}: reason_code = {body.get('reason_code')!r}",
        expected='reason_code "ok"',
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
        pytest.skip(tgo_config.missing_reason("senders", "active.phone"))
    response = lookup(tgo_config.recipient("reachable"), sender_phone=sender.phone)
    body = _lookup_body(verify, "RCPT-006", response, "a reachable recipient with sender_phone")
    verify.check("RCPT-006", True)
    verify.check(
        "RCPT-003",
        body.get("can_receive") is True,
        f"reachable recipient with sender_phone: can_receive = {body.get('can_receive')!r}",
        expected="can_receive true",
        exchange=response,
    )


@pytest.mark.requirement("RCPT-002", "RCPT-003", "RCPT-004")
def test_lookup_of_phone_without_account(
    lookup: Callable[..., Exchange], verify: Verifier, need: Callable[..., Any]
) -> None:
    phone = need("recipient", "unreachable")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-002", response, "a phone with no TGO Connect account")
    verify.check(
        "RCPT-002",
        body.get("exists") is False,
        f"unregistered {phone}: exists = {body.get('exists')!r}",
        expected="exists false",
        exchange=response,
    )
    _check_cannot_receive(verify, body, f"unregistered {phone}", response)


@pytest.mark.requirement("RCPT-009", "RCPT-003", "RCPT-004")
def test_lookup_of_recipient_with_unverified_phone(
    lookup: Callable[..., Exchange], verify: Verifier, need: Callable[..., Any]
) -> None:
    phone = need("recipient", "unverified")
    response = lookup(phone)
    body = _lookup_body(verify, "RCPT-009", response, "a recipient whose phone is not verified")
    expected = {"exists": True, "can_receive": False, "is_verified": False}
    for field, value in expected.items():
        verify.check(
            "RCPT-009",
            body.get(field) is value,
            f"unverified {phone}: {field} = {body.get(field, '<missing>')!r}",
            expected=f"{field} {str(value).lower()}",
            exchange=response,
        )
    _check_cannot_receive(verify, body, f"unverified {phone}", response)


def _check_cannot_receive(
    verify: Verifier, body: dict[str, Any], who: str, response: Exchange
) -> None:
    """A contact that cannot receive says so, and says why (a reason other than "ok")."""
    verify.check(
        "RCPT-003",
        body.get("can_receive") is False,
        f"{who}: can_receive = {body.get('can_receive')!r}",
        expected="can_receive false",
        exchange=response,
    )
    verify.check(
        "RCPT-004",
        isinstance(body.get("reason_code"), str) and body.get("reason_code") != "ok",
        f"{who}: reason_code = {body.get('reason_code')!r}",
        expected='a reason_code other than "ok"',
        exchange=response,
    )


def _delivery_status(target: Any, response: Exchange, content: str) -> Any:
    ok, body = parse_json(response)
    if ok and isinstance(body, dict) and "status" in body:
        return body["status"]
    log = target.request("GET", MESSAGES)
    ok, listing = parse_json(log)
    for entry in (list_items(listing, "messages") or []) if ok else []:
        if isinstance(entry, dict) and entry.get("content") == content:
            return entry.get("status")
    return None


@pytest.mark.writes  # an undelivered message may still be logged
@pytest.mark.requirement("RCPT-007", "RCPT-008")
@pytest.mark.parametrize("who", ["unreachable", "unverified"])
def test_send_to_recipient_who_cannot_receive_fails(
    who: str, target: Any, tgo_config: TargetConfig, verify: Verifier, need: Callable[..., Any]
) -> None:
    phone = need("recipient", who)
    req = "RCPT-007" if who == "unreachable" else "RCPT-008"
    content = unique_text()
    response = target.request(
        "POST", MESSAGES, json=text_body(tgo_config, to=phone, content=content)
    )
    if 400 <= response.status_code < 500:
        verify.check(req, True)
        return
    if 200 <= response.status_code < 300:
        status = _delivery_status(target, response, content)
        verify.check(
            req,
            isinstance(status, str) and status.lower() in FAILED_DELIVERY,
            f"message to the {who} recipient {phone} was accepted with status {status!r}",
            expected="a 4xx refusal, or a status saying it was not delivered",
            exchange=response,
        )
        return
    verify.check(
        req,
        False,
        f"message to the {who} recipient {phone}: answered {response.status_code}",
        expected="a 4xx refusal, or acceptance marked not delivered",
        exchange=response,
    )


@pytest.mark.writes
@pytest.mark.requirement("RCPT-003")
def test_reachable_recipient_per_lookup_can_be_sent_to(
    target: Any, lookup: Callable[..., Exchange], tgo_config: TargetConfig, verify: Verifier
) -> None:
    phone = tgo_config.recipient("reachable")
    body = _lookup_body(verify, "RCPT-003", lookup(phone), "the reachable recipient")
    if body.get("can_receive") is True:
        response = target.request(
            "POST", MESSAGES, json=text_body(tgo_config, to=phone, content=unique_text())
        )
        expect_success(
            verify, "RCPT-003", response, what="send to a recipient lookup calls can_receive"
        )
