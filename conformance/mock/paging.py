"""List bodies: order, envelope and pages, with the next page announced (READ-018..020).

The faithful mock sends a list whole as a bare array, oldest first. Under the choices a list may
be newest first, wrapped in an envelope, and cut into pages of `page_size`, under one of the
conventions real APIs use: `?page=N` (from 1) with the next page announced in the body
(links.next, next_page_url, next) or in an RFC 8288 Link header; Stripe's `has_more` with
`?starting_after=<id>`; AIP-158's `next_page_token` with `?page_token=`; a `meta.next_cursor`
with `?cursor=`; page numbers with `total_pages`; `offset`, `limit` and `total`. A page beyond
the end is empty; the last page announces no next one.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.datastructures import URL

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import ValidationError
from conformance.mock.views import LIST_NAMES, Json

_PAGE = re.compile(r"[1-9][0-9]{0,8}")
_OFFSET = re.compile(r"0|[1-9][0-9]{0,8}")
# The conventions whose page is found from the query's own parameter, not `?page=N`.
_BY_POSITION = ("has_more", "page_token", "cursor", "offset")


@dataclass(frozen=True)
class Listing:
    """A list response: its JSON body and the headers that go with it."""

    body: object
    headers: dict[str, str] = field(default_factory=dict)


class Lists:
    """How one mock's behaviour sends lists."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.choices = behaviour.choices

    def render(
        self, items: Sequence[Json], resource: str, query: Mapping[str, list[str]], url: URL
    ) -> Listing:
        """The list (or the page of it the query asks for) at this URL."""
        ordered = list(reversed(items)) if self.choices.newest_first else list(items)
        size = self.choices.page_size
        if size is None:
            return Listing(self._wrap(ordered, resource))
        paging = self.choices.paging
        if paging in _BY_POSITION:
            return self._by_position(ordered, resource, query, url, size)
        number = self._page_number(query)
        start = (number - 1) * size
        page = ordered[start : start + size]
        if paging == "page_number":
            pages = max(1, -(-len(ordered) // size))
            return Listing({"data": page, "page": number, "per_page": size, "total_pages": pages})
        following = str(url.include_query_params(page=number + 1))
        next_url = following if start + size < len(ordered) else None
        if paging == "link_header":
            headers = {} if next_url is None else {"Link": f'<{next_url}>; rel="next"'}
            return Listing(self._wrap(page, resource), headers)
        body = self._wrap(page, resource)
        if not isinstance(body, dict):
            body = {"data": body}  # a bare array has nowhere to announce the next page
        if paging == "links.next":
            body["links"] = {"next": next_url}
        else:  # "next_page_url" or "next": the field of that name
            body[paging] = next_url
        return Listing(body)

    def _by_position(
        self,
        ordered: list[Json],
        resource: str,
        query: Mapping[str, list[str]],
        url: URL,
        size: int,
    ) -> Listing:
        """A page that starts where the query's cursor, token or offset says."""
        paging = self.choices.paging
        if paging == "has_more":
            start = self._after(ordered, self._single(query, "starting_after"))
        elif paging == "offset":
            start = self._offset(query)
        else:
            start = self._token(
                self._single(query, "page_token" if paging == "page_token" else "cursor")
            )
        page = ordered[start : start + size]
        more = start + size < len(ordered)
        token = _encode(start + size) if more else None
        if paging == "has_more":
            return Listing({"object": "list", "url": url.path, "data": page, "has_more": more})
        if paging == "page_token":
            return Listing({LIST_NAMES[resource]: page, "next_page_token": token or ""})
        if paging == "cursor":
            return Listing({"data": page, "meta": {"next_cursor": token}})
        return Listing({"results": page, "offset": start, "limit": size, "total": len(ordered)})

    @staticmethod
    def _single(query: Mapping[str, list[str]], name: str) -> str | None:
        values = query.get(name, [])
        if len(values) > 1:
            raise ValidationError(f"{name} must be given once")
        return values[0] if values else None

    @staticmethod
    def _after(ordered: list[Json], last_id: str | None) -> int:
        if last_id is None:
            return 0
        for index, item in enumerate(ordered):
            if (
                isinstance(item, dict)
                and str(item.get("id", item.get("sender_number_id"))) == last_id
            ):
                return index + 1
        raise ValidationError("starting_after names no entry of this list")

    @staticmethod
    def _token(token: str | None) -> int:
        if token is None:
            return 0
        try:
            position = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
        except (ValueError, UnicodeError):
            raise ValidationError("the page token is not one this server gave") from None
        if not position.startswith("p") or not _OFFSET.fullmatch(position[1:]):
            raise ValidationError("the page token is not one this server gave")
        return int(position[1:])

    def _offset(self, query: Mapping[str, list[str]]) -> int:
        value = self._single(query, "offset")
        if value is None:
            return 0
        if not _OFFSET.fullmatch(value):
            raise ValidationError("offset must be a whole number")
        return int(value)

    def _wrap(self, items: list[Json], resource: str) -> list[Json] | dict[str, object]:
        envelope = self.choices.list_envelope
        if envelope == "bare":
            return items
        return {LIST_NAMES[resource] if envelope == "named" else envelope: items}

    def _page_number(self, query: Mapping[str, list[str]]) -> int:
        values = query.get("page", [])
        if not values:
            return 1
        if len(values) > 1 or not _PAGE.fullmatch(values[0]):
            raise ValidationError("page must be a positive integer, given once")
        return int(values[0])


def _encode(position: int) -> str:
    """An opaque token for a position in a list (a client reads it back, never builds it)."""
    return base64.urlsafe_b64encode(f"p{position}".encode("ascii")).decode("ascii")
