"""A number of seconds as a request spells it: the one definition the mock and the judge share.

The docs say "include the duration field (in seconds, between 1 and 300)" and show
`-F "duration=45"` (sending-messages.txt); the contract types the field an integer. They are
silent on every other spelling, so the readings register (READ-013) decides:

- `whole`: the docs' own spelling, a JSON integer or ASCII digits ("45", also "045"). The
  faithful mock takes this and nothing else.
- `value`: what the most lenient reasonable reader takes, a fraction kept as given: a JSON
  number, or text that a number parser reads after trimming spaces ("1e2", "100.0", " 100",
  "+100", "1.5", Unicode digits, Python's "1_00"). A server may take or refuse these, so the
  generated-case judge calls a value a violation only when it is no number under any reading,
  or a number out of range under every one. A compatible mock variant takes every such value.
- neither: words, hex, trailing characters ("100s"), an empty value, booleans: no number
  under any reading of "in seconds, between 1 and 300".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SecondsSpelling", "read_seconds"]

# ASCII only: the docs' example; 18 digits keep int() clear of Python's 4300-digit limit.
_WHOLE_TEXT = re.compile(r"-?[0-9]{1,18}")
# Python's int()/float() grammar without nan and inf: \d is any Unicode decimal digit, and
# underscores may group digits. Spaces around it are trimmed first.
_DIGITS = r"\d+(?:_\d+)*"
_NUMBER_TEXT = re.compile(
    rf"[-+]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][-+]?{_DIGITS})?"
)


@dataclass(frozen=True)
class SecondsSpelling:
    """One duration as sent, read the strict way and the lenient way."""

    whole: int | None  # the docs' spelling of a whole number; None: spelled otherwise
    value: int | float | None  # the lenient reader's number; None: no number under any reading


def read_seconds(raw: object) -> SecondsSpelling:
    """How a duration field's value (a decoded JSON value, or a form field's text) reads."""
    if isinstance(raw, bool):
        return SecondsSpelling(None, None)
    if isinstance(raw, int):
        return SecondsSpelling(raw, raw)
    if isinstance(raw, float):
        return SecondsSpelling(None, raw)
    if not isinstance(raw, str):
        return SecondsSpelling(None, None)
    if _WHOLE_TEXT.fullmatch(raw):
        return SecondsSpelling(int(raw), int(raw))
    text = raw.strip()
    if not _NUMBER_TEXT.fullmatch(text):
        return SecondsSpelling(None, None)
    try:
        return SecondsSpelling(None, float(text))
    except ValueError:  # a digit float() does not take: no reader's number either
        return SecondsSpelling(None, None)
