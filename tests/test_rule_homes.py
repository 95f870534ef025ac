"""Each rule is written once, where the contract says it applies, and everything reads it there.

Which fields are E.164 (the contract's E164Phone $refs, Operation.phone_fields: the suite, the
generated-case judge and the mock follow a changed contract), every documented message (an
x-tgo-rules entry named *_message, quoted from its page, written nowhere else under
conformance/), one definition of a number of seconds (conformance/rules/seconds.py: the mock and
the judge agree over many spellings), and the sender statuses (the contract's enum).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from docs_pages import quoted
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.checks.generated import documented_violation, duration_violation
from conformance.mock import Behaviour, State, seed
from conformance.mock.behaviour import Choices
from conformance.mock.errors import InvalidDuration, InvalidPhone, MockError
from conformance.mock.models import Backend
from conformance.mock.validation import Validator
from conformance.rules.contract import PHONE_REF, load_spec, spec_path
from conformance.rules.seconds import read_seconds
from conformance.rules.values import Rules, load_rules
from conformance.suite.test_phones import PLACES, phone_places

REPO = Path(__file__).resolve().parent.parent
RULES = load_rules()
PINNED: dict[str, Any] = load_spec()["x-tgo-rules"]
MESSAGES = {
    name: str(entry["value"]) for name, entry in PINNED.items() if name.endswith("_message")
}
SENDER = "+201001187188"
RECIPIENT = "+201010000000"


# --- E.164: which fields ------------------------------------------------------------------


def _contract_places(rules: Rules) -> set[tuple[str, str]]:
    return {(op.operation_id, f.name) for op in rules.operations.values() for f in op.phone_fields}


def test_phone_fields_are_the_e164_refs_of_the_contract() -> None:
    spec = load_spec()
    refs: set[tuple[str, str, str]] = set()
    for item in spec["paths"].values():
        for op in (v for v in item.values() if isinstance(v, dict) and "operationId" in v):
            for param in op.get("parameters", []):
                if param["schema"].get("$ref") == PHONE_REF:
                    refs.add((op["operationId"], "query", param["name"]))
            for media_type, media in op.get("requestBody", {}).get("content", {}).items():
                schema = spec["components"]["schemas"][media["schema"]["$ref"].rsplit("/")[-1]]
                for name, prop in schema["properties"].items():
                    if prop.get("$ref") == PHONE_REF:
                        refs.add((op["operationId"], media_type, name))
    found = {
        (op.operation_id, f.where, f.name)
        for op in RULES.operations.values()
        for f in op.phone_fields
    }
    assert found == refs
    assert len(found) == 7  # two body fields in two media types, one body field, two parameters


def test_the_suite_sends_a_value_in_every_phone_field_of_the_contract() -> None:
    assert set(PLACES) == _contract_places(RULES)
    ids = [place.name for place in phone_places(RULES)]
    assert sorted(ids) == sorted(
        [
            "registerSenderNumber phone",
            "sendMessage JSON sender_phone",
            "sendMessage JSON to_phone",
            "sendMessage multipart sender_phone",
            "sendMessage multipart to_phone",
            "lookupContact phone",
            "lookupContact sender_phone",
        ]
    )


@pytest.fixture(scope="module")
def moved_phone_contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the contract where lookupContact's sender_phone is plain text and a sender
    number's display_name is E.164."""
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    for param in spec["paths"]["/api/v1/contacts/lookup"]["get"]["parameters"]:
        if param["name"] == "sender_phone":
            param["schema"] = {"type": "string"}
    register = spec["components"]["schemas"]["RegisterSenderNumberRequest"]["properties"]
    register["display_name"] = {"$ref": PHONE_REF}
    path = tmp_path_factory.mktemp("contract") / "tgo-business.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _case(query: dict[str, Any] | None = None, body: Any = None) -> Any:
    headers = {RULES.key_header: "trk_" + "a" * 32}
    return SimpleNamespace(headers=headers, query=query, body=body, media_type="application/json")


def test_mock_judge_and_suite_follow_the_contracts_phone_fields(moved_phone_contract: Path) -> None:
    moved = load_rules(moved_phone_contract)
    lookup = {"phone": [RECIPIENT], "sender_phone": ["abc"]}
    register = {"phone": SENDER, "display_name": "Support"}
    shipped_mock, moved_mock = Validator(Behaviour(rules=RULES)), Validator(Behaviour(rules=moved))

    with pytest.raises(InvalidPhone):
        shipped_mock.lookup_query(lookup)
    assert moved_mock.lookup_query(lookup).phone == RECIPIENT
    assert shipped_mock.register_command(register).display_name == "Support"
    with pytest.raises(InvalidPhone):
        moved_mock.register_command(register)

    query_case = _case(query={"phone": RECIPIENT, "sender_phone": "abc"})
    body_case = _case(body=register)
    assert documented_violation("lookupContact", query_case, RULES) == "sender_phone not E.164"
    assert documented_violation("lookupContact", query_case, moved) is None
    assert documented_violation("registerSenderNumber", body_case, RULES) is None
    assert documented_violation("registerSenderNumber", body_case, moved) == (
        "display_name not E.164"
    )

    # The suite has no requirement for a place the contract gains: it says so, by name.
    assert ("registerSenderNumber", "display_name") in _contract_places(moved)
    with pytest.raises(KeyError, match="display_name"):
        phone_places(moved)


