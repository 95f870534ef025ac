"""A RunReport built without running the suite: real requirement results from hand-made test
outcomes, with evidence from real exchanges (the suite's client over an in-process transport).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from conformance.config import TargetConfig
from conformance.config.model import missing_entry
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange, Unanswered, step_evidence
from conformance.report.model import RunReport, TestOutcome
from conformance.report.traceability import requirement_results
from conformance.rules.catalogue import load_catalogue
from conformance.verify import CheckRecord

KEY = "trk_SampleKeyAbCdEfGhIjKlMnOpQrSt1234"
TARGET = "https://staging.example.com"
# What a hostile response may hold: terminal escapes, a lone surrogate, markup, a C1 control.
HOSTILE_TEXT = "\x1b[31mred\x1b[0m \ud800 </pre><script>alert('x')</script> \x85 \x00 end"


def exchange(
    status: int,
    body: str | bytes,
    *,
    method: str = "POST",
    path: str = "/api/v1/messages",
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
) -> Exchange:
    """One request through the suite's own client, answered in-process."""

    def answer(request: httpx.Request) -> httpx.Response:
        content = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        return httpx.Response(
            status, content=content, headers={"content-type": content_type, **(headers or {})}
        )

    config = TargetConfig(base_url=TARGET, rate_limit=0.0, keys={"full": KEY})
    with TargetClient(config, transport=httpx.MockTransport(answer)) as client:
        if json_body is None:
            return client.request(method, path)
        return client.request(method, path, json=json_body)


def failed_check(req_id: str, message: str, expected: str, ex: Exchange | None) -> CheckRecord:
    return CheckRecord(req_id, False, message, expected, ex.evidence() if ex else None)


def sample_outcomes() -> list[TestOutcome]:
    voice = exchange(
        201,
        json.dumps({"id": 13, "message_type": "voice", "duration": 301}),
        json_body={"type": "voice", "duration": 301, "to_phone": "+201010000000"},
    )
    envelope_outcomes = [
        TestOutcome(
            f"test_auth.py::test_no_key[op{i}]",
            "failed",
            ("AUTH-001",),
            (
                failed_check(
                    "ERR-002",
                    f"op{i}: error 401 has no message",
                    '{"message": "<text>"}',
                    exchange(401, '{"error": "API key required"}', method="GET", path=f"/op{i}"),
                ),
                CheckRecord("AUTH-001", True),
            ),
        )
        for i in range(12)
    ]
    other_kinds = [
        TestOutcome(
            f"test_errors.py::test_kind_{kind}",
            "failed",
            ("ERR-002",),
            (failed_check("ERR-002", f"kind {kind} differs", f"expectation {kind}", None),),
        )
        for kind in "abcd"
    ]
    hostile = exchange(500, HOSTILE_TEXT + "\n" * 3 + "line\n" * 400, content_type="text/plain")
    return [
        TestOutcome(
            "test_voice.py::test_voice_refuses_duration[301]",
            "failed",
            ("VOICE-002",),
            (failed_check("VOICE-002", "duration 301: answered 201", "422 refusal", voice),),
        ),
        TestOutcome(
            "test_errors.py::test_unknown_sender_code",
            "passed",
            ("ERR-008",),
            (failed_check("ERR-008", "unknown sender refused with code None", "not_found", None),),
        ),
        TestOutcome(
            "test_errors.py::test_error_is_json",
            "failed",
            ("ERR-001",),
            (failed_check("ERR-001", "error 500 is not JSON", "a JSON object", hostile),),
        ),
        TestOutcome(
            "test_auth.py::test_revoked_key",
            "skipped",
            ("AUTH-003",),
            skip_reason=missing_entry("keys", "revoked").text,
            not_run=missing_entry("keys", "revoked"),
        ),
        *envelope_outcomes,
        *other_kinds,
    ]


def inconclusive_outcomes() -> list[TestOutcome]:
    """A run whose target stopped answering in its second test: the first passed."""
    answered = exchange(200, '{"data": []}', method="GET", path="/api/v1/sender-numbers")
    killer = exchange(201, "{}", json_body={"type": "voice", "duration": 45})
    error = (
        "POST https://staging.example.com/api/v1/messages: no response "
        "(RemoteProtocolError: Server disconnected without sending a response.)"
    )
    attempt = Unanswered(
        method=killer.method,
        url=killer.url,
        headers=killer.request_headers,
        body=killer.request_body,
        curl_command=killer.curl(),
        error=error,
        sent=True,
        sent_at=2.0,
    )
    unanswered = {
        "error": error,
        "at": 2.0,
        "sent": True,
        "request": attempt.evidence(),
        "steps": [
            step_evidence({**answered.evidence(), "curl": "curl 1"}),
            step_evidence(attempt.evidence()),
        ],
        "steps_total": 2,
        "last_answered": {"test": "test_senders.py::test_list", "at": 1.0, **answered.evidence()},
    }
    return [
        TestOutcome(
            "test_senders.py::test_list",
            "passed",
            ("SENDER-005",),
            (CheckRecord("SENDER-005", True),),
            last_answer_at=1.0,
        ),
        TestOutcome(
            "test_voice.py::test_voice_bounds[1]",
            "inconclusive",
            ("VOICE-001", "ERR-006"),
            error=unanswered["error"],
            unanswered=unanswered,
            last_answer_at=1.5,
        ),
    ]


def sample_report(**overrides: Any) -> RunReport:
    outcomes = overrides.pop("tests", None) or sample_outcomes()
    fields: dict[str, Any] = {
        "target": TARGET,
        "started_at": datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC),
        "duration_s": 41.25,
        "profile": "quick",
        "requirements": requirement_results(load_catalogue(), outcomes),
        "tests": outcomes,
        "requests_sent": 30,
    }
    fields.update(overrides)
    return RunReport(**fields)
