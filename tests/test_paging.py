"""The list reader's paging conventions (conformance/checks/paging.py): each one real APIs use
is followed, and a page that signals more than it gave in a way none of them follows is not
taken for the end (READ-020)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.checks.lists import list_items
from conformance.checks.paging import next_page

URL = "https://target.example/api/v1/sender-numbers?limit=2"
ITEMS = [{"id": "sn_2"}, {"id": "sn_1"}]


def _query(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize(
    ("body", "headers", "convention", "parameter", "value"),
    [
        ({"data": ITEMS, "links": {"next": "/p2"}}, {}, "links.next", None, None),
        ({"data": ITEMS, "next_page_url": "/p2"}, {}, "next_page_url", None, None),
        ({"results": ITEMS, "next": "/p2", "count": 9}, {}, "next", None, None),
        (ITEMS, {"link": '</p2>; rel="next"'}, "Link header", None, None),
        (
            {"object": "list", "data": ITEMS, "has_more": True},
            {},
            "has_more with starting_after",
            "starting_after",
            "sn_1",
        ),
        ({"items": ITEMS, "next_page_token": "abc"}, {}, "next_page_token", "page_token", "abc"),
        ({"data": ITEMS, "meta": {"next_cursor": "c2"}}, {}, "next_cursor", "cursor", "c2"),
        ({"data": ITEMS, "pagination": {"cursor": "c2"}}, {}, "cursor", "cursor", "c2"),
        ({"data": ITEMS, "page": 1, "total_pages": 3}, {}, "page numbers", "page", "2"),
        ({"data": ITEMS, "meta": {"current_page": 2, "last_page": 3}}, {}, "page", "page", "3"),
        ({"data": ITEMS, "page": 4}, {}, "until an empty page", "page", "5"),
        ({"results": ITEMS, "offset": 0, "limit": 2, "total": 5}, {}, "offset", "offset", "2"),
    ],
)
def test_every_convention_leads_to_the_next_page(
    body: Any,
    headers: dict[str, str],
    convention: str,
    parameter: str | None,
    value: str | None,
) -> None:
    found = next_page(URL, headers, body, ITEMS, 2)
    assert found.url is not None and found.unreadable is None
    assert convention in found.convention
    if parameter is None:
        assert found.url == "/p2"
    else:
        query = _query(found.url)
        assert query[parameter] == [value]
        assert query["limit"] == ["2"], "the other query parameters are kept"


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": ITEMS, "has_more": False},
        {"items": ITEMS, "next_page_token": ""},
        {"data": ITEMS, "meta": {"next_cursor": None}},
        {"data": ITEMS, "page": 3, "total_pages": 3},
        {"data": [], "page": 5},
        {"results": ITEMS, "offset": 3, "limit": 2, "total": 5},
        {"data": ITEMS, "links": {"next": None}},
        ITEMS,
        # A total beside no paging field may count something else (a usage body's messages).
        {"data": ITEMS, "total": 57},
    ],
)
def test_the_last_page_is_the_end(body: Any) -> None:
    items = list_items(body, "sender_numbers")
    assert items is not None
    found = next_page(URL, {}, body, items, 5)
    assert found.url is None and found.unreadable is None, found


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"object": "list", "data": [{"name": "x"}], "has_more": True}, "has_more"),
        ({"data": ITEMS, "limit": 2, "total": 9}, "holds 9 entries but gave 2"),
        ({"data": ITEMS, "meta": {"total": 9}}, "holds 9 entries but gave 2"),
    ],
)
def test_more_that_cannot_be_followed_is_said_never_taken_for_the_end(body: Any, says: str) -> None:
    items = body["data"]
    found = next_page(URL, {}, body, items, len(items))
    assert found.url is None
    assert found.unreadable is not None and says in found.unreadable


def test_an_entry_without_id_is_read_on_from_its_one_id_field() -> None:
    usage = [{"sender_number_id": 12, "count": 3}]
    found = next_page(URL, {}, {"data": usage, "has_more": True}, usage, 1)
    assert _query(found.url)["starting_after"] == ["12"]
