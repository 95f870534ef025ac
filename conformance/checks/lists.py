"""Reading list responses whatever envelope the server chose (the docs name none)."""

from __future__ import annotations

from typing import Any

from conformance.checks.errors import parse_json
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.verify import Verifier

ENVELOPE_KEYS = ("data", "items", "results")
USAGE_COUNT_FIELDS = (
    "count",
    "message_count",
    "messages_count",
    "total",
    "total_messages",
    "messages_sent",
)


def list_items(body: Any, resource: str) -> list[Any] | None:
    """The entries of a list response: a bare array, or an array under data / items / results
    or the resource's own name. None when the body is none of these."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in (*ENVELOPE_KEYS, resource):
            value = body.get(key)
            if isinstance(value, list):
                return value
    return None


def usage_count(entry: dict[str, Any]) -> int | None:
    """The message count of one usage group, under any of the accepted field names."""
    for name in USAGE_COUNT_FIELDS:
        value = entry.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def same_id(left: Any, right: Any) -> bool:
    """Ids may be integers or strings (undocumented): 12 and "12" name the same thing."""
    return left is not None and right is not None and str(left) == str(right)


def read_list(
    target: TargetClient, verify: Verifier, requirement: str, path: str, resource: str
) -> tuple[Exchange, list[Any]]:
    """GET a list operation; a missing or unreadable list fails ``requirement`` at once."""
    response = target.request("GET", path)
    ok, body = parse_json(response)
    items = list_items(body, resource) if ok else None
    verify.require(
        requirement,
        response.status_code == 200 and items is not None,
        f"GET {path} answered {response.status_code} with no list",
        expected=f"200 with a JSON list (bare, or under data/items/results/{resource})",
        exchange=response,
    )
    assert items is not None
    return response, items
