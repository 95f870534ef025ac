"""The message log and usage: what an accepted message leaves behind.

Lists are read to their last page (READ-020); a log or a usage count may lag behind a send by a
moment (READ-046), so both are read again for up to the profile's settle_s before a
requirement fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import expect_success, parse_json
from conformance.checks.lists import Listing, read_listing, same_id, usage_count, usage_sender
from conformance.checks.values import delivery_word, is_timestamp, shown
from conformance.config import Sender, TargetConfig
from conformance.generation.payloads import media_body, text_body
from conformance.generation.requests import unique_text
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.not_run import NotRun, skip_because
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import Verifier

POLL_S = 0.25


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "message_type" in metafunc.fixturenames:
        metafunc.parametrize("message_type", list(rules_of(metafunc.config).media_types))


def _check_entry(verify: Verifier, rules: Rules, entry: Any, response: Exchange) -> None:
    label = entry.get("id") if isinstance(entry, dict) else repr(entry)
    if not isinstance(entry, dict):
        verify.check("LOG-001", False, f"log entry {label} is not an object", exchange=response)
        return
    missing = [field for field in rules.log_fields if field not in entry]
    verify.check(
        "LOG-001",
        not missing,
        f"log entry {label} lacks {shown(missing)}",
        expected=f"each entry has {', '.join(rules.log_fields)}",
        exchange=response,
    )
    if "message_type" in entry:
        verify.check(
            "LOG-001",
            entry["message_type"] in rules.message_types,
            f"log entry {label} has message_type {shown(entry['message_type'])}",
            expected=f"one of {sorted(rules.message_types)}",
            exchange=response,
        )
    if entry.get("sent_at", "") is None and delivery_word(entry.get("status")) != "delivered":
        # A message not sent yet (queued) or never (failed) has no time of sending (READ-048).
        verify.chose("LOG-001", "READ-048", "sent_at null while a message is not sent")
    elif "sent_at" in entry:
        verify.check(
            "LOG-001",
            is_timestamp(entry["sent_at"]),
            f"log entry {label} has sent_at {shown(entry['sent_at'])}",
            expected="a timestamp: ISO 8601 / RFC 3339 text or a Unix time (READ-014)",
            exchange=response,
        )
    if "status" in entry:
        verify.check(
            "LOG-001",
            isinstance(entry["status"], str | int) and not isinstance(entry["status"], bool),
            f"log entry {label} has status {shown(entry['status'])}",
            expected="a status (its words are not documented: READ-029)",
            exchange=response,
        )


def _fill(target: TargetClient, config: TargetConfig) -> Exchange | None:
    """One message sent so that the log and usage have something to show, when writes are
    allowed (whether it is accepted is other tests' business)."""
    if not config.allow_writes:
        return None
    return target.call("sendMessage", json=text_body(config, content=unique_text()))


def _empty(what: str, purpose: str, config: TargetConfig, fill: Exchange | None) -> NotRun:
    """Why a list found empty tests nothing, saying what happened to the message sent to
    {purpose} (or that a read-only run sends none)."""
    if fill is None:
        return NotRun(
            "read_only",
            f"{what} is empty, and a read-only run (allow_writes = false) sends no message "
            f"to {purpose}",
        )
    if 200 <= fill.status_code < 300:
        return NotRun(
            "other",
            f"{what} is empty: the message sent to {purpose} was accepted "
            f"({fill.status_code}) but did not show",
        )
    return NotRun(
        "other",
        f"{what} is empty: the message sent to {purpose} was refused ({fill.status_code})",
    )


def _read_log(target: TargetClient, verify: Verifier, req: str, **kwargs: Any) -> Listing:
    return read_listing(target, verify, req, "listMessages", "messages", **kwargs)


@pytest.mark.requirement("LOG-001")
def test_log_entries_have_documented_fields(
    target: TargetClient, tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier
) -> None:
    fill = _fill(target, tgo_config)
    listing = _read_log(target, verify, "LOG-001")
    if not listing.items:
        skip_because(_empty("the message log", "fill it", tgo_config, fill))
    for entry in listing.items:
        _check_entry(verify, tgo_rules, entry, listing.last)


def _until_found(
    target: TargetClient,
    verify: Verifier,
    req: str,
    match: Callable[[Any], bool],
    settle_s: float,
) -> tuple[Listing, list[Any]]:
    """The log read again until an entry matches, or settle_s has passed (READ-046)."""
    deadline = time.monotonic() + settle_s
    while True:
        listing = _read_log(target, verify, req, until=lambda items: any(map(match, items)))
        found = [e for e in listing.items if match(e)]
        if found or time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    if not found:
        listing.skip_if_incomplete("the message log")
    return listing, found


@pytest.mark.writes
@pytest.mark.requirement("LOG-002", "LOG-003", "LOG-001")
def test_sent_text_message_appears_in_log(
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    settle_s: float,
) -> None:
    content = unique_text()
    sent = target.call("sendMessage", json=text_body(tgo_config, content=content))
    if not expect_success(verify, "LOG-002", sent, what="the text message to look for in the log"):
        return
    listing, found = _until_found(
        target,
        verify,
        "LOG-002",
        lambda e: isinstance(e, dict) and e.get("content") == content,
        settle_s,
    )
    verify.require(
        "LOG-002",
        bool(found),
        f"the accepted message {shown(content)} is not in the log after {settle_s:g} s",
        expected="the message in the log",
        exchange=listing.last,
    )
    entry = found[0]
    _check_entry(verify, tgo_rules, entry, listing.last)
    active: Sender | None = tgo_config.sender("active")
    assert active is not None
    if active.id is not None:
        verify.check(
            "LOG-003",
            same_id(entry.get("sender_number_id"), active.id),
            f"logged sender_number_id {shown(entry.get('sender_number_id'))}, "
            f"sent from {active.id}",
            expected="the sender's id",
            exchange=listing.last,
        )
    verify.check(
        "LOG-003",
        entry.get("message_type") == "text",
        f"logged message_type {shown(entry.get('message_type'))} for a text message",
        expected="text",
        exchange=listing.last,
    )


@pytest.mark.writes
@pytest.mark.requirement("LOG-002", "LOG-003")
def test_sent_media_message_appears_in_log(
    message_type: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    verify: Verifier,
    settle_s: float,
) -> None:
    before = _read_log(target, verify, "LOG-002")
    before.skip_if_incomplete("the message log")
    known = {str(e.get("id")) for e in before.items if isinstance(e, dict)}
    sent = target.call("sendMessage", **media_body(tgo_config, message_type).kwargs())
    if not expect_success(verify, "LOG-002", sent, what=f"the {message_type} message to look for"):
        return
    ok, body = parse_json(sent)
    sent_id = body.get("id") if ok and isinstance(body, dict) else None

    def is_new(entry: Any) -> bool:
        if not isinstance(entry, dict) or str(entry.get("id")) in known:
            return False
        return sent_id is None or same_id(entry.get("id"), sent_id)

    listing, new = _until_found(target, verify, "LOG-002", is_new, settle_s)
    verify.check(
        "LOG-002",
        bool(new),
        f"no new log entry {settle_s:g} s after an accepted {message_type} message",
        expected="the message appears in the log",
        exchange=listing.last,
    )
    if new:
        verify.check(
            "LOG-003",
            any(e.get("message_type") == message_type for e in new),
            f"new log entries after a {message_type} message have message_type "
            f"{[e.get('message_type') for e in new]}",
            expected=f"message_type {message_type}",
            exchange=listing.last,
        )


def _usage_of(entries: list[Any], sender: Sender) -> int:
    """The sender's count: the sum over every group that names it (READ-027)."""
    total = 0
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        sender_id, phone = usage_sender(entry)
        if (sender.id is not None and same_id(sender_id, sender.id)) or (
            sender.phone is not None and phone == sender.phone
        ):
            total += usage_count(entry) or 0
    return total


def _read_usage(target: TargetClient, verify: Verifier, req: str) -> Listing:
    return read_listing(target, verify, req, "getUsage", "usage")


@pytest.mark.requirement("USAGE-001")
def test_usage_is_grouped_by_sender_number(
    target: TargetClient, tgo_config: TargetConfig, verify: Verifier
) -> None:
    fill = _fill(target, tgo_config)
    listing = _read_usage(target, verify, "USAGE-001")
    if not listing.items:
        skip_because(_empty("usage", "create some", tgo_config, fill))
    for entry in listing.items:
        sender = usage_sender(entry) if isinstance(entry, dict) else (None, None)
        verify.check(
            "USAGE-001",
            any(value is not None for value in sender),
            f"usage entry {shown(entry)} names no sender "
            "(sender_number_id, sender_id, sender_phone)",
            expected="each group names its sender number (READ-027)",
            exchange=listing.last,
        )
        verify.check(
            "USAGE-001",
            isinstance(entry, dict) and usage_count(entry) is not None,
            f"usage entry {shown(entry)} has no message count",
            expected="a count field (count, message_count, total, ...: READ-027)",
            exchange=listing.last,
        )


@pytest.mark.writes
@pytest.mark.requirement("USAGE-002")
def test_usage_grows_when_a_message_is_sent(
    target: TargetClient, tgo_config: TargetConfig, verify: Verifier, settle_s: float
) -> None:
    active = tgo_config.sender("active")
    assert active is not None
    before = _read_usage(target, verify, "USAGE-002")
    before.skip_if_incomplete("usage")
    sent = target.call("sendMessage", json=text_body(tgo_config, content=unique_text()))
    if not expect_success(verify, "USAGE-002", sent, what="the text message that should count"):
        return
    was = _usage_of(before.items, active)
    deadline = time.monotonic() + settle_s
    while True:
        after = _read_usage(target, verify, "USAGE-002")
        now = _usage_of(after.items, active)
        if now >= was + 1 or time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    if now < was + 1:
        after.skip_if_incomplete("usage")  # short of one more: the entry may be unread
    verify.check(
        "USAGE-002",
        now >= was + 1,
        f"usage of the active sender went from {was} to {now} after one accepted message",
        expected=f"at least {was + 1} within {settle_s:g} s",
        exchange=after.last,
    )
