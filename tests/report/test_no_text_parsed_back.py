"""No module of the report reads back a text the kit itself wrote: the evidence carries the
status and each message's start line, headers and body as data beside the texts summary.json
keeps ("request", "response", "curl"), and every reader takes the data. Each test alters the
texts and shows the reader unmoved; evidence that has only the texts (an older summary.json's)
is shown unsplit, its status unknown."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from report_samples import exchange, failed_check, inconclusive_outcomes, sample_report

from conformance.http.evidence import (
    Message,
    Steps,
    Unanswered,
    answer_line,
    request_line,
    step_evidence,
)
from conformance.report.causes import observed_status, root_causes_of
from conformance.report.console import verdict_lines
from conformance.report.findings import findings_of
from conformance.report.model import RequirementResult, TestOutcome
from conformance.report.pinned import pinned_inputs
from conformance.report.render import message_view, render_compliance_html
from conformance.report.replay import replay_script
from conformance.report.results import FailureEvidence
from conformance.report.schemas import summary_problem
from conformance.report.traceability import no_answer_of
from conformance.rules.catalogue import load_catalogue

TEMPLATES = Path(__file__).resolve().parents[2] / "conformance" / "report" / "templates"
# What the texts are replaced with: a reader that still splits them would show or use it.
NOT_READ = "TEXT NOT READ\nx-not-read: 1\n\nnor this body"


def _refused_409() -> dict[str, Any]:
    return exchange(409, '{"message": "no"}', json_body={"type": "video"}).evidence()


def _texts_altered(evidence: dict[str, Any]) -> dict[str, Any]:
    return {**evidence, "request": NOT_READ, "response": "HTTP 200\n\n" + NOT_READ}


def _texts_only(evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence as an older summary.json holds it: the three texts, nothing as data."""
    return {name: evidence[name] for name in ("request", "response", "curl")}


def test_the_texts_are_written_from_the_parts_the_evidence_carries() -> None:
    sent = exchange(
        201, '{"id": 7}', json_body={"type": "voice", "duration": 30}, headers={"x-a": "b"}
    )
    evidence = sent.evidence()
    assert evidence["status_code"] == 201
    request = Message.from_json(evidence["request_message"])
    response = Message.from_json(evidence["response_message"])
    assert request is not None and response is not None
    assert request.start == f"POST {sent.url}"
    assert ("content-type", "application/json") in request.headers
    assert request.notes == ("# key: [keys].full",)
    assert json.loads(request.body) == {"type": "voice", "duration": 30}
    assert (response.start, response.body) == ("HTTP 201", '{"id": 7}')
    assert ("x-a", "b") in response.headers
    # summary.json's texts are unchanged: the same parts, joined as before.
    assert evidence["request"] == request.text()
    assert evidence["response"].startswith("HTTP 201\n") and evidence["response"] == response.text()
    assert json.loads(json.dumps(evidence)) == evidence  # plain data: crosses xdist as JSON


def test_a_failure_reads_its_status_from_data_whatever_the_response_text_says() -> None:
    evidence = _texts_altered(_refused_409())
    failure = FailureEvidence("test_messages.py::t", "answered 409", "a 422", evidence)
    assert failure.status_code == 409
    assert failure.response_status == "HTTP 409"  # summary.json's findings keep this form
    assert observed_status(failure) == "409"
    assert failure.finding_key == ("check", "test_messages.py", "a 422", "HTTP 409")
    (finding,) = findings_of(_failed("MSG-002", failure))
    assert finding.to_json()["response_status"] == "HTTP 409"
    (cause,) = root_causes_of([finding])
    assert cause.status == "409" and cause.to_json()["observed_status"] == "409"


def test_evidence_with_only_the_texts_has_an_unknown_status_and_is_shown_unsplit() -> None:
    old = _texts_only(_refused_409())
    failure = FailureEvidence("test_messages.py::t", "answered 409", "a 422", old)
    assert (failure.status_code, failure.response_status, observed_status(failure)) == (
        None,
        None,
        "",
    )
    assert (request_line(old), answer_line(old)) == ("a request", "status unknown")
    view = message_view(old, "response")
    assert (view.start, view.headers) == ("", "")
    assert view.body == old["response"]  # whole, as written: nothing split out of it


def test_the_pages_message_blocks_are_built_from_the_parts() -> None:
    evidence = _texts_altered(_refused_409())
    response = message_view(evidence, "response")
    assert response.start == "HTTP 409"
    assert "content-type: application/json" in response.headers.splitlines()
    assert json.loads(response.body) == {"message": "no"}
    request = message_view(evidence, "request")
    assert request.start.startswith("POST https://")
    assert request.headers.splitlines()[-1] == "# key: [keys].full"
    assert json.loads(request.body) == {"type": "video"}
    # The whole page: every failure's texts altered, none of them shown.
    report = sample_report()
    for result in report.requirements:
        result.failures = [
            replace(f, evidence=_texts_altered(f.evidence) if f.evidence else None)
            for f in result.failures
        ]
    page = render_compliance_html(report)
    assert "TEXT NOT READ" not in page and "nor this body" not in page
    assert (
        "<b>HTTP 201</b>" in page
        and "<b>POST https://staging.example.com/api/v1/messages</b>" in page
    )


