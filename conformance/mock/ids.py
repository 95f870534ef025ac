"""How resource ids look on the wire: integers, or prefixed strings (choices.id_style).

The docs show integer ids and leave the format open, so the compatible variant compat_string_ids
turns them into strings such as "snd_12"; requests accept both forms either way.
"""

from __future__ import annotations

import re
from typing import Literal

from conformance.mock.behaviour import IdStyle

IdKind = Literal["sender", "message", "recipient"]

PREFIXES: dict[IdKind, str] = {"sender": "snd_", "message": "msg_", "recipient": "rcp_"}

# Longer digit strings cannot name a stored record; bounding them also keeps int() cheap.
_NUMERIC = re.compile(r"[0-9]{1,18}")
_PREFIXED_SENDER = re.compile(r"snd_([0-9]{1,18})")


def encode(kind: IdKind, number: int, style: IdStyle) -> int | str:
    """The id as the mock writes it in a response."""
    return f"{PREFIXES[kind]}{number}" if style == "prefixed" else number


def decode_sender_id(raw: str) -> int | None:
    """The sender number id a request names as text, or None when it names none that can exist."""
    match = _NUMERIC.fullmatch(raw) or _PREFIXED_SENDER.fullmatch(raw)
    if match is None:
        return None
    return int(match.group(1) if match.re is _PREFIXED_SENDER else match.group(0))
