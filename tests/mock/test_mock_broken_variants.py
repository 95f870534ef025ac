"""The broken variants whose break is more than one answer: what they then let through."""

from __future__ import annotations

import pytest
from tgo_mock_client import MakeMock, error_of

BAD_DURATION = (422, "invalid_duration")
BAD_PHONE = (422, "invalid_phone")


@pytest.mark.parametrize("name", ["send_to_unreachable", "send_to_unverified"])
def test_undeliverable_sends_show_as_delivered(make_mock: MakeMock, name: str) -> None:
    """RCPT-007/008: accepting is allowed (READ-016); only "delivered" contradicts the docs."""
    mock = make_mock(names=[name])
    recipient = "unreachable" if name == "send_to_unreachable" else "unverified"
    phone = mock.seeded.recipients.as_dict()[recipient]
    assert error_of(mock.send_text(to_phone=phone)) == (201, None)
    assert [e["status"] for e in mock.get("/messages").json()] == ["delivered"]


@pytest.mark.parametrize("duration", ["forty", ""])
def test_a_duration_that_is_no_number_is_taken_as_none(make_mock: MakeMock, duration: str) -> None:
    mock = make_mock(names=["voice_accept_non_number"])
    assert mock.send_media("voice", duration=duration).status_code == 201
    assert "duration" not in mock.get("/messages").json()[0]
    for number in ("0", "301", "1.5", "1e2"):  # numbers keep their rules
        assert error_of(mock.send_media("voice", duration=number)) == BAD_DURATION


@pytest.mark.parametrize(
    "phone,ok", [("+12", True), ("+12345678901", True), ("+201010000000", False)]
)
def test_real_numbers_of_twelve_digits_and_more_are_refused(
    make_mock: MakeMock, phone: str, ok: bool
) -> None:
    mock = make_mock(names=["e164_reject_real_numbers"])
    assert error_of(mock.lookup(phone=phone)) == ((200, None) if ok else BAD_PHONE)
