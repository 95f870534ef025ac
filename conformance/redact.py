"""The one place where secrets (API keys) are masked before anything is shown or stored.

Every text the kit shows a person (reports, exception messages, curl commands,
recorded exchanges) passes through a `Redactor` built from the configured keys.

A report may show of a key its prefix and its last four characters (`trk_…abcd`), nothing
more. So a `Redactor` masks a whole key, and also any piece of one at least `FRAGMENT`
characters long, wherever it appears: the auth tests send keys split by whitespace, quoted,
prefixed, suffixed and cut, and a target may echo any of those back, escaped or encoded.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar, cast
from urllib.parse import quote, quote_plus

__all__ = ["AUTH_SCHEMES", "FRAGMENT", "MASK", "SENSITIVE_HEADERS", "Redactor", "mask_key"]

MASK = "…"

# Header values that are credentials whatever they contain: masked even when the
# value is not a configured key (an auth test may send a made-up or altered key).
SENSITIVE_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization"})

# Authentication schemes (the IANA registry, and the common unregistered "Token"): in an
# Authorization header the scheme is shown, since which one was sent matters to auth tests.
# Any other first word may be part of a key (a key with a space inside it), so it is masked.
AUTH_SCHEMES = frozenset(
    {
        "basic",
        "bearer",
        "digest",
        "dpop",
        "gnap",
        "hoba",
        "mutual",
        "negotiate",
        "oauth",
        "privatetoken",
        "scram-sha-1",
        "scram-sha-256",
        "token",
        "vapid",
    }
)

# The shortest piece of a key that is masked wherever it appears. Shorter secrets (a test's
# made-up key) are masked where they appear whole, literally only: their encoded forms are
# the same characters or too short to be worth the risk of masking unrelated text.
FRAGMENT = 8

_T = TypeVar("_T")


def mask_key(key: str) -> str:
    """Show a key as `trk_…abcd`: its short prefix (up to the first "_"), then its last four.

    Keys under 8 characters show as "…" alone. The prefix is shown only when at
    least 8 characters stay hidden, so a mask never gives most of a key away.
    """
    if len(key) < 8:
        return MASK
    cut = key.find("_")
    head = key[: cut + 1] if 0 < cut < 8 and len(key) - (cut + 1) - 4 >= 8 else ""
    return f"{head}{MASK}{key[-4:]}"


def _encoded_forms(secret: str) -> set[str]:
    """The ways a secret can be spelled in a URL, a form body, a JSON string or HTML."""
    forms = {secret}
    if len(secret) < FRAGMENT:
        return forms
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret)):
        forms.add(encoded)
        # Percent-encoding hex digits may be written in either case.
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded))
    forms.add(jsonlib.dumps(secret)[1:-1])
    forms.add(jsonlib.dumps(secret, ensure_ascii=False)[1:-1])
    # A target's HTML error page, and pytest-html's report (JSON inside an HTML attribute),
    # show text HTML-escaped.
    for form in list(forms):
        forms.update(_html_escaped_forms(form))
    return forms


_HTML_QUOTES = (('"', "&quot;", "&#34;", "&#x22;"), ("'", "&#x27;", "&#39;", "&apos;"))


def _html_escaped_forms(text: str) -> set[str]:
    """``text`` as HTML escapers write it: & < > always escaped, quotes in any usual way."""
    if not any(c in text for c in "&<>\"'"):
        return set()
    base = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        base.replace('"', double).replace("'", single)
        for double in _HTML_QUOTES[0]
        for single in _HTML_QUOTES[1]
    }


class Redactor:
    """Masks every secret, and every piece of one, in any spelling `_encoded_forms` knows."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # An empty secret would match between every two characters: ignore it.
        self.secrets: tuple[str, ...] = tuple(sorted({s for s in secrets if s}, key=len))
        # Longest secret first, so that a secret containing another keeps its own mask.
        by_length = sorted(self.secrets, key=len, reverse=True)
        self._mask_of: dict[str, str] = {}  # a whole spelling -> the mask of its secret
        self._pieces: dict[str, tuple[str, int]] = {}  # FRAGMENT chars -> (spelling, offset)
        short: list[str] = []
        for secret in by_length:
            for form in sorted(_encoded_forms(secret)):
                self._mask_of.setdefault(form, mask_key(secret))
                if len(form) < FRAGMENT:
                    short.append(form)
                    continue
                for offset in range(len(form) - FRAGMENT + 1):
                    self._pieces.setdefault(form[offset : offset + FRAGMENT], (form, offset))
        # Runs of characters that occur in some spelling: only inside such a run can a piece
        # of a key be, so the window test below runs over little of a typical text.
        alphabet = sorted({c for piece in self._pieces for c in piece})
        self._runs = (
            re.compile("[" + "".join(map(_class_char, alphabet)) + f"]{{{FRAGMENT},}}")
            if alphabet
            else None
        )
        self._short = (
            re.compile("|".join(map(re.escape, sorted(short, key=len, reverse=True))))
            if short
            else None
        )

    def spans(self, s: str) -> list[tuple[int, int]]:
        """Where `s` holds a secret or a piece of one: sorted, merged (start, end) pairs."""
        found: list[tuple[int, int]] = []
        if self._runs is not None:
            for run in self._runs.finditer(s):
                found.extend(self._piece_spans(run.group(0), run.start()))
        if self._short is not None:
            found.extend(m.span() for m in self._short.finditer(s))
        return _merged(found)

    def _piece_spans(self, run: str, start: int) -> Iterator[tuple[int, int]]:
        pieces = self._pieces
        for i in range(len(run) - FRAGMENT + 1):
            if run[i : i + FRAGMENT] in pieces:
                yield start + i, start + i + FRAGMENT

    def text(self, s: str) -> str:
        """`s` with every secret replaced by its mask, and every piece of one by "…"."""
        if not s:
            return s
        spans = self.spans(s)
        if not spans:
            return s
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(s[last:start])
            out.append(self._mask_of.get(s[start:end], MASK))
            last = end
        out.append(s[last:])
        return "".join(out)

    def contains_secret(self, s: str) -> bool:
        """Whether `s` holds a secret, or a piece of one, in any form `text` masks."""
        return bool(self.spans(s))

    def key_pieces(self, s: str, key: str) -> list[tuple[int, int, int]]:
        """The spans of `s` that are pieces of `key` as it is (not encoded): (start, end,
        offset in the key). A curl command writes those as parts of the key's variable."""
        found = []
        for start, end in self.spans(s):
            offset = key.find(s[start:end])
            if offset >= 0:
                found.append((start, end, offset))
        return found

    def header_value(self, name: str, value: str) -> str:
        """A header value fit to show: credentials headers masked whole (after a recognised
        authentication scheme, which is kept), others scrubbed."""
        if name.lower() not in SENSITIVE_HEADERS or not value:
            return self.text(value)
        scheme, sep, credentials = value.partition(" ")
        if sep and credentials.strip() and scheme.lower() in AUTH_SCHEMES:
            return f"{scheme} {self._credentials(credentials.strip())}"
        return self._credentials(value)

    def _credentials(self, value: str) -> str:
        # A configured key, mangled or not, shows as its mask with what was added around it
        # ('"trk_…abcd"', '… …' for a key split in two); anything else is masked whole, so a
        # made-up key shows no more than its last four characters either.
        return self.text(value) if self.contains_secret(value) else mask_key(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of `headers` fit to show (names kept, values masked)."""
        return {name: self.header_value(name, value) for name, value in headers.items()}

    def json(self, obj: _T) -> _T:
        """A copy of a JSON-like value with every string (keys included) scrubbed."""
        return cast(_T, self._json(obj))

    def _json(self, obj: object) -> object:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, Mapping):
            return {
                (self.text(k) if isinstance(k, str) else k): self._json(v) for k, v in obj.items()
            }
        if isinstance(obj, list):
            return [self._json(v) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._json(v) for v in obj)
        return obj


def _class_char(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, in order (touching ones stay apart: two keys side by side
    keep a mask each)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
