"""The compatible variants that shape responses, each under the reading it takes
(openapi/readings.yaml): pages and their next links, accept-then-fail and a lagging log,
timestamps, the lookup's and usage's fields, list envelopes."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import T0, Clock
from tgo_mock_client import (
    MakeMock,
    MockClient,
    entries_of,
    error_of,
    list_all,
    next_url,
)

from conformance.mock.behaviour import Behaviour, Choices
from conformance.mock.delivery import QUEUE_SECONDS, Delivery
from conformance.mock.records import Contact, Message


def statuses(mock: MockClient) -> list[str]:
    return [entry["status"] for entry in list_all(mock, "/messages")]


def active_usage(mock: MockClient) -> int:
    rows = list_all(mock, "/usage")
    return int(next(r["message_count"] for r in rows if r["sender_number_id"] == 12))


# --- READ-020: paging ---

PAGING = [
    "compat_paging_links_next",
    "compat_paging_next_page_url",
    "compat_paging_next_field",
    "compat_paging_link_header",
]


@pytest.mark.parametrize("name", PAGING)
def test_lists_come_in_pages_of_two_with_a_next_link(make_mock: MakeMock, name: str) -> None:
    mock = make_mock(names=[name])
    first = mock.get("/sender-numbers")
    assert [s["id"] for s in entries_of(first.json())] == [12, 13]
    url = next_url(first)
    assert url == "http://testserver/api/v1/sender-numbers?page=2"
    if name == "compat_paging_link_header":
        assert isinstance(first.json(), list)
        assert first.headers["link"] == f'<{url}>; rel="next"'
    else:
        assert set(first.json()) == {
            "data",
            "links" if name.endswith("links_next") else next_key(name),
        }
    ids = [s["id"] for s in list_all(mock, "/sender-numbers")]
    assert ids == [12, 13, 14, 15, 16]


def next_key(name: str) -> str:
    return "next_page_url" if name.endswith("next_page_url") else "next"


@pytest.mark.parametrize("name", PAGING)
def test_the_last_page_announces_no_next_one(make_mock: MakeMock, name: str) -> None:
    mock = make_mock(names=[name])
    last = mock.get("/sender-numbers", params={"page": "3"})
    assert [s["id"] for s in entries_of(last.json())] == [16]
    assert next_url(last) is None
    assert "link" not in last.headers
    body = last.json()
    if name == "compat_paging_links_next":
        assert body["links"] == {"next": None}
    elif name != "compat_paging_link_header":
        assert body[next_key(name)] is None
    beyond = mock.get("/sender-numbers", params={"page": "9"})
    assert entries_of(beyond.json()) == [] and next_url(beyond) is None


# Conventions that page by position, each with its own envelope; newest first in pages of 2.
BY_POSITION = {
    "compat_paging_has_more": ("has_more", "starting_after"),
    "compat_paging_page_token": ("next_page_token", "page_token"),
    "compat_paging_cursor": ("meta", "cursor"),
    "compat_paging_page_number": ("total_pages", "page"),
    "compat_paging_offset": ("total", "offset"),
}


@pytest.mark.parametrize("name", sorted(BY_POSITION))
def test_every_paging_convention_is_read_to_its_end(make_mock: MakeMock, name: str) -> None:
    mock = make_mock(names=[name])
    first = mock.get("/sender-numbers")
    signal, parameter = BY_POSITION[name]
    assert signal in first.json()
    assert [s["id"] for s in entries_of(first.json())] == [16, 15]
    following = next_url(first)
    assert following is not None and parameter in parse_qs(urlsplit(following).query)
    assert [s["id"] for s in list_all(mock, "/sender-numbers")] == [16, 15, 14, 13, 12]
    for n in range(3):
        assert mock.send_text(content=f"message {n}").status_code == 201
    assert [e["content"] for e in list_all(mock, "/messages")] == [
        "message 2",
        "message 1",
        "message 0",
    ]
    assert len(list_all(mock, "/usage")) == 5


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("compat_paging_has_more", {"starting_after": "999"}),
        ("compat_paging_page_token", {"page_token": "not-a-token"}),
        ("compat_paging_cursor", {"cursor": "cDE"}),
        ("compat_paging_offset", {"offset": "-1"}),
    ],
)
def test_a_cursor_the_server_never_gave_is_refused(
    make_mock: MakeMock, name: str, query: dict[str, str]
) -> None:
    mock = make_mock(names=[name])
    assert error_of(mock.get("/sender-numbers", params=query)) == (422, "validation_error")


def test_pages_keep_the_other_list_choices(make_mock: MakeMock) -> None:
    mock = make_mock(
        names=["compat_reverse_order", "compat_envelope_named", "compat_paging_next_field"]
    )
    first = mock.get("/sender-numbers").json()
    assert [s["id"] for s in first["sender_numbers"]] == [16, 15]
    assert first["next"].endswith("?page=2")
    assert [s["id"] for s in list_all(mock, "/sender-numbers")] == [16, 15, 14, 13, 12]


def test_pages_are_stable_and_cover_every_list(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_paging_links_next"])
    for n in range(5):
        assert mock.send_text(content=f"message {n}").status_code == 201
    assert (
        mock.get("/messages", params={"page": "2"}).json()
        == mock.get("/messages", params={"page": "2"}).json()
    )
    assert [e["content"] for e in list_all(mock, "/messages")] == [f"message {n}" for n in range(5)]
    assert len(list_all(mock, "/usage")) == 5


def test_the_next_link_keeps_the_other_query_parameters(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_paging_next_page_url"])
    body = mock.get("/sender-numbers", params={"page": "2", "x": "1"}).json()
    url = urlsplit(body["next_page_url"])
    assert url[:3] == ("http", "testserver", "/api/v1/sender-numbers")
    assert parse_qs(url.query) == {"page": ["3"], "x": ["1"]}


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", ""])
def test_a_page_that_is_no_positive_integer_is_refused(make_mock: MakeMock, page: str) -> None:
    mock = make_mock(names=["compat_paging_links_next"])
    assert error_of(mock.get("/messages", params={"page": page})) == (422, "validation_error")


def test_lists_ignore_page_when_they_do_not_page(mock: MockClient) -> None:
    assert len(mock.get("/sender-numbers", params={"page": "2"}).json()) == 5


# --- READ-016: accept, then deliver or fail ---


@pytest.mark.parametrize(
    "recipient,settled",
    [("reachable", "delivered"), ("unreachable", "failed"), ("unverified", "failed")],
)
def test_accept_then_settle(
    make_mock: MakeMock, clock: Clock, recipient: str, settled: str
) -> None:
    mock = make_mock(names=["compat_accept_then_fail"])
    response = mock.send_text(to_phone=mock.seeded.recipients.as_dict()[recipient])
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert statuses(mock) == ["queued"]
    assert active_usage(mock) == 1  # counted when accepted
    clock.advance(QUEUE_SECONDS - 0.01)
    assert statuses(mock) == ["queued"]
    clock.advance(0.01)
    assert statuses(mock) == [settled]


def test_an_undeliverable_message_fails_in_real_time(make_mock: MakeMock) -> None:
    import time

    mock = make_mock(names=["compat_accept_then_fail"])
    response = mock.send_text(to_phone=mock.seeded.recipients.unreachable)
    assert response.json()["status"] == "queued"
    time.sleep(QUEUE_SECONDS + 0.05)
    assert statuses(mock) == ["failed"]


def test_registration_keeps_201_when_sends_answer_202(make_mock: MakeMock) -> None:
    for name in ("compat_accept_then_fail", "compat_send_202"):
        mock = make_mock(names=[name])
        assert mock.register("+201005550000").status_code == 201
        assert mock.send_text().status_code == 202


def test_delivery_settles_by_the_time_it_is_read() -> None:
    delivery = Delivery(Behaviour(choices=Choices(delivery="queued")))
    reachable = Contact(1, "+201010000000", T0, True)
    assert delivery.settle(reachable) == "delivered"
    assert delivery.settle(None) == "failed"
    message = Message(
        1, 12, "+201001187188", "+201010000000", "text", "hi", None, None, "failed", T0
    )
    assert delivery.shown(message, T0).status == "queued"
    assert delivery.shown(message, T0 + timedelta(seconds=QUEUE_SECONDS)).status == "failed"


# --- READ-046: a lagging log; READ-029: the status word ---


def test_the_log_and_usage_lag_half_a_second(make_mock: MakeMock, clock: Clock) -> None:
    mock = make_mock(names=["compat_log_lags"])
    assert mock.send_text().status_code == 201
    assert statuses(mock) == [] and active_usage(mock) == 0
    clock.advance(0.49)
    assert statuses(mock) == [] and active_usage(mock) == 0
    clock.advance(0.01)
    assert statuses(mock) == ["sent"] and active_usage(mock) == 1


def test_the_status_word_is_accepted(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_status_words"])
    assert mock.send_text().json()["status"] == "accepted"
    assert statuses(mock) == ["accepted"]


# --- READ-014, READ-017, READ-027, READ-041: shapes ---


def test_timestamps_with_offset_and_microseconds(make_mock: MakeMock, clock: Clock) -> None:
    clock.now = T0.replace(microsecond=123456)
    mock = make_mock(names=["compat_timestamps_offset_micro"])
    assert mock.send_text().json()["sent_at"] == "2026-12-01T10:00:00.123456+00:00"
    verified_at = mock.lookup(phone="+201010000000").json()["phone_verified_at"]
    assert verified_at == "2025-01-10T08:00:00.000000+00:00"


def test_timestamps_as_unix_seconds(make_mock: MakeMock, clock: Clock) -> None:
    mock = make_mock(names=["compat_timestamps_epoch"])
    assert mock.send_text().json()["sent_at"] == int(T0.timestamp())
    assert list_all(mock, "/messages")[0]["sent_at"] == int(T0.timestamp())
    assert mock.lookup(phone="+201010000000").json()["phone_verified_at"] == 1736496000


def test_lookup_minimal(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_lookup_minimal"])
    body = mock.lookup(phone="+201010000000").json()
    assert body == {"exists": True, "can_receive": True, "reason_code": "ok"}
    unknown = mock.lookup(phone="+201010000001").json()
    assert unknown == {"exists": False, "can_receive": False, "reason_code": "not_found"}


def test_unverified_phone_does_not_exist(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_unverified_not_existing"])
    body = mock.lookup(phone=mock.seeded.recipients.unverified).json()
    assert (body["exists"], body["can_receive"]) == (False, False)
    assert body["reason_code"] != "ok"
    assert mock.lookup(phone=mock.seeded.recipients.reachable).json()["exists"] is True


def test_usage_total_by_phone_with_types(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_usage_total_by_phone"])
    mock.send_text()
    mock.send_text()
    mock.send_media("voice")
    rows = {row["sender_phone"]: row for row in mock.get("/usage").json()}
    assert rows["+201001187188"] == {
        "sender_phone": "+201001187188",
        "total_messages": 3,
        "by_type": {"text": 2, "image": 0, "voice": 1, "document": 0},
    }
    assert rows["+201001187189"]["total_messages"] == 0


def test_named_envelopes(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_envelope_named"])
    mock.send_text()
    assert set(mock.get("/sender-numbers").json()) == {"sender_numbers"}
    assert set(mock.get("/messages").json()) == {"messages"}
    assert set(mock.get("/usage").json()) == {"usage"}


def test_an_invalid_page_is_an_invalid_query(make_mock: MakeMock) -> None:
    mock = make_mock(names=["compat_paging_next_field", "compat_query_400"])
    assert error_of(mock.get("/usage", params={"page": "0"})) == (400, "validation_error")
