"""Reading list responses whatever envelope the server chose (the docs name none)."""

from __future__ import annotations

from typing import Any

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
