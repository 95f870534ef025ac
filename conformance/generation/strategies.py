"""Values for what the schema cannot say, from the rules: E.164 edges and voice durations.

Hypothesis strategies for the property tests, and one named example per way of breaking a rule
for the scenario tests. Every bound comes from `Rules`, so a changed contract changes them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.rules.values import Rules

DIGITS = "0123456789"
NONZERO = "123456789"


def e164_of_length(digits: int) -> st.SearchStrategy[str]:
    """An E.164 number with exactly ``digits`` digits after the + (first digit not 0)."""
    return st.builds(
        lambda first, rest: f"+{first}{rest}",
        st.sampled_from(NONZERO),
        st.text(DIGITS, min_size=digits - 1, max_size=digits - 1),
    )


def valid_e164(rules: Rules) -> st.SearchStrategy[str]:
    """Valid E.164 numbers of every length the rules allow."""
    phone = rules.phone
    return st.integers(phone.min_digits, phone.max_digits).flatmap(e164_of_length)


def _broken(label: str, strategy: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    return strategy.map(lambda value: (label, value))


def invalid_e164(rules: Rules) -> st.SearchStrategy[tuple[str, str]]:
    """(what is wrong, phone) pairs: each value breaks E.164 in one named way."""
    phone = rules.phone
    middle = st.integers(max(4, phone.min_digits), max(4, phone.max_digits - 3))
    valid = middle.flatmap(e164_of_length)
    too_long = phone.max_digits + 1
    ways = [
        _broken(f"{too_long} digits", e164_of_length(too_long)),
        _broken("no leading +", valid.map(lambda p: p[1:])),
        _broken(
            "0 after the +",
            st.text(DIGITS, min_size=1, max_size=phone.max_digits - 1).map(lambda d: f"+0{d}"),
        ),
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
        _broken("national format", st.text(DIGITS, min_size=8, max_size=10).map(lambda d: f"0{d}")),
    ]
    if phone.min_digits > 1:
        ways.append(_broken("too short", e164_of_length(phone.min_digits - 1)))
    return st.one_of(*ways)


# ITU-T E.164 country codes of one and of two digits; every other code has three.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    f"{n}" for n in (20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50), *range(51, 59))
) | frozenset(f"{n}" for n in (*range(60, 67), 81, 82, 84, 86, *range(90, 96), 98))
# The number the examples break when a test gives none (the docs' own sender).
DOCS_PHONE = "+201001187188"


def country_code(phone: str) -> str:
    """The country calling code of an E.164 number ("+201001187188" -> "20")."""
    digits = phone.lstrip("+")
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[:1]
    return digits[:2] if digits[:2] in _TWO_DIGIT_CODES else digits[:3]


def invalid_e164_examples(rules: Rules, base: str = DOCS_PHONE) -> dict[str, str]:
    """One value per way of breaking E.164, each `base` (a number the target takes: the
    configured recipient's or sender's) broken in that one way, for the scenario tests. A server
    that repairs a broken number (adds the +, drops the spaces) then acts on a real one, and
    is caught; the keys do not depend on `base`."""
    phone = rules.phone
    digits = base.lstrip("+")
    code = country_code(base)
    national = digits[len(code) :]
    examples = {
        f"{phone.max_digits + 1} digits": "+" + (digits + "1234567890" * 2)[: phone.max_digits + 1],
        "no leading +": digits,
        "0 after the +": "+0" + digits[1:],
        "a space inside": f"+{code} {national}",
        "a dash inside": f"+{code}-{national[:3]}-{national[3:]}",
        "a letter inside": f"+{digits[:4]}a{digits[5:]}",
        "empty": "",
        "only a +": "+",
        "national format": "0" + national,
    }
    if phone.min_digits > 1:
        examples["too short"] = "+" + digits[: phone.min_digits - 1]
    return examples


# The shapes that are a number written without its + or country code (PHONE-006).
NO_PLUS_SHAPES = frozenset({"no leading +", "national format"})


def valid_durations(rules: Rules) -> st.SearchStrategy[int]:
    return st.integers(rules.duration.minimum, rules.duration.maximum)


def boundary_durations(rules: Rules) -> list[int]:
    """Both ends of the range, the values next to them, and the middle."""
    low, high = rules.duration.minimum, rules.duration.maximum
    return sorted({low, low + 1, (low + high) // 2, high - 1, high} & set(range(low, high + 1)))


def invalid_durations(rules: Rules) -> st.SearchStrategy[tuple[str, str]]:
    """(what is wrong, duration as sent in a form field)."""
    low, high = rules.duration.minimum, rules.duration.maximum
    return st.one_of(
        _broken("below the minimum", st.integers(-10_000, low - 1).map(str)),
        _broken("above the maximum", st.integers(high + 1, 1_000_000).map(str)),
        _broken("not a number", st.text("abcdefghij xyz", min_size=1, max_size=8)),
        _broken("empty", st.just("")),
    )


def out_of_range_durations(rules: Rules) -> dict[str, str]:
    """One value per way of leaving the range."""
    low, high = rules.duration.minimum, rules.duration.maximum
    return {
        str(low - 1): str(low - 1),
        str(high + 1): str(high + 1),
        "negative": "-5",
        "a fraction above the maximum": f"{high}.5",
    }


def not_a_number_durations() -> dict[str, str]:
    """Values that are no number of seconds at all."""
    return {"not a number": "forty", "empty": ""}
