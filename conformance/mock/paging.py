"""List bodies: order, envelope and pages, with the next page announced (READ-018..020).

The faithful mock sends a list whole as a bare array, oldest first. Under the choices a list may
be newest first, wrapped in an envelope, and cut into pages of `page_size` (`?page=N`, from 1),
the next page announced in the body (links.next, next_page_url, next) or in an RFC 8288 Link
header. A page beyond the end is empty; the last page announces no next one (null in the body).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.datastructures import URL

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import ValidationError
from conformance.mock.views import LIST_NAMES, Json

_PAGE = re.compile(r"[1-9][0-9]{0,8}")


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
        number = self._page_number(query)
        start = (number - 1) * size
        page = ordered[start : start + size]
        following = str(url.include_query_params(page=number + 1))
        next_url = following if start + size < len(ordered) else None
        if self.choices.paging == "link_header":
            headers = {} if next_url is None else {"Link": f'<{next_url}>; rel="next"'}
            return Listing(self._wrap(page, resource), headers)
        body = self._wrap(page, resource)
        if not isinstance(body, dict):
            body = {"data": body}  # a bare array has nowhere to announce the next page
        if self.choices.paging == "links.next":
            body["links"] = {"next": next_url}
        else:  # "next_page_url" or "next": the field of that name
            body[self.choices.paging] = next_url
        return Listing(body)

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
