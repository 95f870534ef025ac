"""How resource ids look on the wire: integers, or prefixed strings under compat_string_ids.

The docs show integer ids and leave the format open (design reading 6), so one compatible fault
turns them into strings such as "snd_12"; requests accept both forms either way.
"""

from __future__ import annotations

import re
from typing import Literal

from conformance.mock.faults import Faults

IdKind = Literal["sender", "message", "recipient"]

PREFIXES: dict[IdKind, str] = {"sender": "snd_", "message": "msg_", "recipient": "rcp_"}

# Longer digit strings cannot name a stored record; bounding them also keeps int() cheap.
_NUMERIC = re.compile(r"[0-9]{1,18}")
_PREFIXED_SENDER = re.compile(r"snd_([0-9]{1,18})")


def encode(kind: IdKind, number: int, faults: Faults) -> int | str:
    """The id as the mock writes it in a response."""
    return f"{PREFIXES[kind]}{number}" if faults.compat_string_ids else number


def decode_sender_id(raw: str) -> int | None:
    """The sender number id a request names as text, or None when it names none that can exist."""
    match = _NUMERIC.fullmatch(raw) or _PREFIXED_SENDER.fullmatch(raw)
    if match is None:
        return None
    return int(match.group(1) if match.re is _PREFIXED_SENDER else match.group(0))
