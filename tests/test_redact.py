"""Redaction: no configured key survives in text, URLs, headers, JSON, exceptions or curl."""

from __future__ import annotations

import html
import json
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.redact import Redactor, mask_key

KEY = "trk_AbCdEfGhIjKlMnOpQrStUvWxYz012345"
ODD_KEY = 'trk_a/b+c=d&e%f g"h\\i~j0123456789'  # characters that get encoded
OTHER = "trk_ZZZZzzzz0123456789yyyyYYYYxxxx9876"


@pytest.fixture
def redactor() -> Redactor:
    return Redactor([KEY, ODD_KEY, OTHER, ""])


def assert_clean(text: str) -> None:
    for secret in (KEY, ODD_KEY, OTHER):
        for form in (secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]):
            assert form not in text, f"{form!r} survived in {text!r}"


def test_text_masks_every_occurrence(redactor: Redactor) -> None:
    text = f"first {KEY}, again {KEY}{KEY} and {OTHER}."
    out = redactor.text(text)
    assert_clean(out)
    assert out == (
        f"first {mask_key(KEY)}, again {mask_key(KEY)}{mask_key(KEY)} and {mask_key(OTHER)}."
    )


def test_url_encoded_forms_are_masked(redactor: Redactor) -> None:
    encoded = [
        quote(ODD_KEY, safe=""),
        quote(ODD_KEY),
        quote_plus(ODD_KEY),
        quote(ODD_KEY, safe="").lower(),
    ]
    url = "https://x.example/p?" + "&".join(f"k{i}={e}" for i, e in enumerate(encoded))
    assert_clean(redactor.text(url))
    assert redactor.text(url).count(mask_key(ODD_KEY)) == 4


def test_url_built_by_httpx_is_masked(redactor: Redactor) -> None:
    request = httpx.Request("GET", "https://x.example/p", params={"api_key": ODD_KEY, "b": KEY})
    assert_clean(redactor.text(str(request.url)))


def test_json_escaped_form_is_masked(redactor: Redactor) -> None:
    assert_clean(redactor.text(json.dumps({"echo": ODD_KEY})))


def test_headers_mask_credentials_by_name_and_secrets_by_value(redactor: Redactor) -> None:
    headers = {
        "X-Api-Key": KEY,
        "x-api-key-copy": f"was {KEY}",
        "Authorization": f"Bearer {OTHER}",
        "X-Other": "plain",
    }
    out = redactor.headers(headers)
    assert_clean(json.dumps(out))
    assert out == {
        "X-Api-Key": mask_key(KEY),
        "x-api-key-copy": f"was {mask_key(KEY)}",
        "Authorization": f"Bearer {mask_key(OTHER)}",
        "X-Other": "plain",
    }


def test_credential_headers_masked_even_when_not_a_configured_key(redactor: Redactor) -> None:
    made_up = "trk_" + "Q" * 31 + "!"  # an auth test's made-up key is still shown masked
    out = redactor.headers({"x-api-key": made_up, "authorization": "Basic dXNlcjpwYXNzd29yZA=="})
    assert out == {"x-api-key": mask_key(made_up), "authorization": "Basic …ZA=="}
    assert redactor.headers({"X-Api-Key": ""}) == {"X-Api-Key": ""}


def test_altered_key_in_a_credential_header_shows_nothing_of_the_key(redactor: Redactor) -> None:
    # The last four characters of an altered key would be the key's own: only the alteration
    # stays visible.
    assert redactor.headers({"x-api-key": KEY[:-1] + "!"}) == {"x-api-key": "…!"}


def test_httpx_headers_are_accepted(redactor: Redactor) -> None:
    out = redactor.headers(httpx.Headers({"X-Api-Key": KEY, "Accept": "*/*"}))
    assert out == {"x-api-key": mask_key(KEY), "accept": "*/*"}


def test_json_is_scrubbed_recursively(redactor: Redactor) -> None:
    doc = {
        "message": f"invalid key {KEY}",
        KEY: [1, None, True, {"nested": (OTHER, 2.5)}],
        "count": 3,
    }
    out = redactor.json(doc)
    assert_clean(repr(out))
    assert out == {
        "message": f"invalid key {mask_key(KEY)}",
        mask_key(KEY): [1, None, True, {"nested": (mask_key(OTHER), 2.5)}],
        "count": 3,
    }
    assert doc["message"] == f"invalid key {KEY}"  # a copy: the input is untouched


