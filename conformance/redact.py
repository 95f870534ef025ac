"""The one place where secrets (API keys) are masked before anything is shown or stored.

Every text the kit shows a person (reports, exception messages, curl commands,
recorded exchanges) passes through a `Redactor` built from the configured keys.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar, cast
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "SENSITIVE_HEADERS", "Redactor", "mask_key"]

MASK = "…"

# Header values that are credentials whatever they contain: masked even when the
# value is not a configured key (an auth test may send a made-up or altered key).
SENSITIVE_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization"})

# Below this length a secret is matched literally only: its encoded forms are the
# same characters or too short to be worth the risk of masking unrelated text.
_SHORT_SECRET = 4

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
    """The ways a secret can be spelled in a URL, a form body or a JSON string."""
    forms = {secret}
    if len(secret) < _SHORT_SECRET:
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
    """Replaces every occurrence of a secret (and its URL- or JSON-encoded forms) by its mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # An empty secret would match between every two characters: ignore it.
        self.secrets: tuple[str, ...] = tuple(sorted({s for s in secrets if s}, key=len))
        self._mask_of: dict[str, str] = {}
        for secret in self.secrets:
            for form in _encoded_forms(secret):
                self._mask_of.setdefault(form, mask_key(secret))
        # Longest first: the regex takes the first alternative that matches, so a
        # secret that contains another is masked whole. One pass, so a mask that
        # happens to contain a short secret is never masked again.
        alternatives = sorted(self._mask_of, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def text(self, s: str) -> str:
        """`s` with every secret replaced by its mask."""
        if self._pattern is None or not s:
            return s
        return self._pattern.sub(lambda m: self._mask_of[m.group(0)], s)

    def contains_secret(self, s: str) -> bool:
        """Whether `s` holds a secret in any of the forms `text` masks."""
        return self._pattern is not None and self._pattern.search(s) is not None

    def header_value(self, name: str, value: str) -> str:
        """A header value fit to show: credentials headers masked whole, others scrubbed."""
        if name.lower() not in SENSITIVE_HEADERS or not value:
            return self.text(value)
        scheme, sep, credentials = value.partition(" ")
        if sep and credentials:
            # Keep "Bearer" / "Basic": which scheme was used matters to auth tests.
            return f"{scheme} {mask_key(credentials.strip())}"
        return mask_key(value)

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
