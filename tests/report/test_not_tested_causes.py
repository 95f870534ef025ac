"""Each not-tested reason the kit gives is filed under its cause, built by the code that decides
it (a reason carries its cause and missing entries as data, never read back from its words)."""

from __future__ import annotations

import pytest

from conformance.checks.lists import Listing
from conformance.config import TargetConfig
from conformance.generation.references import Confirmation, reference_kinds
from conformance.not_run import NotRun, not_run_of
from conformance.plugin.not_run import WRITES_NOT_ALLOWED, deadline_reached
from conformance.report.model import RequirementResult, TestOutcome
from conformance.report.not_tested import ALLOW_WRITES, breakdown, cause_of
from conformance.report.traceability import requirement_results
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.rules.values import load_rules
from conformance.verify import CheckRecord


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _config() -> TargetConfig:
    return TargetConfig(base_url="http://127.0.0.1:1", keys={"full": "trk_" + "a" * 32})


def _skipped(reason: NotRun | str) -> TestOutcome:
    if isinstance(reason, str):  # a skip the kit did not decide: its words only
        return TestOutcome("t::x", "skipped", ("LOG-001",), skip_reason=reason)
    return TestOutcome("t::x", "skipped", ("LOG-001",), skip_reason=reason.text, not_run=reason)


def _incomplete_listing_reason() -> NotRun:
    with pytest.raises(pytest.skip.Exception) as skipped:
        Listing(stopped="page 51 not read").skip_if_incomplete("the message log")
    reason = not_run_of(skipped.value)
    assert reason is not None
    assert reason.text == str(skipped.value.msg)
    return reason


def _refused_reference_reason() -> NotRun:
    kind = reference_kinds(load_rules())["text"]
    return Confirmation(kind, False, "answered 422").not_run()


def _result(catalogue: Catalogue, outcomes: list[TestOutcome], req: str) -> RequirementResult:
    return next(r for r in requirement_results(catalogue, outcomes) if r.requirement.id == req)


def test_every_skip_reason_the_kit_words_has_its_cause(catalogue: Catalogue) -> None:
    config = _config()
    reasons = {
        "missing_entry": [
            config.missing("keys", "revoked"),
            config.missing("senders", "rejected.phone"),
            config.missing("other_account", "key"),
        ],
        "read_only": [WRITES_NOT_ALLOWED],
        "deadline": [deadline_reached(60.0)],
        "target_limit": [_incomplete_listing_reason()],
        "reference_refused": [_refused_reference_reason()],
    }
    for cause, texts in reasons.items():
        for text in texts:
            result = _result(catalogue, [_skipped(text)], "LOG-001")
            assert (result.status, cause_of(result)) == ("not_tested", cause), text
            assert result.reason == text.text


def test_every_reason_traceability_words_has_its_cause(catalogue: Catalogue) -> None:
    observed_nothing = TestOutcome("t::a", "passed", ("LOG-001",))
    stopped_early = TestOutcome(
        "t::b", "failed", ("LOG-002", "LOG-001"), (CheckRecord("LOG-002", False, "no"),)
    )
    suite_bug = TestOutcome("t::c", "failed", ("LOG-001",), error="KeyError", suite_error=True)
    for outcomes, cause in (
        ([observed_nothing], "docs_open"),
        ([stopped_early], "not_reached"),
        ([suite_bug], "suite_error"),
        ([], "deselected"),
        # Reasons of two tests, joined: the cause is still found.
        ([_skipped("something else entirely"), stopped_early], "not_reached"),
    ):
        result = _result(catalogue, outcomes, "LOG-001")
        assert (result.status, cause_of(result)) == ("not_tested", cause), result.reason


def test_what_to_add_names_each_missing_entry_and_allow_writes(catalogue: Catalogue) -> None:
    config = _config()
    outcomes = [
        TestOutcome(
            "t::k",
            "skipped",
            ("AUTH-003",),
            skip_reason=config.missing_reason("keys", "revoked"),
            not_run=config.missing("keys", "revoked"),
        ),
        _skipped(WRITES_NOT_ALLOWED),
        # Words that name a config value, from a skip the kit did not decide: nothing to add.
        _skipped("the message log is empty and writes are not allowed (allow_writes = false)"),
    ]
    to_add = breakdown(requirement_results(catalogue, outcomes)).to_add
    assert to_add == ["[keys].revoked (or TGO_KEY_REVOKED)", ALLOW_WRITES]


def test_a_reason_crosses_workers_as_data() -> None:
    reason = _config().missing("other_account", "")
    assert NotRun.from_json(reason.to_json()) == reason
    assert [m.to_add() for m in reason.missing] == [
        "[other_account] (or TGO_OTHER_ACCOUNT_KEY and TGO_OTHER_ACCOUNT_SENDER_ID / _PHONE)"
    ]