def test_exception_text(redactor: Redactor) -> None:
    try:
        raise httpx.LocalProtocolError(f"Illegal header value b'{KEY}\\n'")
    except httpx.LocalProtocolError as exc:
        assert_clean(redactor.text(str(exc)))


def test_empty_secret_is_ignored() -> None:
    redactor = Redactor(["", ""])
    assert redactor.text("unchanged text") == "unchanged text"
    assert redactor.secrets == ()


def test_short_secret_is_masked_literally_only() -> None:
    redactor = Redactor(["a/b"])
    assert redactor.text("x a/b y a%2Fb") == "x … y a%2Fb"


def test_mask_of_one_secret_is_not_masked_again() -> None:
    # The mask of KEY ends with "2345"; a short secret "2345" must not eat it.
    redactor = Redactor([KEY, "2345"])
    assert redactor.text(f"{KEY} 2345") == f"{mask_key(KEY)} …"


def test_secret_containing_another_is_masked_whole() -> None:
    inner = KEY[4:20]
    redactor = Redactor([inner, KEY])
    assert redactor.text(KEY) == mask_key(KEY)
    assert redactor.text(inner) == mask_key(inner)


def test_contains_secret(redactor: Redactor) -> None:
    assert redactor.contains_secret(f"x{quote_plus(ODD_KEY)}x")
    assert not redactor.contains_secret("nothing here")
    assert not Redactor([]).contains_secret("anything")


MANGLED = {
    "space inside": KEY[:18] + " " + KEY[18:],
    "tab inside": KEY[:18] + "\t" + KEY[18:],
    "quoted": f'"{KEY}"',
    "prefixed": "x" + KEY,
    "suffixed": KEY + "x",
    "escaped newline after": KEY + "\\n",
    "truncated": KEY[:20],
    "cut at both ends": KEY[3:-3],
}


@pytest.mark.parametrize("name", sorted(MANGLED))
@pytest.mark.parametrize("header", ["X-Api-Key", "Authorization", "x-echo"])
def test_a_mangled_key_in_any_header_leaves_no_piece_of_the_key(
    redactor: Redactor, name: str, header: str
) -> None:
    for value in (MANGLED[name], f"Bearer {MANGLED[name]}", f"Token {MANGLED[name]}"):
        shown = redactor.header_value(header, value)
        assert not _pieces_of(KEY, shown), (value, shown)


def test_a_key_split_by_whitespace_is_not_read_as_a_scheme(redactor: Redactor) -> None:
    # The regression: "trk_<14 secret characters> <the rest>" once showed its first half as
    # an authentication scheme.
    split = KEY[:18] + " " + KEY[18:]
    assert redactor.header_value("X-Api-Key", split) == "… …"
    assert redactor.header_value("Authorization", split) == "… …"
    assert redactor.header_value("Authorization", f"Bearer {KEY}") == f"Bearer {mask_key(KEY)}"


@pytest.mark.parametrize("name", sorted(MANGLED))
def test_pieces_of_a_key_are_masked_in_any_text_and_encoding(redactor: Redactor, name: str) -> None:
    mangled = MANGLED[name]
    for spelling in (
        mangled,
        quote(mangled, safe=""),
        quote_plus(mangled),
        json.dumps(mangled)[1:-1],
        html.escape(mangled),
    ):
        text = f"curl -H 'X-Api-Key: {spelling}' https://x.example/?k={spelling}"
        assert not _pieces_of(KEY, redactor.text(text)), spelling


@given(start=st.integers(0, len(KEY) - 12), length=st.integers(12, len(KEY)), junk=st.text())
def test_no_12_character_piece_survives(start: int, length: int, junk: str) -> None:
    piece = KEY[start : start + length]
    out = Redactor([KEY]).text(junk + piece + junk)
    assert not _pieces_of(KEY, out)


def _pieces_of(key: str, text: str, size: int = 12) -> list[str]:
    return [key[i : i + size] for i in range(len(key) - size + 1) if key[i : i + size] in text]
