"""compliance.html, rendered from a report built in-process: valid, self-contained, and telling
a reader what is wrong, where the docs say otherwise, and how to reproduce it."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

import html5lib
import pytest
from report_samples import (
    HOSTILE_TEXT,
    KEY,
    TARGET,
    failed_check,
    inconclusive_outcomes,
    sample_report,
)

from conformance.config import Sender, TargetConfig
from conformance.report.environment import environment
from conformance.report.model import RunReport, TestOutcome
from conformance.report.render import OTHERS_LISTED, render_compliance_html
from conformance.report.traceability import no_answer_of
from conformance.report.writer import render_reports
from conformance.rules.catalogue import load_catalogue


@pytest.fixture(scope="module")
def report() -> RunReport:
    return sample_report()


@pytest.fixture(scope="module")
def page(report: RunReport) -> str:
    return render_compliance_html(report)


def _finding(page: str, req_id: str, containing: str = "") -> str:
    """The finding card that names `req_id` (and holds `containing`)."""
    for card in page.split('<div class="finding')[1:]:
        if f'href="#{req_id}"' in card and containing in card:
            return card.split("</section>", 1)[0]
    raise AssertionError(f"no finding names {req_id}")


def _row(page: str, req_id: str) -> str:
    match = re.search(rf'<tbody class="req [a-z_]+" id="{req_id}"[^>]*>(.*?)</tbody>', page, re.S)
    assert match is not None, f"no row for {req_id}"
    return match.group(1)


class _Refs(HTMLParser):
    """Every URL the page refers to, and whether it has external style sheets or scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data") and value:
                self.refs.append((tag, name, value))


def test_the_page_is_valid_html5_even_with_hostile_response_text(page: str) -> None:
    html5lib.HTMLParser(strict=True).parse(page)


def test_the_page_fetches_nothing(page: str) -> None:
    refs = _Refs()
    refs.feed(page)
    for tag, name, value in refs.refs:
        assert name == "href" and tag == "a", (tag, name, value)
        assert value.startswith(("#", "pytest-report.html#")) or value in {
            "?failed",
            "pytest-report.html",
            "summary.json",
            "junit.xml",
            "exchanges.har",
        }, value
    assert "@import" not in page and "url(" not in page
    assert "<link" not in page


def test_the_top_says_verdict_target_date_and_counts(page: str, report: RunReport) -> None:
    assert 'id="verdict">FAIL<' in page
    assert "3 MUST requirements failed" in page
    assert 'id="target">https://staging.example.com<' in page
    assert "2026-11-22 10:00:00 UTC" in page
    counts = re.search(r'<table class="counts" id="counts">(.*?)</table>', page, re.S)
    assert counts is not None
    must = sum(1 for r in load_catalogue().requirements if r.level == "MUST")
    zero = '<td class="zero">0</td>'
    row = rf"MUST</span></th>\s*<td>1</td><td>3</td>{zero}{zero}<td>{must - 4}</td>"
    assert re.search(row, counts.group(1)), counts.group(1)
    assert "1 (warnings)" in counts.group(1)


def test_failures_are_grouped_into_findings_counted_once_with_a_headline(
    page: str, report: RunReport
) -> None:
    findings = report.findings
    failed = report.counts()["failed"]
    assert f"What failed: {len(findings)} findings across {failed} requirements" in page
    # MUST findings first, and each finding card names its requirements.
    assert [f.level for f in findings] == sorted(
        (f.level for f in findings), key=["MUST", "SHOULD", "MAY"].index
    )
    assert 'href="#VOICE-002">VOICE-002</a>' in _finding(page, "VOICE-002")
    # The matrix row points at its findings instead of repeating their evidence.
    row = _row(page, "VOICE-002")
    assert re.search(r'see <a href="#F\d+">F\d+</a>', row)
    assert "Request sent" not in row


def test_a_finding_shows_observed_expected_quote_page_exchange_and_curl(page: str) -> None:
    card = _finding(page, "VOICE-002")
    assert "duration 301: answered 201" in card  # what was observed
    assert "422 refusal" in card  # what the docs expected
    assert "“For voice messages, include the duration field" in card  # the docs' sentence
    assert "sending-messages.txt" in card  # and its page
    assert "<b>POST https://staging.example.com/api/v1/messages</b>" in card  # the request
    assert "<b>HTTP 201</b>" in card  # the response, its body pretty-printed
    assert '\n  "duration": 301' in html.unescape(card)
    curl = re.search(r'<pre id="F\d+-curl">(.*?)</pre>', card, re.S)
    assert curl is not None
    assert "curl -i https://staging.example.com/api/v1/messages" in curl.group(1)
    assert "$TGO_API_KEY" in curl.group(1)
    assert "export TGO_API_KEY=" in card and "trk_…1234" in card  # which key to set
    # Its entry in pytest-report.html, where pytest-html names rows by node id.
    assert (
        'href="pytest-report.html#test_voice.py%3A%3Atest_voice_refuses_duration%5B301%5D"' in card
    )
    assert KEY not in page


