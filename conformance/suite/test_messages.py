"""Sending messages: the four types, their encodings, the sender fields and required fields.

Every refusal case is a reference message the target accepts (sent first, once per process:
`reference`) changed in one property; where the case broke one field, a refusal whose error
names another field instead does not count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import (
    Broken,
    Refusal,
    broke,
    expect_code,
    expect_refusal,
    expect_success,
    invalid_body,
)
from conformance.checks.values import shown
from conformance.config import TargetConfig
from conformance.generation.payloads import (
    OMIT,
    UNREGISTERED_SENDER_ID,
    UNREGISTERED_SENDER_PHONE,
    media_body,
    text_body,
)
from conformance.generation.references import Confirmation
from conformance.generation.requests import unique_text
from conformance.not_run import skip_because
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import Verifier


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "message_type" in metafunc.fixturenames:
        metafunc.parametrize("message_type", list(rules_of(metafunc.config).media_types))


@pytest.mark.writes
@pytest.mark.requirement("MSG-001", "MSG-003", "MSG-009", "SENDER-007", "SENDER-008")
@pytest.mark.parametrize("by", ["phone", "id"])
def test_send_text_as_json_from_active_sender(
    by: str, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    sender = tgo_config.sender("active")
    assert sender is not None
    if by == "id" and sender.id is None:
        skip_because(tgo_config.missing("senders", "active.id"))
    body = text_body(tgo_config, by=by, content=unique_text())
    response = target.call("sendMessage", json=body)
    for req in ("MSG-001", "MSG-003", "MSG-009", "SENDER-007", "SENDER-008"):
        expect_success(verify, req, response, what=f"text message, sender by {by}")


@pytest.mark.writes
@pytest.mark.requirement("MSG-001", "MSG-005", "MSG-009", "SENDER-008")
@pytest.mark.parametrize("by", ["phone", "id"])
def test_send_media_as_multipart_with_file_in_media(
    message_type: str, by: str, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    sender = tgo_config.sender("active")
    assert sender is not None
    if by == "id" and sender.id is None:
        skip_because(tgo_config.missing("senders", "active.id"))
    response = target.call("sendMessage", **media_body(tgo_config, message_type, by=by).kwargs())
    for req in ("MSG-001", "MSG-005", "MSG-009", "SENDER-008"):
        expect_success(
            verify, req, response, what=f"{message_type} message as multipart, sender by {by}"
        )


Reference = Callable[[str], Confirmation]


def _refused_422(
    verify: Verifier,
    rules: Rules,
    req: str,
    response: Any,
    what: str,
    broken: Broken | None = None,
) -> None:
    """Refused as an invalid body: 422 or 400, either page (ERR-006, READ-003)."""
    for requirement in (req, "ERR-006"):
        expect_refusal(verify, requirement, response, invalid_body(rules), what=what, broken=broken)


def _reference_of(encoding: str) -> str:
    return "text" if encoding == "json" else "image"


@pytest.mark.requirement("MSG-002", "ERR-006", "ERR-014")
@pytest.mark.parametrize("encoding", ["json", "multipart"])
# Not "TEXT": whether a type is case-sensitive the docs do not say.
@pytest.mark.parametrize("unknown_type", ["video", "", "sticker"])
def test_send_refuses_unknown_type(
    unknown_type: str,
    encoding: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference(_reference_of(encoding))
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": text_body(tgo_config, type=unknown_type)}
    else:
        kwargs = media_body(tgo_config, "image", type=unknown_type).kwargs()
    response = target.call("sendMessage", **kwargs)
    what = f"{encoding} message of type {shown(unknown_type)}"
    broken = broke(tgo_rules, "sendMessage", "type")
    _refused_422(verify, tgo_rules, "MSG-002", response, what, broken)


@pytest.mark.requirement("MSG-004", "ERR-006", "ERR-014")
def test_send_refuses_text_without_content(
    target: Any, tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier, reference: Reference
) -> None:
    reference("text")
    response = target.call("sendMessage", json=text_body(tgo_config, content=OMIT))
    broken = broke(tgo_rules, "sendMessage", "content")
    _refused_422(verify, tgo_rules, "MSG-004", response, "text message without content", broken)


@pytest.mark.requirement("MSG-006", "ERR-006", "ERR-014")
def test_send_refuses_media_message_without_file(
    message_type: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference(message_type)
    multipart = media_body(tgo_config, message_type, media=False)
    # Without a file httpx would send urlencoded; force multipart with an unrelated empty part.
    kwargs = {
        "data": multipart.fields,
        "files": {"attachment_note": ("note.txt", b"", "text/plain")},
    }
    response = target.call("sendMessage", **kwargs)
    what = f"{message_type} message with no media part"
    _refused_422(
        verify, tgo_rules, "MSG-006", response, what, broke(tgo_rules, "sendMessage", "media")
    )


@pytest.mark.requirement("MSG-006")
def test_send_refuses_media_type_sent_as_json(
    message_type: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("text")
    body = text_body(tgo_config, type=message_type, content=OMIT, duration=45)
    response = target.call("sendMessage", json=body)
    # An invalid body (422 or 400, READ-003), or the wrong content type for a media message
    # (415): READ-034.
    refusal = invalid_body(tgo_rules).widened(415)
    what = f"{message_type} message as JSON, with no file"
    expect_refusal(verify, "MSG-006", response, refusal, what=what)


@pytest.mark.requirement("MSG-007", "ERR-006", "ERR-014")
@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_send_refuses_both_sender_fields(
    encoding: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference(_reference_of(encoding))
    sender = tgo_config.sender("active")
    assert sender is not None
    both: dict[str, Any] = {
        "sender_phone": sender.phone or UNREGISTERED_SENDER_PHONE,
        "sender_number_id": sender.id if sender.id is not None else UNREGISTERED_SENDER_ID,
    }
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": text_body(tgo_config, **both)}
    else:
        kwargs = media_body(tgo_config, "image", **both).kwargs()
    response = target.call("sendMessage", **kwargs)
    _refused_422(
        verify,
        tgo_rules,
        "MSG-007",
        response,
        f"{encoding} message naming both sender_phone and sender_number_id",
    )


@pytest.mark.requirement("MSG-008", "ERR-006", "ERR-014")
@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_send_refuses_neither_sender_field(
    encoding: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference(_reference_of(encoding))
    neither = {"sender_phone": OMIT, "sender_number_id": OMIT}
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": text_body(tgo_config, **neither)}
    else:
        kwargs = media_body(tgo_config, "image", **neither).kwargs()
    response = target.call("sendMessage", **kwargs)
    _refused_422(verify, tgo_rules, "MSG-008", response, f"{encoding} message naming no sender")


@pytest.mark.requirement("MSG-010", "ERR-008")
@pytest.mark.parametrize("by", ["sender_number_id", "sender_phone"])
def test_send_refuses_sender_that_is_not_registered(
    by: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("text")
    fields: dict[str, Any] = (
        {"sender_number_id": UNREGISTERED_SENDER_ID, "sender_phone": OMIT}
        if by == "sender_number_id"
        else {"sender_phone": UNREGISTERED_SENDER_PHONE, "sender_number_id": OMIT}
    )
    response = target.call("sendMessage", json=text_body(tgo_config, **fields))
    # error-codes.txt files not_found under 400 and 404; the TGO table's 422 fits an invalid
    # field value (READ-008).
    refusal = Refusal.exactly(400, 404, tgo_rules.invalid_body_status)
    what = f"text message from an unregistered {by}"
    # An unknown sender may be called "not active" (READ-007, READ-008): only the fields count.
    broken = Broken(by, tgo_rules.operations["sendMessage"].body_fields)
    if expect_refusal(verify, "MSG-010", response, refusal, what=what, broken=broken):
        expect_code(verify, "ERR-008", response, {tgo_rules.not_found_code}, what=what)


@pytest.mark.requirement("MSG-011", "ERR-006", "ERR-014")
@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_send_refuses_message_without_to_phone(
    encoding: str,
    target: Any,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference(_reference_of(encoding))
    if encoding == "json":
        kwargs: dict[str, Any] = {"json": text_body(tgo_config, to_phone=OMIT)}
    else:
        kwargs = media_body(tgo_config, "image", to_phone=OMIT).kwargs()
    response = target.call("sendMessage", **kwargs)
    what = f"{encoding} message without to_phone"
    _refused_422(
        verify, tgo_rules, "MSG-011", response, what, broke(tgo_rules, "sendMessage", "to_phone")
    )
