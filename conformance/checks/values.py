"""Readers for values whose form the docs leave open: timestamps, delivery words, identifiers."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

# READ-014: RFC 3339 / ISO 8601 text ("T" or a space, any fraction, Z, an offset, or none).
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:?\d{2})?"
)
# Unix times between 2001 and 2286, in seconds or milliseconds.
_EPOCH_SECONDS = (1_000_000_000, 9_999_999_999)


def is_timestamp(value: Any) -> bool:
    """Whether `value` is a timestamp under some reading of the docs' "timestamp" (READ-014)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        seconds = value / 1000 if value > _EPOCH_SECONDS[1] else value
        return _EPOCH_SECONDS[0] <= seconds <= _EPOCH_SECONDS[1]
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value.strip()):
        return False
    try:
        datetime.fromisoformat(value.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# READ-016 / READ-029: the log's status words are undocumented. These say a message reached
# its recipient, or that it never will; any other word says neither (yet).
DELIVERED_WORDS = frozenset({"delivered", "read", "seen"})
FAILED_WORDS = frozenset(
    {
        "failed",
        "failure",
        "undelivered",
        "not_delivered",
        "undeliverable",
        "rejected",
        "error",
        "unreachable",
        "bounced",
        "expired",
        "dropped",
        "cancelled",
        "canceled",
    }
)


def delivery_word(status: Any) -> str | None:
    """ "delivered", "failed", or None when the status says neither (pending, sent, queued...)."""
    if not isinstance(status, str):
        return None
    word = status.strip().lower().replace("-", "_").replace(" ", "_")
    if word in DELIVERED_WORDS:
        return "delivered"
    if word in FAILED_WORDS:
        return "failed"
    return None


def shown(value: object) -> str:
    """A value the target sent, as a report shows it: JSON, the way the target wrote it (a
    Python repr would say None for null and quote strings the Python way)."""
    return json.dumps(value, ensure_ascii=False, default=str)
