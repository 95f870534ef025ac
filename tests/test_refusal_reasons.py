"""A refusal counts for the right reason only: either page's status and envelope pass, a refusal
whose error names another field or another rule does not, and phone cases break the number the
reference request carries (conformance/checks/errors.py, generation/strategies.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks.errors import (
    Refusal,
    broke,
    error_texts,
    expect_refusal,
    invalid_body,
    other_reason,
)
from conformance.generation.strategies import NO_PLUS_SHAPES, invalid_e164_examples
from conformance.rules.values import load_rules
from conformance.verify import Verifier

RULES = load_rules()


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: Any
    content_type: str = "application/json"

    @property
    def text(self) -> str:
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    def json(self) -> Any:
        return json.loads(self.text)

    def evidence(self) -> dict[str, Any]:
        return {"status": self.status_code}


TO_PHONE = broke(RULES, "sendMessage", "to_phone")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Invalid E.164 phone number format", "code": "invalid_phone"},
        {"error": "Invalid recipient phone number format", "code": "invalid_phone"},
        {"message": "to_phone must be E.164", "error": "to_phone: not E.164"},
        {"message": "Request body is invalid"},  # names no field: nothing says otherwise
        {"error": "missing_to_phone", "code": "missing_to_phone"},
    ],
)
def test_a_refusal_for_the_broken_field_counts(body: dict[str, Any]) -> None:
    assert other_reason(Answer(422, body), TO_PHONE) is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"message": "sender_phone is not E.164", "code": "invalid_phone"}, "sender_phone"),
        ({"error": "x", "code": "invalid_sender_number_id"}, "sender_number_id"),
        ({"message": RULES.sender_not_active_message}, "another rule"),
        ({"error": RULES.account_not_verified_message, "code": "x"}, "another rule"),
    ],
)
def test_a_refusal_for_another_reason_does_not_count(body: dict[str, Any], says: str) -> None:
    reason = other_reason(Answer(422, body), TO_PHONE)
    assert reason is not None and says in reason
    verify = Verifier(frozenset({"PHONE-002"}), frozenset({"ERR-014"}))
    ok = expect_refusal(
        verify, "PHONE-002", Answer(422, body), invalid_body(RULES), what="x", broken=TO_PHONE
    )
    assert not ok and verify.failed_requirements() == {"PHONE-002"}


@pytest.mark.parametrize(("status", "should"), [(422, True), (400, False)])
def test_either_page_status_passes_the_must_and_400_is_a_should(status: int, should: bool) -> None:
    verify = Verifier(frozenset({"ERR-006"}), frozenset({"ERR-014"}))
    response = Answer(status, {"error": "to is required", "code": "missing_to"})
    assert expect_refusal(verify, "ERR-006", response, invalid_body(RULES), what="x")
    assert ("ERR-014" in verify.failed_requirements()) is not should
    chosen = [r.message for r in verify.records if r.reading == "READ-003"]
    assert chosen == [
        f"invalid input: {status} "
        + ("(errors-and-troubleshooting.txt)" if should else "(error-codes.txt)")
    ]


@pytest.mark.parametrize("status", [200, 201, 401, 403, 409, 500])
def test_a_status_no_page_gives_fails_the_must(status: int) -> None:
    verify = Verifier(frozenset({"ERR-006"}), frozenset({"ERR-014"}))
    response = Answer(status, {"message": "no"})
    assert not expect_refusal(verify, "ERR-006", response, invalid_body(RULES), what="x")


def test_a_documented_text_counts_in_either_field() -> None:
    verify = Verifier(frozenset({"SENDER-009"}), frozenset({"ERR-014"}))
    text = RULES.sender_not_active_message
    response = Answer(409, {"error": text, "code": "sender_not_active"})
    assert error_texts(response) == [text]
    refusal = Refusal.exactly(409)  # a state refusal: any 4xx but 401 and 403 (READ-007)
    assert expect_refusal(verify, "SENDER-009", response, refusal, message=text, what="x")


@pytest.mark.parametrize("base", ["+201010000000", "+12025550143", "+447700900123"])
def test_phone_cases_break_the_number_the_reference_carries(base: str) -> None:
    examples = invalid_e164_examples(RULES, base)
    assert examples["no leading +"] == base[1:]
    assert examples["national format"].startswith("0")
    assert examples["national format"][1:] in base
    assert examples["a space inside"].replace(" ", "") == base
    assert examples["a dash inside"].replace("-", "") == base
    for shape, value in examples.items():
        assert not RULES.phone.matches(value), (shape, value)
    assert set(examples) == set(invalid_e164_examples(RULES)), "keys do not depend on the base"
    assert set(NO_PLUS_SHAPES) <= set(examples)
