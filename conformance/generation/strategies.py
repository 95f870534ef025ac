"""Hypothesis strategies for what the schema cannot say: E.164 edges and voice durations."""

from __future__ import annotations

from hypothesis import strategies as st

DIGITS = "0123456789"
NONZERO = "123456789"


def e164_of_length(digits: int) -> st.SearchStrategy[str]:
    """A valid E.164 number with exactly ``digits`` digits after the + (2 to 15)."""
    if not 2 <= digits <= 15:
        raise ValueError("E.164 numbers have 2 to 15 digits")
    return st.builds(
        lambda first, rest: f"+{first}{rest}",
        st.sampled_from(NONZERO),
        st.text(DIGITS, min_size=digits - 1, max_size=digits - 1),
    )


def valid_e164() -> st.SearchStrategy[str]:
    """Valid E.164 numbers of every length from 2 to 15 digits."""
    return st.integers(2, 15).flatmap(e164_of_length)


def _broken(label: str, strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    return strategy.map(lambda value: (label, value))


def invalid_e164() -> st.SearchStrategy[tuple[str, str]]:
    """(what is wrong, phone) pairs: each value breaks E.164 in one named way."""
    valid = st.integers(4, 12).flatmap(e164_of_length)
    return st.one_of(
        _broken("16 digits", e164_of_length(15).map(lambda p: p + "1")),
        _broken("no leading +", valid.map(lambda p: p[1:])),
        _broken("0 after the +", st.text(DIGITS, min_size=1, max_size=14).map(lambda d: f"+0{d}")),
        _broken("a space inside", valid.map(lambda p: f"{p[:4]} {p[4:]}")),
        _broken("a dash inside", valid.map(lambda p: f"{p[:4]}-{p[4:]}")),
        _broken(
            "a letter inside",
            st.tuples(valid, st.sampled_from("abcxyzABC")).map(
                lambda t: f"{t[0][:4]}{t[1]}{t[0][5:]}"
            ),
        ),
        _broken("empty", st.just("")),
        _broken("only a +", st.just("+")),
        _broken("one digit", st.sampled_from(NONZERO).map(lambda d: f"+{d}")),
        _broken("national format", st.text(DIGITS, min_size=8, max_size=10).map(lambda d: f"0{d}")),
    )


# One value per way of breaking E.164, for the deterministic scenario tests.
INVALID_E164_EXAMPLES: dict[str, str] = {
    "16 digits": "+1234567890123456",
    "no leading +": "201001187188",
    "0 after the +": "+0201001187188",
    "a space inside": "+20 1001187188",
    "a dash inside": "+20-100-118-7188",
    "a letter inside": "+2010011871a8",
    "empty": "",
    "only a +": "+",
    "one digit": "+2",
    "national format": "01001187188",
}


def valid_durations() -> st.SearchStrategy[int]:
    return st.integers(1, 300)


def invalid_durations() -> st.SearchStrategy[tuple[str, str]]:
    """(what is wrong, duration as sent in a form field)."""
    return st.one_of(
        _broken("below 1", st.integers(-10_000, 0).map(str)),
        _broken("above 300", st.integers(301, 1_000_000).map(str)),
        _broken(
            "a fraction",
            st.tuples(st.integers(0, 300), st.integers(1, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
        ),
        _broken("not a number", st.text("abcdefghij xyz", min_size=1, max_size=8)),
        _broken("empty", st.just("")),
    )


INVALID_DURATION_EXAMPLES: dict[str, str] = {
    "0": "0",
    "301": "301",
    "negative": "-5",
    "a fraction": "1.5",
    "a fraction at the top": "300.5",
    "not a number": "forty",
    "empty": "",
}