def test_long_headers_fold_so_the_body_stays_in_view(page: str) -> None:
    card = _finding(page, "VOICE-002")
    assert re.search(
        r'<details class="hdrs" data-print="closed"><summary>\d+ headers</summary>', card
    )


def test_every_copy_button_says_what_it_copies(page: str) -> None:
    labels = re.findall(r'<button type="button" class="copy"[^>]*>([^<]*)</button>', page)
    assert labels
    for label in labels:
        assert label in ("Copy this curl command", "Copy the command", "Copy the waiver") or (
            re.fullmatch(r"Copy the \d+ commands", label)
        )


def test_a_failed_should_is_a_warning_and_does_not_fail_the_verdict() -> None:
    report = sample_report()
    report.requirements = [r for r in report.requirements if r.requirement.level != "MUST"]
    assert report.verdict == "pass"
    page = render_compliance_html(report)
    assert 'id="verdict">PASS<' in page
    row = _row(page, "ERR-008")
    assert '<span class="st warning">warning</span>' in row
    assert _finding(page, "ERR-008").startswith(' warning"')  # <div class="finding warning"
    summary = report.to_summary()
    assert summary["counts"]["warnings"] == 1
    assert next(r for r in summary["requirements"] if r["id"] == "ERR-008")["warning"] is True


def test_repeated_failures_are_one_finding_a_few_shown_the_rest_counted(page: str) -> None:
    card = _finding(page, "ERR-002", containing="error 401 has no message")
    assert "seen 12 times in 12 tests; one shown in full" in card
    assert "11 other occurrences of this finding" in card
    listed = re.findall(r"<li>op\d+: error 401 has no message", card)
    assert len(listed) == OTHERS_LISTED
    assert f"and {11 - OTHERS_LISTED} more" in card
    # One full exchange per finding, not twelve.
    assert card.count("Request sent") == 1
    # The other kinds of ERR-002 failure are findings of their own, each linked from its row.
    row = _row(page, "ERR-002")
    assert len(re.findall(r'<a href="#F\d+">', row)) == 5


def test_a_finding_several_requirements_cite_is_counted_once() -> None:
    shared = failed_check("AUTH-002", "unknown key: answered 403", "a 401 refusal", None)
    outcome = TestOutcome(
        "test_auth.py::test_unknown_key",
        "failed",
        ("AUTH-002", "ERR-004"),
        (shared, replace(shared, requirement="ERR-004")),
    )
    report = sample_report(tests=[outcome])
    [finding] = report.findings
    assert [r.requirement.id for r in finding.requirements] == ["AUTH-002", "ERR-004"]
    assert len(finding.distinct) == 1
    [entry] = report.to_summary()["findings"]
    assert entry["requirements"] == ["AUTH-002", "ERR-004"] and entry["occurrences"] == 1
    assert "1 finding across 2 requirements" in render_compliance_html(report)


def test_not_tested_is_broken_down_by_cause_with_what_to_add(page: str) -> None:
    row = _row(page, "AUTH-003")
    assert '<span class="st not_tested">not tested</span>' in row
    assert "Not tested:</b> no [keys].revoked in the target config" in row
    section = re.search(r'<section id="not-tested">(.*?)</section>', page, re.S)
    assert section is not None
    assert "<li>[keys].revoked (or TGO_KEY_REVOKED)</li>" in section.group(1)
    assert re.search(r'id="nt-missing_entry"><td>a config entry is missing \(1\)', section.group(1))
    assert 'id="nt-outside_api"' in section.group(1)


def test_the_environment_names_what_was_configured_never_its_values(
    report: RunReport,
) -> None:
    config = TargetConfig(
        base_url=TARGET,
        rate_limit=2.0,
        keys={"full": KEY},
        senders={"active": Sender(id=7, phone="+201001187188")},
        recipients={"reachable": "+201010000000"},
    )
    settings = environment(config, profile="quick", target=TARGET, seed=1234)
    page = render_compliance_html(replace(report, environment=settings))  # the fixture is shared
    env = re.search(r'<section id="environment">(.*?)</section>', page, re.S)
    assert env is not None
    text = env.group(1)
    for shown in ("<th>keys</th><td>full</td>", "active (id and phone)", "2 requests/s", "1234"):
        assert shown in text, shown
    assert "<th>allow_writes</th><td>false</td>" in text
    for secret in (KEY, "+201001187188", "+201010000000"):
        assert secret not in text


