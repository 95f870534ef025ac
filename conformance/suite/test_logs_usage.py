"""The message log and usage: what an accepted message leaves behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from conformance.checks.errors import expect_success, parse_json
from conformance.checks.lists import read_list, same_id, usage_count
from conformance.config import Sender, TargetConfig
from conformance.generation.payloads import MESSAGES, USAGE, media_body, text_body
from conformance.http.evidence import Exchange
from conformance.suite.conftest import unique_text
from conformance.verify import Verifier

LOG_FIELDS = ("id", "sender_number_id", "message_type", "content", "status", "sent_at")
MESSAGE_TYPES = {"text", "image", "voice", "document"}


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value or " " in value


def _check_entry(verify: Verifier, entry: Any, response: Exchange) -> None:
    label = entry.get("id") if isinstance(entry, dict) else repr(entry)
    if not isinstance(entry, dict):
        verify.check("LOG-001", False, f"log entry {label} is not an object", exchange=response)
        return
    missing = [field for field in LOG_FIELDS if field not in entry]
    verify.check(
        "LOG-001",
        not missing,
        f"log entry {label} lacks {missing}",
        expected=f"each entry has {', '.join(LOG_FIELDS)}",
        exchange=response,
    )
    if "message_type" in entry:
        verify.check(
            "LOG-001",
            entry["message_type"] in MESSAGE_TYPES,
            f"log entry {label} has message_type {entry['message_type']!r}",
            expected=f"one of {sorted(MESSAGE_TYPES)}",
            exchange=response,
        )
    if "sent_at" in entry:
        verify.check(
            "LOG-001",
            _is_datetime(entry["sent_at"]),
            f"log entry {label} has sent_at {entry['sent_at']!r}",
            expected="an ISO 8601 date-time timestamp",
            exchange=response,
        )
    if "status" in entry:
        verify.check(
            "LOG-001",
            isinstance(entry["status"], str),
            f"log entry {label} has status {entry['status']!r}",
            expected="a string status",
            exchange=response,
        )


@pytest.mark.requirement("LOG-001")
def test_log_entries_have_documented_fields(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    if tgo_config.allow_writes:
        sent = target.request("POST", MESSAGES, json=text_body(tgo_config, content=unique_text()))
        expect_success(verify, "LOG-001", sent, what="the text message sent to fill the log")
    response, entries = read_list(target, verify, "LOG-001", MESSAGES, "messages")
    if not entries:
        pytest.skip("the message log is empty and writes are not allowed (allow_writes = false)")
    for entry in entries:
        _check_entry(verify, entry, response)


def _find_by_content(entries: list[Any], content: str) -> list[dict[str, Any]]:
    return [e for e in entries if isinstance(e, dict) and e.get("content") == content]


@pytest.mark.writes
@pytest.mark.requirement("LOG-002", "LOG-003", "LOG-001")
def test_sent_text_message_appears_in_log_once_as_sent(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    content = unique_text()
    sent = target.request("POST", MESSAGES, json=text_body(tgo_config, content=content))
    if not expect_success(verify, "LOG-002", sent, what="the text message to look for in the log"):
        return
    response, entries = read_list(target, verify, "LOG-002", MESSAGES, "messages")
    found = _find_by_content(entries, content)
    verify.require(
        "LOG-002",
        len(found) == 1,
        f"the accepted message {content!r} is in the log {len(found)} times",
        expected="exactly once",
        exchange=response,
    )
    entry = found[0]
    _check_entry(verify, entry, response)
    active: Sender | None = tgo_config.sender("active")
    assert active is not None
    if active.id is not None:
        verify.check(
            "LOG-003",
            same_id(entry.get("sender_number_id"), active.id),
            f"logged sender_number_id {entry.get('sender_number_id')!r}, sent from {active.id}",
            expected="the sender's id",
            exchange=response,
        )
    verify.check(
        "LOG-003",
        entry.get("message_type") == "text",
        f"logged message_type {entry.get('message_type')!r} for a text message",
        expected="text",
        exchange=response,
    )


@pytest.mark.writes
@pytest.mark.requirement("LOG-002", "LOG-003")
@pytest.mark.parametrize("message_type", ["image", "voice", "document"])
def test_sent_media_message_appears_in_log(
    message_type: str, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    _before_response, before = read_list(target, verify, "LOG-002", MESSAGES, "messages")
    sent = target.request("POST", MESSAGES, **media_body(tgo_config, message_type).kwargs())
    if not expect_success(verify, "LOG-002", sent, what=f"the {message_type} message to look for"):
        return
    response, after = read_list(target, verify, "LOG-002", MESSAGES, "messages")
    known = {str(e.get("id")) for e in before if isinstance(e, dict)}
    new = [e for e in after if isinstance(e, dict) and str(e.get("id")) not in known]
    ok, body = parse_json(sent)
    sent_id = body.get("id") if ok and isinstance(body, dict) else None
    if sent_id is not None:
        new = [e for e in new if same_id(e.get("id"), sent_id)] or new
    candidates = [e for e in new if e.get("message_type") == message_type]
    verify.check(
        "LOG-002",
        bool(new),
        f"no new log entry after an accepted {message_type} message",
        expected="the message appears in the log",
        exchange=response,
    )
    if new:
        verify.check(
            "LOG-003",
            bool(candidates),
            f"new log entries after a {message_type} message have message_type "
            f"{[e.get('message_type') for e in new]}",
            expected=f"message_type {message_type}",
            exchange=response,
        )


def _usage_of(entries: list[Any], sender: Sender) -> int:
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if (sender.id is not None and same_id(entry.get("sender_number_id"), sender.id)) or (
            sender.phone is not None and entry.get("sender_phone") == sender.phone
        ):
            return usage_count(entry) or 0
    return 0


@pytest.mark.requirement("USAGE-001")
def test_usage_is_grouped_by_sender_number(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    if tgo_config.allow_writes:
        sent = target.request("POST", MESSAGES, json=text_body(tgo_config, content=unique_text()))
        expect_success(verify, "USAGE-001", sent, what="the text message sent to create usage")
    response, entries = read_list(target, verify, "USAGE-001", USAGE, "usage")
    if not entries:
        pytest.skip("usage is empty and writes are not allowed (allow_writes = false)")
    seen: set[str] = set()
    for entry in entries:
        sender = (
            entry.get("sender_number_id", entry.get("sender_phone"))
            if isinstance(entry, dict)
            else None
        )
        verify.check(
            "USAGE-001",
            sender is not None,
            f"usage entry {entry!r} names no sender_number_id or sender_phone",
            expected="each group names its sender number",
            exchange=response,
        )
        verify.check(
            "USAGE-001",
            isinstance(entry, dict) and usage_count(entry) is not None,
            f"usage entry {entry!r} has no message count",
            expected="a count field (count, message_count, total, ...)",
            exchange=response,
        )
        verify.check(
            "USAGE-001",
            str(sender) not in seen,
            f"sender {sender} has more than one usage group",
            expected="one group per sender number",
            exchange=response,
        )
        seen.add(str(sender))


@pytest.mark.writes
@pytest.mark.requirement("USAGE-002")
def test_usage_grows_when_a_message_is_sent(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    active = tgo_config.sender("active")
    assert active is not None
    _, before = read_list(target, verify, "USAGE-002", USAGE, "usage")
    sent = target.request("POST", MESSAGES, json=text_body(tgo_config, content=unique_text()))
    if not expect_success(verify, "USAGE-002", sent, what="the text message that should count"):
        return
    response, after = read_list(target, verify, "USAGE-002", USAGE, "usage")
    was, now = _usage_of(before, active), _usage_of(after, active)
    verify.check(
        "USAGE-002",
        now >= was + 1,
        f"usage of the active sender went from {was} to {now} after one accepted message",
        expected=f"at least {was + 1}",
        exchange=response,
    )