# --- documented messages ----------------------------------------------------------------------


def test_the_contract_holds_the_documented_messages() -> None:
    assert set(MESSAGES.values()) >= {
        "API key required",
        "Invalid API key",
        "Invalid E.164 phone number format",
        "Resource not found",
        "The sender number is not active.",
    }


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_documented_message_is_quoted_from_its_page(name: str) -> None:
    entry = PINNED[name]
    assert quoted(entry["doc"], MESSAGES[name]), f"{name}: not word for word in {entry['doc']}"


def _error_classes() -> list[type[MockError]]:
    found: list[type[MockError]] = []
    pending = [MockError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_the_mock_sends_each_documented_message_from_the_contract(name: str) -> None:
    users = [cls for cls in _error_classes() if cls.message_rule == name]
    assert users, f"no error of the mock sends {name}"
    changed = RULES.replace(**{name: "a changed message"})
    for cls in users:
        error = cls.__new__(cls)
        MockError.__init__(error)
        assert error.wire(RULES, Choices())[2] == MESSAGES[name]
        assert error.wire(changed, Choices())[2] == "a changed message"
        assert error.message_is_documented


def _package_texts() -> list[tuple[Path, str]]:
    package = REPO / "conformance"
    contract = (package / "data").resolve()
    texts = []
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.resolve().is_relative_to(contract) or path.suffix in {".pyc", ".png", ".ico"}:
            continue
        texts.append((path, path.read_text(encoding="utf-8", errors="replace")))
    return texts


def test_no_documented_message_is_written_outside_the_contract() -> None:
    texts = _package_texts()
    assert any(path.name == "errors.py" for path, _ in texts)  # the grep sees the mock
    found = [
        f"{path.relative_to(REPO)}: {message!r}"
        for path, text in texts
        for message in MESSAGES.values()
        if message in text
    ]
    assert not found, "documented messages written outside x-tgo-rules:\n" + "\n".join(found)


# --- a number of seconds ----------------------------------------------------------------------

FAITHFUL = Validator(Behaviour())
TAKES_EVERY_SPELLING = Validator(Behaviour(choices=Choices(fractional_duration=True)))

_digits = st.text("0123456789", min_size=1, max_size=5)
_spelled = st.builds(
    lambda pad, sign, zeros, whole, point, exponent, tail: (
        f"{pad}{sign}{zeros}{whole}{point}{exponent}{pad}{tail}"
    ),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", "+", "-"]),
    st.sampled_from(["", "0", "00"]),
    _digits,
    st.one_of(st.just(""), st.just("."), _digits.map(lambda d: f".{d}")),
    st.one_of(st.just(""), st.integers(-3, 3).map(lambda e: f"e{e}")),
    st.sampled_from(["", "", "", "s", "x", "_0", ".5.5"]),
)
SPELLINGS = st.one_of(
    _spelled,
    st.text("0123456789+-.eE _x١٠s", max_size=8),
    st.integers(-1000, 100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["1e2", "100.0", " 100", "+100", "0100", "1_00", "١٠٠", "0x64", "nan", ""]),
)


def _mock_takes(validator: Validator, raw: object) -> int | float | None:
    try:
        seconds = validator.duration(raw, required=True)
    except InvalidDuration:
        return None
    assert seconds is not None
    return seconds


@given(raw=SPELLINGS)
@example(raw="1e2")
@example(raw="45")
def test_the_mock_and_the_judge_read_seconds_alike(raw: object) -> None:
    judged_valid = duration_violation(raw, RULES) is None
    # The faithful mock is one reading: whatever it takes, the judge takes.
    faithful = _mock_takes(FAITHFUL, raw)
    if faithful is not None:
        assert judged_valid and faithful == read_seconds(raw).whole
    # The compatible variant takes every reading: exactly what the judge takes, as that number.
    lenient = _mock_takes(TAKES_EVERY_SPELLING, raw)
    assert (lenient is not None) == judged_valid
    if lenient is not None:
        assert lenient == read_seconds(raw).value


@pytest.mark.parametrize(
    ("raw", "faithful", "judged_valid"),
    [
        ("45", True, True),
        ("045", True, True),
        (45, True, True),
        ("1e2", False, True),
        ("100.0", False, True),
        (" 100", False, True),
        ("+100", False, True),
        ("1.5", False, True),
        (100.0, False, True),
        ("301", False, False),
        ("3e2", False, True),
        ("3.01e2", False, False),
        ("100s", False, False),
        ("0x64", False, False),
        ("", False, False),
        (True, False, False),
    ],
)
def test_the_one_definition_of_seconds(raw: object, faithful: bool, judged_valid: bool) -> None:
    assert (_mock_takes(FAITHFUL, raw) is not None) == faithful
    assert (duration_violation(raw, RULES) is None) == judged_valid


# --- sender statuses ----------------------------------------------------------------------


def test_the_mock_shows_senders_in_the_statuses_of_the_contracts_enum() -> None:
    state = State()
    seed(state)
    shown = {info.status for info in Backend(state).list_senders()}
    assert shown == set(RULES.sender_statuses)