def test_the_arabic_message_and_its_quote_are_laid_out_right_to_left(page: str) -> None:
    row = _row(page, "ACCT-002")
    assert '<blockquote class="quote" dir="rtl" lang="ar">“<span dir="rtl" lang="ar">يجب' in row
    assert '<cite dir="ltr" lang="en">' in row


def test_quotes_keep_the_space_between_the_docs_table_cells(page: str) -> None:
    assert "“401 Unauthorized API key is missing, invalid, or revoked.”" in _row(page, "AUTH-001")


def test_an_inconclusive_run_shows_where_the_target_stopped_answering_first() -> None:
    outcomes = inconclusive_outcomes()
    report = sample_report(
        tests=outcomes,
        complete=False,
        incomplete_reason="the target stopped answering: 1 test could not finish",
        no_answer=no_answer_of(outcomes),
    )
    assert report.verdict == "inconclusive"
    page = render_compliance_html(report)
    assert 'id="verdict">INCONCLUSIVE<' in page
    assert page.index('id="no-answer"') < page.index('id="overview"')
    section = re.search(r'<section class="no-answer" id="no-answer">(.*?)</section>', page, re.S)
    assert section is not None
    text = section.group(1)
    assert "The target stopped answering after this request" in text
    assert "<b>POST https://staging.example.com/api/v1/messages</b>" in text
    assert "Server disconnected without sending a response" in text
    assert "Copy the 2 commands" in text and "replay/no-answer.sh" in text
    assert "The last request the target answered before it" in text
    assert '<span class="st inconclusive">inconclusive</span>' in _row(page, "VOICE-001")
    files = render_reports(report, TargetConfig(base_url=TARGET, keys={"full": KEY}).redactor())
    assert "replay/no-answer.sh" in files and "curl 1" in files["replay/no-answer.sh"]


def test_the_matrix_groups_every_requirement_by_area_with_filters(
    page: str, report: RunReport
) -> None:
    areas = re.findall(r'<section class="area" data-area="([a-z_]+)"', page)
    assert areas == [
        "auth",
        "scopes",
        "phones",
        "messages",
        "senders",
        "recipients",
        "logs_usage",
        "isolation",
        "errors",
    ]
    assert len(re.findall(r'<tbody class="req ', page)) == len(report.requirements)
    for control in ('id="f-failed"', 'id="f-level"', 'id="f-area"'):
        assert control in page


def test_an_incomplete_run_has_a_banner_with_its_reason() -> None:
    report = sample_report(
        complete=False, incomplete_reason="stopped at --max-duration before every test ran"
    )
    page = render_compliance_html(report)
    banner = re.search(
        r'<div class="banner incomplete" id="incomplete"[^>]*>(.*?)</div>', page, re.S
    )
    assert banner is not None
    assert "stopped at --max-duration before every test ran" in banner.group(1)
    assert 'id="incomplete"' not in render_compliance_html(sample_report())


def test_the_page_reads_in_print(page: str) -> None:
    style = re.search(r"@media print \{(.*?)\n  \}", page, re.S)
    assert style is not None
    # Controls disappear, passed rows collapse to a list of IDs, test-id lists stay folded,
    # and a filtered print says so.
    assert ".filters, button.copy, .screen-only { display: none !important; }" in style.group(1)
    assert "tbody.req.passed, tbody.req.not_tested { display: none; }" in style.group(1)
    assert re.search(r'<p class="print-only small">Passed: AUTH-001\.</p>', page)
    assert '<details class="more" data-print="closed">' in page
    assert 'd.dataset.print !== "closed"' in page
    assert 'id="print-filter"' in page and "beforeprint" in page


def test_response_text_is_escaped_and_forbidden_code_points_shown_as_escapes(page: str) -> None:
    card = _finding(page, "ERR-001")
    assert "<script>alert" not in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in card
    assert "\\x1b[31mred" in card and "\x1b" not in page and "\x00" not in page
    assert "\\x85" in card
    assert HOSTILE_TEXT not in page


def test_a_long_body_is_cut_with_a_note(page: str) -> None:
    card = _finding(page, "ERR-001")
    assert re.search(r"… \d+ more lines not shown \(summary.json has them\)", card)
    assert card.count("line\n") < 100
