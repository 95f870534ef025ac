"""Keys the auth tests send instead of a configured one: made up, or a valid key mangled."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable

from conformance.rules.values import Rules


def random_key(rules: Rules) -> str:
    """A key of the documented shape that no server has issued."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(rules.key_body_length))
    return rules.key_prefix + body


def _with_inner(char: str) -> Callable[[str], str]:
    return lambda key: key[: len(key) // 2] + char + key[len(key) // 2 :]


# How a valid key can arrive spoiled, and the requirement each way speaks to. HTTP drops
# whitespace around a header value (RFC 9110 5.5), so whitespace goes inside the key
# (AUTH-005); other extra characters go around it (AUTH-006).
MANGLED_KEYS: dict[str, tuple[str, Callable[[str], str]]] = {
    "space inside": ("AUTH-005", _with_inner(" ")),
    "tab inside": ("AUTH-005", _with_inner("\t")),
    "escaped newline after": ("AUTH-006", lambda key: key + "\\n"),
    "character after": ("AUTH-006", lambda key: key + "x"),
    "character before": ("AUTH-006", lambda key: "x" + key),
    "quoted": ("AUTH-006", lambda key: f'"{key}"'),
}
# Sent in the Authorization header instead of X-Api-Key (AUTH-004): the scheme before the key.
AUTHORIZATION_SCHEMES = ("Bearer ", "")
