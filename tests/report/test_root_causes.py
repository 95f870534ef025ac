"""Causes before symptoms: a server that answers every invalid input with 409 breaks one rule,
however many findings and requirements show it, and the report says so first, quoting the
sentences that decide the status rather than each requirement's own.

The quick profile against the mock with one broken variant, narrowed to the tests that send an
invalid body: a reporting test, not coverage."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chromium import requires_chromium, run_chromium
from files_agree import assert_four_files_agree
from report_runs import Run, run_in_process
from report_samples import exchange

from conformance.report.causes import root_causes_of
from conformance.report.findings import findings_of
from conformance.report.results import FailureEvidence, RequirementResult
from conformance.rules.catalogue import load_catalogue
from conformance.rules.values import load_rules

pytestmark = pytest.mark.slow

RULES = load_rules()
TGO_422 = RULES.sentences["invalid_body_status"]
CODES_400 = RULES.sentences["invalid_body_generic_status"]


# The requirements whose tests send an invalid body: every one the 409 variant breaks (a run of
# the whole quick profile fails exactly these, with the same findings, causes and printed pages),
# and every one whose tests see the 400. The other tests pass either way and add nothing here.
INVALID_BODY_REQUIREMENTS = (
    "ERR-006,ERR-007,MSG-002,MSG-004,MSG-006,MSG-007,MSG-008,MSG-011,PHONE-001,PHONE-002,"
    "PHONE-003,PHONE-004,PHONE-005,PHONE-006,SENDER-003,VOICE-002,VOICE-003,VOICE-004"
)
SELECTION = ("--", "--tgo-requirements", INVALID_BODY_REQUIREMENTS)


@pytest.fixture(scope="module")
def answers_409(tmp_path_factory: pytest.TempPathFactory) -> Run:
    # These tests read the report, never the process: run in this one (report_runs.py).
    run = run_in_process(
        tmp_path_factory.mktemp("answers-409") / "r",
        "--mock-variant",
        "validation_wrong_status",
        *SELECTION,
    )
    assert run.returncode == 1, run.output[-3000:]
    failed = {r["id"] for r in run.summary()["requirements"] if r["status"] == "failed"}
    assert failed == set(INVALID_BODY_REQUIREMENTS.split(",")), (
        "the 409 variant no longer breaks exactly these: update INVALID_BODY_REQUIREMENTS"
    )
    return run


@pytest.fixture(scope="module")
def answers_400(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_in_process(
        tmp_path_factory.mktemp("answers-400") / "r",
        "--mock-variant",
        "compat_validation_400",
        *SELECTION,
    )
    assert run.returncode == 0, run.output[-3000:]
    return run


def _words(sentence: dict[str, Any]) -> str:
    return str(sentence["words"])


def test_one_change_is_one_root_cause_clearing_every_requirement_it_broke(
    answers_409: Run,
) -> None:
    summary = answers_409.summary()
    failed = [r["id"] for r in summary["requirements"] if r["status"] == "failed"]
    assert len(summary["findings"]) > 1  # the symptoms: several checks saw it
    (cause,) = summary["root_causes"]
    assert cause["observed_status"] == "409"
    assert "409" in cause["headline"] and "422" in cause["headline"]
    assert [_words(s) for s in cause["decided_by"]["sentences"]] == [
        TGO_422.words,
        CODES_400.words,
    ]
    assert cause["decided_by"]["reading"] == "READ-003"
    assert cause["followed"] is None  # 409 is neither page's status
    assert sorted(cause["clears"]) == sorted(failed)
    assert "ERR-006" in cause["clears"]
    assert {f["root_cause"] for f in summary["findings"]} == {cause["id"]}
    assert sorted(cause["findings"]) == sorted(f["id"] for f in summary["findings"])
    # Every count agrees with the other files, and the causes' count with the findings'.
    assert_four_files_agree(answers_409.report_dir)
    assert cause["occurrences"] == sum(f["occurrences"] for f in summary["findings"])
    assert cause["tests"] == summary["tests"]["failed"]


def test_the_first_section_names_the_cause_and_the_sentences_that_decide_it(
    answers_409: Run,
) -> None:
    page = answers_409.html()
    causes, overview = page.index('id="causes"'), page.index('id="overview"')
    assert causes < overview
    first = page[causes:overview]
    # The words as the page shows them (docs_text may mark up the status line's start).
    assert "Request body is invalid. Check required fields and field values." in first
    assert "Returned when the request payload is malformed, missing required fields" in first
    for sentence in (TGO_422, CODES_400):
        assert sentence.doc in first
    failed = [r["id"] for r in answers_409.summary()["requirements"] if r["status"] == "failed"]
    assert f"One change clears {len(failed)} requirements" in first
    assert "the target followed neither" in first


def test_a_finding_card_quotes_the_deciding_sentence_before_the_requirements_own(
    answers_409: Run,
) -> None:
    page = answers_409.html()
    summary = answers_409.summary()
    for finding in summary["findings"]:
        start = page.index(f'id="{finding["id"]}"')
        end = page.find('<div class="finding', start + 1)
        card = page[start : end if end > 0 else len(page)]
        decided = card.index("Decided by")
        assert "Validation Errors (400)" in card[decided:], finding["id"]
        own = card.find("The requirement says")
        assert own == -1 or own > decided, finding["id"]


def test_a_failed_requirement_row_links_its_cause_and_every_finding_of_it(
    answers_409: Run,
) -> None:
    page = answers_409.html()
    summary = answers_409.summary()
    (cause,) = summary["root_causes"]
    for req_id in cause["requirements"]:
        row = page[page.index(f'<tbody class="req failed" id="{req_id}"') :]
        row = row[: row.index("</tbody>")]
        assert f'href="#{cause["id"]}"' in row, req_id
        for finding_id in cause["findings"]:
            assert f'href="#{finding_id}"' in row, (req_id, finding_id)


def test_following_the_other_page_is_a_warning_that_shows_both_and_the_page_taken(
    answers_400: Run,
) -> None:
    summary = answers_400.summary()
    assert summary["verdict"] == "pass"
    (cause,) = summary["root_causes"]
    assert cause["level"] == "SHOULD" and cause["clears"] == ["ERR-014"]
    assert cause["followed"] == CODES_400.doc
    causes = answers_400.html()
    causes = causes[causes.index('id="causes"') : causes.index('id="overview"')]
    taken = causes[causes.index('class="page taken"') :]
    assert CODES_400.words.split(") ", 1)[1][:30] in taken
    assert "the target followed this page" in taken
    assert TGO_422.doc in causes


@requires_chromium
@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing"
)
def test_the_printed_report_keeps_the_cause_the_quotes_and_the_contradiction(
    answers_409: Run, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    page = answers_409.report_dir / "compliance.html"
    result = run_chromium(
        tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert pdf.is_file(), result.stderr[-2000:]
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    pages = text.count("\f")
    print(f"{len(answers_409.summary()['findings'])} findings, one cause: {pages} printed pages")
    assert "One change clears" in flat
    assert "Validation Errors (400) Returned when the request payload" in flat
    assert "These pages contradict each other" in flat
    assert pages <= 14, pages


def _result(req_id: str, *failures: FailureEvidence) -> RequirementResult:
    catalogue = load_catalogue()
    return RequirementResult(catalogue.by_id(req_id), "failed", failures=list(failures))


def test_a_requirement_is_cleared_only_when_every_failure_it_has_is_the_causes() -> None:
    refused_409 = exchange(409, '{"message": "no"}', json_body={"type": "video"}).evidence()
    accepted = exchange(201, '{"id": 1}', json_body={"type": "voice", "duration": 301})
    basis = RULES.basis("invalid input is refused with 422 or 400", "invalid_body_status")
    status = FailureEvidence(
        "test_messages.py::t[a]", "answered 409", "a 422", refused_409, "", basis
    )
    other = FailureEvidence(
        "test_voice.py::t[301]", "answered 201", "a refusal", accepted.evidence()
    )
    results = [_result("MSG-002", status), _result("VOICE-002", status, other)]
    causes = root_causes_of(findings_of(results))
    by_status = next(c for c in causes if c.status == "409")
    assert [r.requirement.id for r in by_status.clears] == ["MSG-002"]
    assert [r.requirement.id for r in by_status.requirements] == ["MSG-002", "VOICE-002"]
    assert by_status.basis is basis
    # Without a basis of its own, a failure is decided by its requirement's sentence.
    rest = next(c for c in causes if c is not by_status)
    assert rest.basis.sentences[0].words == load_catalogue().by_id("VOICE-002").source.quote
