"""compliance.html, rendered from a report built in-process: valid, self-contained, and telling
a reader what is wrong, where the docs say otherwise, and how to reproduce it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import html5lib
import pytest
from report_samples import HOSTILE_TEXT, KEY, sample_report

from conformance.report.model import RunReport
from conformance.report.render import OTHERS_LISTED, render_compliance_html
from conformance.rules.catalogue import load_catalogue


@pytest.fixture(scope="module")
def report() -> RunReport:
    return sample_report()


@pytest.fixture(scope="module")
def page(report: RunReport) -> str:
    return render_compliance_html(report)


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
        assert value.startswith("#") or value in {
            "?failed",
            "pytest-report.html",
            "summary.json",
            "junit.xml",
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
    row = rf"MUST</span></th>\s*<td>1</td><td>3</td><td>{must - 4}</td>"
    assert re.search(row, counts.group(1)), counts.group(1)
    assert "1 (warnings)" in counts.group(1)


def test_a_failure_shows_observed_expected_quote_page_exchange_and_curl(page: str) -> None:
    row = _row(page, "VOICE-002")
    assert "duration 301: answered 201" in row  # what was observed
    assert "422 refusal" in row  # what the docs expected
    assert "“For voice messages, include the duration field" in row  # the docs' sentence
    assert "sending-messages.txt" in row  # and its page
    assert "<b>POST https://staging.example.com/api/v1/messages</b>" in row  # the request
    assert "<b>HTTP 201</b>" in row  # the response, its body pretty-printed
    assert '\n  "duration": 301' in html.unescape(row)
    curl = re.search(r'<pre id="VOICE-002-curl-1">(.*?)</pre>', row, re.S)
    assert curl is not None
    assert "curl -i https://staging.example.com/api/v1/messages" in curl.group(1)
    assert "$TGO_API_KEY" in curl.group(1)
    assert "export TGO_API_KEY=" in row and "trk_…1234" in row  # which key to set
    assert KEY not in page


def test_a_failed_should_is_a_warning_and_does_not_fail_the_verdict() -> None:
    report = sample_report()
    report.requirements = [r for r in report.requirements if r.requirement.level != "MUST"]
    assert report.verdict == "pass"
    page = render_compliance_html(report)
    assert 'id="verdict">PASS<' in page
    row = _row(page, "ERR-008")
    assert '<span class="st warning">warning</span>' in row
    assert 'class="finding warning"' in row
    summary = report.to_summary()
    assert summary["counts"]["warnings"] == 1
    assert next(r for r in summary["requirements"] if r["id"] == "ERR-008")["warning"] is True


def test_repeated_failures_are_grouped_a_few_shown_the_rest_counted(page: str) -> None:
    row = _row(page, "ERR-002")
    assert "Failure 1 of 5" in row and "Failure 3 of 5" in row and "Failure 4 of 5" not in row
    assert "the same finding 12 times, in 12 tests; one shown in full" in row
    assert "11 other occurrences of this finding" in row
    listed = re.findall(r"<li>op\d+: error 401 has no message", row)
    assert len(listed) == OTHERS_LISTED
    assert f"and {11 - OTHERS_LISTED} more" in row
    assert "2 other kinds of failure of ERR-002 (2 occurrences)" in row
    # One full exchange per finding, not sixteen.
    assert row.count("Request sent") == 1


def test_not_tested_rows_give_their_reason(page: str) -> None:
    row = _row(page, "AUTH-003")
    assert '<span class="st not_tested">not tested</span>' in row
    assert "Not tested:</b> [keys].revoked is not in the target config" in row


def test_response_text_is_escaped_and_forbidden_code_points_shown_as_escapes(page: str) -> None:
    row = _row(page, "ERR-001")
    assert "<script>alert" not in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in row
    assert "\\x1b[31mred" in row and "\x1b" not in page and "\x00" not in page
    assert "\\x85" in row
    assert HOSTILE_TEXT not in page


def test_a_long_body_is_cut_with_a_note(page: str) -> None:
    row = _row(page, "ERR-001")
    assert re.search(r"… \d+ more lines not shown \(summary.json has them\)", row)
    assert row.count("line\n") < 100


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
    # Controls disappear, evidence is not clipped, and a filtered print says so.
    assert ".filters, button.copy { display: none !important; }" in style.group(1)
    assert "max-height: none" in style.group(1)
    assert 'id="print-filter"' in page and "beforeprint" in page
