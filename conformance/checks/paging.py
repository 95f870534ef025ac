"""How a list page says where the next one is, under the conventions real APIs use (READ-020).

The docs name no paging, so the reader recognises the common ones: a next URL (links.next,
next_page_url, next, an RFC 8288 Link header), Stripe's `has_more` with `starting_after=<id of
the last item>`, Google AIP-158's `next_page_token` (`page_token=`), cursor fields (`next_cursor`
or `cursor`, also under `meta` or `pagination`), page numbers (`page` or `current_page` with
`last_page` or `total_pages`, else until a page comes back empty) and offsets (`offset` and
`limit` with `total` or `count`). A page that signals more than it gave (a `has_more`, a total
above what was read) in a way none of these follows is not the end: the reader says so, and a
requirement that needs an entry it did not find is then not tested, never failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

NEXT_URL_FIELDS = ("next_page_url", "next")
TOTAL_FIELDS = ("total", "total_count", "count", "total_items", "total_results")
PAGE_FIELDS = ("page", "current_page")
LAST_PAGE_FIELDS = ("last_page", "total_pages", "page_count")
NESTS = ("meta", "pagination", "page_info", "paging")
# Fields that only a paged list carries: beside them, a total counts the list's entries.
PAGING_HINTS = ("limit", "per_page", "page_size", "previous", "prev", "next", "offset")


@dataclass(frozen=True)
class NextPage:
    """What one page says of the next: where it is (None at the end), the convention that
    said so, and, when the page signals more in a way the reader cannot follow, why."""

    url: str | None
    convention: str
    unreadable: str | None = None


def _fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's top-level fields, with those of its paging object (meta, pagination...)
    where the top level lacks them."""
    merged: dict[str, Any] = {}
    for nest in NESTS:
        inner = body.get(nest)
        if isinstance(inner, dict):
            merged.update(inner)
    merged.update({k: v for k, v in body.items() if k not in NESTS})
    return merged


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _with_param(url: str, **params: Any) -> str:
    return str(httpx.URL(url).copy_merge_params({k: str(v) for k, v in params.items()}))


def next_page(
    url: str, headers: Mapping[str, str], body: Any, items: list[Any], read_so_far: int
) -> NextPage:
    """The next page after this one (`url`, absolute; `items`, this page's entries;
    `read_so_far`, entries read on every page up to this one)."""
    fields = _fields(body) if isinstance(body, dict) else {}
    links = fields.get("links")
    for name, candidate in (
        ("links.next", links.get("next") if isinstance(links, dict) else None),
        *((name, fields.get(name)) for name in NEXT_URL_FIELDS),
    ):
        if isinstance(candidate, str) and candidate:
            return NextPage(candidate, name)
    link = headers.get("link")
    if link:
        target = httpx.Response(200, headers={"link": link}).links.get("next", {}).get("url")
        if target:
            return NextPage(target, "Link header")
    for follow in (_has_more, _page_token, _cursor, _page_number, _offset):
        found = follow(url, fields, items)
        if found is not None:
            return found
    return _end(body, fields, read_so_far)


def _has_more(url: str, fields: dict[str, Any], items: list[Any]) -> NextPage | None:
    if "has_more" not in fields:
        return None
    convention = "has_more with starting_after"
    if fields["has_more"] is not True:
        return NextPage(None, convention)
    last_id = _entry_id(items[-1]) if items else None
    if last_id is None:
        return NextPage(
            None,
            convention,
            "the list says has_more, but its last entry has no id to read on from (starting_after)",
        )
    return NextPage(_with_param(url, starting_after=last_id), convention)


def _entry_id(entry: Any) -> str | int | None:
    """An entry's id: its `id`, or its one `*_id` field (a usage group names its sender)."""
    if not isinstance(entry, dict):
        return None
    named = [entry["id"]] if "id" in entry else [v for k, v in entry.items() if k.endswith("_id")]
    if len(named) != 1 or not isinstance(named[0], str | int) or isinstance(named[0], bool):
        return None
    return named[0]


def _page_token(url: str, fields: dict[str, Any], items: list[Any]) -> NextPage | None:
    if "next_page_token" not in fields:
        return None
    token = fields["next_page_token"]
    convention = "next_page_token with page_token"
    if isinstance(token, str) and token:
        return NextPage(_with_param(url, page_token=token), convention)
    return NextPage(None, convention)


def _cursor(url: str, fields: dict[str, Any], items: list[Any]) -> NextPage | None:
    for name in ("next_cursor", "cursor"):
        if name in fields:
            token = fields[name]
            convention = f"{name} with cursor"
            if isinstance(token, str | int) and not isinstance(token, bool) and str(token):
                return NextPage(_with_param(url, cursor=token), convention)
            return NextPage(None, convention)
    return None


def _page_number(url: str, fields: dict[str, Any], items: list[Any]) -> NextPage | None:
    page = next((_int(fields[f]) for f in PAGE_FIELDS if f in fields), None)
    if page is None:
        return None
    last = next((_int(fields[f]) for f in LAST_PAGE_FIELDS if f in fields), None)
    if last is not None:
        more = page < last
        convention = "page numbers with a page count"
    else:
        more = bool(items)  # read on until a page comes back empty
        convention = "page numbers until an empty page"
    return NextPage(_with_param(url, page=page + 1) if more else None, convention)


def _offset(url: str, fields: dict[str, Any], items: list[Any]) -> NextPage | None:
    offset, limit = _int(fields.get("offset")), _int(fields.get("limit"))
    if offset is None or limit is None:
        return None
    total = next((_int(fields[f]) for f in TOTAL_FIELDS if f in fields), None)
    more = offset + len(items) < total if total is not None else len(items) >= limit > 0
    convention = "offset and limit"
    if not more or not items:
        return NextPage(None, convention)
    return NextPage(_with_param(url, offset=offset + len(items), limit=limit), convention)


def _end(body: Any, fields: dict[str, Any], read_so_far: int) -> NextPage:
    """No way on: the last page, unless the page says it holds more than was read. A total
    counts only beside paging fields: a bare `total` may count something else (messages, in
    a usage body)."""
    paged = isinstance(body, dict) and (
        any(isinstance(body.get(nest), dict) for nest in NESTS)
        or any(name in fields for name in PAGING_HINTS)
    )
    total = next((_int(fields[f]) for f in TOTAL_FIELDS if f in fields), None)
    if paged and total is not None and total > read_so_far:
        return NextPage(
            None,
            "whole",
            f"the list says it holds {total} entries but gave {read_so_far}, and gives no way "
            "the suite recognises to read on",
        )
    return NextPage(None, "whole")
