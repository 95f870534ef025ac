"""Reading list responses whatever envelope and paging the server chose (the docs name none).

READ-018: a bare array, or an object holding it (under data, items, results, the resource's
name, or as its one array). READ-020: a list may come in pages, under any of the conventions
`paging.py` recognises. The reader follows them on the target's own host only (a key never
goes elsewhere), and says when it had to stop before the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from conformance.checks.errors import parse_json
from conformance.checks.paging import next_page
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.not_run import NotRun, skip_because
from conformance.verify import Verifier

ENVELOPE_KEYS = ("data", "items", "results")
MAX_PAGES = 50
USAGE_COUNT_FIELDS = (
    "count",
    "message_count",
    "messages_count",
    "total",
    "total_messages",
    "messages_sent",
    "messages",
)
USAGE_NESTED_TOTALS = ("total", "count", "all")
USAGE_SENDER_FIELDS = ("sender_number_id", "sender_id")


def list_items(body: Any, resource: str) -> list[Any] | None:
    """The entries of a list response, or None when the body is no list under any reading."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return None
    for key in (*ENVELOPE_KEYS, resource):
        value = body.get(key)
        if isinstance(value, list):
            return value
    arrays = [v for v in body.values() if isinstance(v, list)]
    if len(arrays) == 1 and all(isinstance(item, dict) for item in arrays[0]):
        return arrays[0]
    return None


@dataclass
class Listing:
    """A list read page by page: every entry seen, and whether the reader saw them all."""

    pages: list[Exchange] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    stopped: str | None = None  # why the reader stopped before the end, if it did
    convention: str = "whole"  # how the list pages (READ-020), as the report names it

    @property
    def last(self) -> Exchange:
        return self.pages[-1]

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def skip_if_incomplete(self, what: str) -> None:
        """Skip the test when the paging stopped before the end: what it looks for may be on a
        page it could not read, so the requirement is not tested (READ-020)."""
        if self.stopped is not None:
            skip_because(
                NotRun(
                    "target_limit",
                    f"{what} could not be read to its end: {self.stopped} (READ-020)",
                )
            )


def read_listing(
    target: TargetClient,
    verify: Verifier,
    requirement: str,
    operation: str,
    resource: str,
    *,
    key: str | None = "full",
    until: Callable[[list[Any]], bool] | None = None,
) -> Listing:
    """GET the list `operation` names in the contract, page after page, until its end or
    until `until(items so far)` holds.

    A first page that is no list fails `requirement` at once; a next link that leaves the
    target's host, or a list longer than MAX_PAGES pages, stops the reader (`stopped` says)."""
    listing = Listing()
    path = target.rules.operations[operation].path
    url: str | None = path
    origin = _origin(target.config.base_url)
    visited: set[str] = set()
    while url is not None:
        absolute = _absolute(target, url)
        visited.add(absolute)
        response = target.request("GET", url, key=key, operation=operation)
        ok, body = parse_json(response)
        success = 200 <= response.status_code < 300  # any 2xx (READ-006)
        items = list_items(body, resource) if ok and success else None
        if not listing.pages:
            verify.require(
                requirement,
                items is not None,
                f"GET {path} answered {response.status_code} with no list",
                expected="a 2xx with a JSON list (bare, or in an object: READ-018)",
                exchange=response,
            )
        listing.pages.append(response)
        if items is None:
            listing.stopped = f"page {len(listing.pages)} answered {response.status_code}"
            break
        listing.items.extend(items)
        if until is not None and until(listing.items):
            break
        following = next_page(absolute, response.response_headers, body, items, len(listing.items))
        if following.convention != "whole" or len(listing.pages) > 1:
            listing.convention = following.convention
        if following.url is None:
            listing.stopped = following.unreadable
            break
        url = urljoin(absolute, following.url)
        if _origin(url) != origin:
            listing.stopped = f"the next page is on another host ({_origin(url)})"
            break
        if url in visited:
            listing.stopped = "the next page announced is one already read"
            break
        if len(listing.pages) >= MAX_PAGES:
            listing.stopped = f"more than {MAX_PAGES} pages"
            break
    verify.chose(requirement, "READ-020", f"lists: {listing.convention}")
    return listing


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _absolute(target: TargetClient, url: str) -> str:
    # Next links resolve against the URL requested (as the caller gave it: the exchange's own
    # URL is redacted).
    return url if "://" in url else target.config.base_url.rstrip("/") + "/" + url.lstrip("/")


def usage_count(entry: dict[str, Any]) -> int | None:
    """The message count of one usage group, under any of the accepted names (READ-027), or
    the total of a breakdown under one of them ({"messages": {"total": 3, "sent": 2}})."""
    for name in USAGE_COUNT_FIELDS:
        value = entry.get(name)
        if isinstance(value, dict):
            value = next((value[k] for k in USAGE_NESTED_TOTALS if k in value), None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def usage_sender(entry: dict[str, Any]) -> tuple[Any, Any]:
    """(id, phone) a usage group names its sender by (READ-027); either may be None."""
    sender_id = next((entry[f] for f in USAGE_SENDER_FIELDS if entry.get(f) is not None), None)
    return sender_id, entry.get("sender_phone")


def same_id(left: Any, right: Any) -> bool:
    """Ids may be integers or strings (undocumented): 12 and "12" name the same thing."""
    return left is not None and right is not None and str(left) == str(right)
