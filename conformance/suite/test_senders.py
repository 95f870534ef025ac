"""Sender numbers: registration, the list and its fields, and which states may send."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import expect_refusal, expect_success, parse_json
from conformance.checks.lists import read_list, same_id
from conformance.config import Sender, TargetConfig
from conformance.generation.payloads import MESSAGES, SENDER_NUMBERS, fictional_phone, text_body
from conformance.http.evidence import Exchange
from conformance.verify import Verifier

STATUSES = {
    "pending_verification",
    "active",
    "pending_account_verification",
    "rejected",
    "suspended",
}
FIELDS = ("id", "phone", "display_name", "status", "verification_status")
NOT_ACTIVE = "The sender number is not active."
ACCOUNT_NOT_VERIFIED = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."


def _list_senders(target: Any, verify: Verifier, req: str) -> tuple[Exchange, list[Any]]:
    return read_list(target, verify, req, SENDER_NUMBERS, "sender_numbers")


def _find(items: list[Any], sender: Sender) -> dict[str, Any] | None:
    for item in items:
        if not isinstance(item, dict):
            continue
        if sender.id is not None and same_id(item.get("id"), sender.id):
            return item
        if sender.id is None and sender.phone is not None and item.get("phone") == sender.phone:
            return item
    return None


@pytest.mark.requirement("SENDER-005", "SENDER-006")
def test_sender_list_gives_documented_fields_and_statuses(target: Any, verify: Verifier) -> None:
    response, items = _list_senders(target, verify, "SENDER-005")
    for item in items:
        missing = [f for f in FIELDS if not isinstance(item, dict) or f not in item]
        verify.check(
            "SENDER-005",
            not missing,
            f"sender number {item.get('id') if isinstance(item, dict) else item!r} lacks {missing}",
            expected=f"each entry has {', '.join(FIELDS)}",
            exchange=response,
        )
        if isinstance(item, dict) and "status" in item:
            verify.check(
                "SENDER-006",
                item["status"] in STATUSES,
                f"sender number {item.get('id')} has status {item['status']!r}",
                expected=f"one of {sorted(STATUSES)}",
                exchange=response,
            )
    verify.check("SENDER-005", True)


@pytest.mark.requirement("SENDER-006", "SENDER-007", "ACCT-003")
@pytest.mark.parametrize("state", sorted(STATUSES))
def test_configured_sender_is_listed_in_its_state(
    state: str, target: Any, verify: Verifier, need: Callable[..., Any]
) -> None:
    sender: Sender = need("sender", state)
    response, items = _list_senders(target, verify, "SENDER-006")
    item = _find(items, sender)
    verify.require(
        "SENDER-007",
        item is not None,
        f"the configured {state} sender (id {sender.id}, {sender.phone}) is not in the list",
        expected="every registered sender number is listed",
        exchange=response,
    )
    assert item is not None
    if sender.phone is not None and sender.id is not None:
        verify.check(
            "SENDER-007",
            item.get("phone") == sender.phone,
            f"sender {sender.id} is listed with phone {item.get('phone')!r}, not {sender.phone}",
            expected="the list's id and phone identify the same sender",
            exchange=response,
        )
    if state == "pending_account_verification":
        # Two pages disagree on where this state shows; either reading passes.
        shown = item.get("status") == state or item.get("verification_status") == state
        verify.check(
            "ACCT-003",
            shown,
            f"sender awaiting account verification is listed with status {item.get('status')!r} "
            f"and verification_status {item.get('verification_status')!r}",
            expected="pending_account_verification as status or verification_status",
            exchange=response,
        )
    else:
        verify.check(
            "SENDER-006",
            item.get("status") == state,
            f"the configured {state} sender is listed with status {item.get('status')!r}",
            expected=f"status {state}",
            exchange=response,
        )


@pytest.mark.writes
@pytest.mark.requirement("SENDER-001", "SENDER-002", "SENDER-004")
def test_registered_sender_starts_pending_verification_and_is_listed(
    target: Any, verify: Verifier
) -> None:
    response: Exchange | None = None
    phone = ""
    for _attempt in range(5):
        # Numbers reserved for fiction; an earlier run may have registered one already.
        phone = fictional_phone()
        response = target.request("POST", SENDER_NUMBERS, json={"phone": phone})
        if 200 <= response.status_code < 300:
            break
    assert response is not None
    if not expect_success(
        verify, "SENDER-002", response, what=f"registering {phone} with phone only"
    ):
        return
    ok, created = parse_json(response)
    if ok and isinstance(created, dict) and "status" in created:
        verify.check(
            "SENDER-001",
            created["status"] == "pending_verification",
            f"the new sender number came back with status {created['status']!r}",
            expected="status pending_verification",
            exchange=response,
        )
    listing, items = _list_senders(target, verify, "SENDER-004")
    entry = next((i for i in items if isinstance(i, dict) and i.get("phone") == phone), None)
    verify.require(
        "SENDER-004",
        entry is not None,
        f"{phone} was registered but is not listed",
        expected="a registered number appears in the list",
        exchange=listing,
    )
    assert entry is not None
    verify.check(
        "SENDER-001",
        entry.get("status") == "pending_verification",
        f"the new sender number is listed with status {entry.get('status')!r}",
        expected="status pending_verification until its OTP is confirmed",
        exchange=listing,
    )


@pytest.mark.requirement("SENDER-003", "ERR-006")
@pytest.mark.parametrize(
    "body", [{}, {"display_name": "tgo-conformance"}], ids=["empty", "name only"]
)
def test_register_refuses_body_without_phone(
    body: dict[str, Any], target: Any, verify: Verifier
) -> None:
    response = target.request("POST", SENDER_NUMBERS, json=body)
    for req in ("SENDER-003", "ERR-006"):
        expect_refusal(verify, req, response, statuses=[422], what=f"registration body {body}")


NOT_READY = {
    "pending_verification": "SENDER-009",
    "rejected": "SENDER-010",
    "suspended": "SENDER-011",
}


@pytest.mark.requirement("SENDER-009", "SENDER-010", "SENDER-011")
@pytest.mark.parametrize("by", ["phone", "id"])
@pytest.mark.parametrize("state", sorted(NOT_READY))
def test_sender_that_is_not_active_cannot_send(
    state: str,
    by: str,
    target: Any,
    tgo_config: TargetConfig,
    verify: Verifier,
    need: Callable[..., Any],
) -> None:
    sender: Sender = need("sender", state)
    if (sender.id if by == "id" else sender.phone) is None:
        pytest.skip(tgo_config.missing_reason("senders", f"{state}.{by}"))
    response = target.request("POST", MESSAGES, json=text_body(tgo_config, sender=sender, by=by))
    expect_refusal(
        verify,
        NOT_READY[state],
        response,
        message=NOT_ACTIVE,
        what=f"text message from the {state} sender (by {by})",
    )


@pytest.mark.requirement("ACCT-001", "ACCT-002")
@pytest.mark.parametrize("by", ["phone", "id"])
def test_sender_with_unverified_account_cannot_send(
    by: str, target: Any, tgo_config: TargetConfig, verify: Verifier, need: Callable[..., Any]
) -> None:
    sender: Sender = need("sender", "pending_account_verification")
    if (sender.id if by == "id" else sender.phone) is None:
        pytest.skip(tgo_config.missing_reason("senders", f"pending_account_verification.{by}"))
    response = target.request("POST", MESSAGES, json=text_body(tgo_config, sender=sender, by=by))
    if expect_refusal(
        verify,
        "ACCT-001",
        response,
        what=f"text message from a sender whose account is unverified (by {by})",
    ):
        expect_refusal(
            verify,
            "ACCT-002",
            response,
            message=ACCOUNT_NOT_VERIFIED,
            what="refusal for an unverified TGO Connect account",
        )
