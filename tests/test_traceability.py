"""How test outcomes become requirement statuses and a verdict."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conformance.report.model import RunReport, TestOutcome
from conformance.report.traceability import requirement_results
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.verify import CheckRecord, UndeclaredRequirement, Verifier


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _status(catalogue: Catalogue, outcomes: list[TestOutcome]) -> dict[str, str]:
    return {r.requirement.id: r.status for r in requirement_results(catalogue, outcomes)}


def test_a_failed_check_fails_only_its_requirement(catalogue: Catalogue) -> None:
    records = (CheckRecord("VOICE-002", False, "answered 201"), CheckRecord("ERR-006", True))
    outcome = TestOutcome("t::a", "failed", ("VOICE-002", "ERR-006"), records)
    status = _status(catalogue, [outcome])
    assert status["VOICE-002"] == "failed"
    assert status["ERR-006"] == "passed"


def test_a_requirement_not_reached_is_not_tested_with_the_reason(catalogue: Catalogue) -> None:
    records = (CheckRecord("LOG-002", False, "missing"),)
    outcome = TestOutcome("t::b", "failed", ("LOG-002", "LOG-003"), records)
    results = {r.requirement.id: r for r in requirement_results(catalogue, [outcome])}
    assert results["LOG-003"].status == "not_tested"
    assert "LOG-002 failed" in (results["LOG-003"].reason or "")


def test_a_failure_outside_checks_fails_every_named_requirement(catalogue: Catalogue) -> None:
    outcome = TestOutcome("t::c", "failed", ("AUTH-001", "ERR-004"), error="connection reset")
    status = _status(catalogue, [outcome])
    assert status["AUTH-001"] == status["ERR-004"] == "failed"


def test_a_bug_of_the_suite_does_not_count_against_the_target(catalogue: Catalogue) -> None:
    outcome = TestOutcome("t::d", "failed", ("AUTH-001",), error="TypeError", suite_error=True)
    results = {r.requirement.id: r for r in requirement_results(catalogue, [outcome])}
    assert results["AUTH-001"].status == "not_tested"
    assert "suite itself failed" in (results["AUTH-001"].reason or "")


def test_a_skip_is_not_tested_with_its_reason_never_passed(catalogue: Catalogue) -> None:
    outcome = TestOutcome("t::e", "skipped", ("AUTH-003",), skip_reason="no [keys].revoked")
    results = {r.requirement.id: r for r in requirement_results(catalogue, [outcome])}
    assert results["AUTH-003"].status == "not_tested"
    assert results["AUTH-003"].reason == "no [keys].revoked"


def test_what_held_before_a_skip_passes_nothing(catalogue: Catalogue) -> None:
    # The message log was read (a passing check), then the test skipped: the list was cut short.
    records = (CheckRecord("LOG-001", True), CheckRecord("ERR-001", False, "no message"))
    outcome = TestOutcome(
        "t::s", "skipped", ("LOG-001",), records, skip_reason="the log could not be read"
    )
    results = {r.requirement.id: r for r in requirement_results(catalogue, [outcome])}
    assert results["LOG-001"].status == "not_tested"
    assert results["LOG-001"].reason == "the log could not be read"
    assert results["ERR-001"].status == "failed"  # what it saw broken stays a failure


def test_any_failure_wins_over_passes_elsewhere(catalogue: Catalogue) -> None:
    ok = TestOutcome("t::f", "passed", ("MSG-007",))
    bad = TestOutcome("t::g", "failed", ("MSG-007",), (CheckRecord("MSG-007", False, "201"),))
    assert _status(catalogue, [ok, bad])["MSG-007"] == "failed"


def test_a_failed_should_is_a_warning_and_the_verdict_passes(catalogue: Catalogue) -> None:
    outcome = TestOutcome(
        "t::h",
        "passed",
        ("MSG-010", "ERR-008"),
        (CheckRecord("MSG-010", True), CheckRecord("ERR-008", False, "code x")),
    )
    results = requirement_results(catalogue, [outcome])
    err008 = next(r for r in results if r.requirement.id == "ERR-008")
    assert err008.status == "failed" and err008.is_warning
    report = _report(results, [outcome])
    assert report.verdict == "pass"
    assert report.counts()["warnings"] == 1


def test_a_failed_must_fails_the_verdict(catalogue: Catalogue) -> None:
    outcome = TestOutcome("t::i", "failed", ("MSG-007",), (CheckRecord("MSG-007", False, "201"),))
    report = _report(requirement_results(catalogue, [outcome]), [outcome])
    assert report.verdict == "fail"
    assert report.to_summary()["counts"]["failed"] == 1


def test_requirements_no_test_ran_are_not_tested(catalogue: Catalogue) -> None:
    results = requirement_results(catalogue, [])
    assert {r.status for r in results} == {"not_tested"}
    assert all(r.reason for r in results)


def test_verifier_refuses_checks_for_undeclared_requirements() -> None:
    verify = Verifier(frozenset({"AUTH-001"}), frozenset({"ERR-001"}))
    verify.check("AUTH-001", True)
    verify.check("ERR-001", False, "not json")
    with pytest.raises(UndeclaredRequirement):
        verify.check("VOICE-001", True)
    assert verify.failed_requirements() == {"ERR-001"}


def test_verifier_keeps_only_the_latest_failures_of_a_requirement() -> None:
    verify = Verifier(frozenset({"PHONE-001"}))
    for n in range(10):
        verify.check("PHONE-001", False, f"example {n}")
    messages = [r.message for r in verify.failures()]
    assert messages == ["example 7", "example 8", "example 9"]


def _report(results: list, outcomes: list[TestOutcome]) -> RunReport:  # type: ignore[type-arg]
    return RunReport("http://x", datetime.now(UTC), 1.0, "quick", results, outcomes)


def _cut_off(nodeid: str, requirements: tuple[str, ...], *records: CheckRecord) -> TestOutcome:
    unanswered = {"error": "GET /x: no response (ReadError)", "at": 1.0, "steps": []}
    return TestOutcome(
        nodeid, "inconclusive", requirements, records, error=unanswered["error"],
        unanswered=unanswered,
    )  # fmt: skip


def test_a_test_the_target_left_unanswered_makes_its_requirements_inconclusive(
    catalogue: Catalogue,
) -> None:
    results = {
        r.requirement.id: r
        for r in requirement_results(catalogue, [_cut_off("t::h", ("AUTH-001", "ERR-004"))])
    }
    for req_id in ("AUTH-001", "ERR-004"):
        assert results[req_id].status == "inconclusive"
        assert "did not answer" in (results[req_id].reason or "")
        assert "t::h" in (results[req_id].reason or "")


def test_inconclusive_is_neither_passed_nor_failed(catalogue: Catalogue) -> None:
    # A pass elsewhere does not make up for a test that was cut off; a failure recorded
    # before the cut still fails.
    passed_elsewhere = TestOutcome(
        "t::i", "passed", ("AUTH-001",), (CheckRecord("AUTH-001", True),)
    )
    failed_before = CheckRecord("ERR-004", False, "answered 403", "a 401 refusal")
    outcomes = [passed_elsewhere, _cut_off("t::j", ("AUTH-001", "ERR-004"), failed_before)]
    status = _status(catalogue, outcomes)
    assert status["AUTH-001"] == "inconclusive"
    assert status["ERR-004"] == "failed"


def _run_report(catalogue: Catalogue, outcomes: list[TestOutcome]) -> RunReport:
    return _report(requirement_results(catalogue, outcomes), outcomes)


def test_verdict_is_inconclusive_when_a_must_is_and_none_failed(catalogue: Catalogue) -> None:
    report = _run_report(catalogue, [_cut_off("t::k", ("AUTH-001",))])
    assert report.verdict == "inconclusive"
    assert report.to_summary()["counts"]["inconclusive"] == 1
    assert report.to_summary()["tests"]["inconclusive"] == 1
    failed = TestOutcome("t::l", "failed", ("VOICE-002",), (CheckRecord("VOICE-002", False),))
    assert _run_report(catalogue, [_cut_off("t::k", ("AUTH-001",)), failed]).verdict == "fail"
    # A SHOULD left inconclusive does not hold the verdict back.
    assert _run_report(catalogue, [_cut_off("t::m", ("ERR-008",))]).verdict == "pass"