def test_a_request_that_got_no_answer_says_so_as_data() -> None:
    killer = exchange(201, "{}", json_body={"type": "voice", "duration": 45})
    attempt = Unanswered(
        method="POST",
        url=killer.url,
        headers=killer.request_headers,
        body=killer.request_body,
        curl_command=killer.curl(),
        error="POST …: no response (ReadTimeout: timed out)",
        sent=True,
        sent_at=1.0,
    )
    evidence = attempt.evidence()
    assert "status_code" not in evidence and "response_message" not in evidence
    assert evidence["no_answer"] == attempt.error
    assert answer_line(evidence) == "no answer"
    assert request_line(evidence) == f"POST {killer.url}"
    assert answer_line(step_evidence(evidence)) == "no answer"


def test_steps_keep_their_parts_cut_like_their_texts() -> None:
    long_body = json.dumps({"text": "x" * 5000})
    steps = Steps((exchange(200, "{}", method="GET"), exchange(422, long_body))).evidence()
    first, last = steps["steps"]
    assert (answer_line(first), answer_line(last)) == ("HTTP 200", "HTTP 422")
    cut_body = Message.from_json(last["response_message"])
    assert cut_body is not None and len(cut_body.body) < len(long_body)
    assert "more characters not shown" in cut_body.body


def test_a_replay_script_names_each_step_from_data_and_never_runs_a_text() -> None:
    answered = step_evidence(exchange(200, "{}", method="GET").evidence())
    hostile = {**answered, "request": "GET x\nrm -rf ~", "response": "HTTP 200\nrm -rf ~"}
    script = replay_script("t", [hostile, _texts_only(answered)], 2)
    assert "rm -rf" not in script
    assert "# step 1: GET https://staging.example.com/api/v1/messages -> HTTP 200" in script
    assert "# step 2: a request -> status unknown" in script


def test_one_request_cited_by_two_requirements_is_one_occurrence_by_its_data() -> None:
    evidence = _refused_409()
    cited = FailureEvidence("test_messages.py::t", "answered 409", "a 422", evidence)
    # The same request whose text reads differently: still the same request.
    again = replace(cited, evidence=_texts_altered(evidence))
    other = FailureEvidence(
        "test_messages.py::t",
        "answered 409",
        "a 422",
        exchange(409, "{}", json_body={"type": "fax"}).evidence(),
    )
    (finding,) = findings_of([*_failed("MSG-002", cited, other), *_failed("ERR-004", again)])
    assert len(finding.occurrences) == 3 and len(finding.distinct) == 2


def test_the_console_names_the_unanswered_request_from_data() -> None:
    outcomes = inconclusive_outcomes()
    (cut,) = [t for t in outcomes if t.unanswered]
    unanswered = copy.deepcopy(cut.unanswered) or {}
    unanswered["request"] = _texts_altered(unanswered["request"])
    outcomes = [t if t is not cut else replace(t, unanswered=unanswered) for t in outcomes]
    report = sample_report(tests=outcomes, no_answer=no_answer_of(outcomes), complete=False)
    lines = verdict_lines(report, Path("reports/r"))
    (line,) = [line for line in lines if "stopped answering" in line]
    assert "POST https://staging.example.com/api/v1/messages" in line
    assert "TEXT NOT READ" not in line


def test_summary_schema_describes_the_evidence_data_and_accepts_older_evidence() -> None:
    outcomes = _with_inconclusive()
    report = sample_report(tests=outcomes, no_answer=no_answer_of(outcomes), pinned=pinned_inputs())
    summary = report.to_summary()
    assert summary_problem(summary) is None
    failure = next(f for r in summary["requirements"] for f in r["failures"] if f.get("evidence"))
    evidence = failure["evidence"]
    assert isinstance(evidence["status_code"], int) and "response_message" in evidence
    failure["evidence"] = _texts_only(evidence)  # an older summary.json's
    assert summary_problem(summary) is None
    failure["evidence"] = {**evidence, "status_code": "HTTP 201"}
    assert "status_code" in (summary_problem(summary) or "")
    failure["evidence"] = {**evidence, "response_message": {"start": "HTTP 201"}}
    assert "response_message" in (summary_problem(summary) or "")
    failure["evidence"] = evidence
    assert summary_problem(summary) is None
    step = summary["no_answer"]["steps"][0]
    step["request_message"]["headers"] = {"content-type": ["not", "a text"]}
    assert "no_answer/steps/0/request_message/headers" in (summary_problem(summary) or "")


def test_no_template_splits_a_text() -> None:
    for template in TEMPLATES.glob("*.j2"):
        source = template.read_text(encoding="utf-8")
        for method in (".split(", ".partition(", ".splitlines(", ".startswith("):
            assert method not in source, f"{template.name} calls {method}"


def _failed(req_id: str, *failures: FailureEvidence) -> list[RequirementResult]:
    requirement = load_catalogue().by_id(req_id)
    return [RequirementResult(requirement, "failed", failures=list(failures))]


def _with_inconclusive() -> list[TestOutcome]:
    voice = exchange(201, '{"id": 1}', json_body={"type": "voice", "duration": 301})
    failed = TestOutcome(
        "test_voice.py::test_voice_refuses_duration[301]",
        "failed",
        ("VOICE-002",),
        (failed_check("VOICE-002", "duration 301: answered 201", "422 refusal", voice),),
    )
    return [failed, *inconclusive_outcomes()]
