"""Targets that answer, badly: resets, cut bodies, garbage under a JSON content type, HTML error
pages, bursts of 5xx. Each is a failure of the requirement under test, with evidence, and
nothing on stdout or stderr is a traceback."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import (
    PREFLIGHT,
    Action,
    Request,
    hostile_target,
    html_502,
    on,
    reset,
    respond,
    truncated,
)

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow

MESSAGES = "/api/v1/messages"
LOG_TEST = "test_log_entries_have_documented_fields"
SENDERS_TEST = "test_sender_list_gives_documented_fields_and_statuses"


def invalid_json() -> Action:
    body = b'{"data": [{"id": 1, "status": "sent",]}'
    return respond(200, body, {"Content-Type": "application/json"})


def binary_garbage() -> Action:
    body = random.Random(7).randbytes(4096) + b"\x00\xff\xfe"
    return respond(200, body, {"Content-Type": "application/json; charset=utf-8"})


# name -> (path, action, the pytest -k of the test that reads it, failed requirements, a text
# the failure's message or evidence must hold)
CASES: dict[str, tuple[str, Callable[[], Action], str, set[str], str]] = {
    "html-502-page": (MESSAGES, html_502, LOG_TEST, {"LOG-001", "ERR-001"}, "502 Bad Gateway"),
    "invalid-json": (PREFLIGHT, invalid_json, SENDERS_TEST, {"SENDER-005"}, '"status": "sent",]'),
    "binary-garbage": (MESSAGES, binary_garbage, LOG_TEST, {"LOG-001"}, "HTTP 200"),
    "truncated-body": (MESSAGES, truncated, LOG_TEST, {"LOG-001"}, "body broke off after 73 bytes"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_answer_fails_the_requirement_under_test_with_evidence(
    case: str, tmp_path: Path
) -> None:
    path, action, test, requirements, evidence = CASES[case]
    with hostile_target(tmp_path, on(path, action)) as target:
        run = run_suite(target, tmp_path / "r", "-k", test)
        assert target.front.seen(path)[-1].action != "forwarded"
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    assert run.failed() == requirements, run.output
    for req_id in requirements:
        assert run.requirement(req_id)["failures"], req_id
        # One line per finding after the verdict, naming its requirements.
        assert re.search(rf"F\d+ \(MUST\) [^\n]*\b{req_id}\b[^\n]* failed: ", run.stdout)
    assert evidence in run.failure_texts(next(iter(sorted(requirements)))), run.output
    assert run.summary["complete"] is True


def test_a_reset_instead_of_an_answer_is_inconclusive_never_failed(tmp_path: Path) -> None:
    # No answer at all is no evidence against the requirement under test: the test is an
    # error, the requirement inconclusive, and the report shows the request that got none.
    with hostile_target(tmp_path, on(MESSAGES, reset)) as target:
        run = run_suite(target, tmp_path / "r", "-k", LOG_TEST)
    assert run.returncode == 3, run.output
    assert_kept_its_head(run, target)
    assert not run.failed(), run.output
    log = run.requirement("LOG-001")
    assert log["status"] == "inconclusive" and "did not answer" in log["reason"], log
    no_answer = run.summary["no_answer"]
    assert no_answer["request"]["request"].startswith("GET http://127.0.0.1:"), no_answer
    assert MESSAGES in no_answer["request"]["request"].split("\n", 1)[0]
    assert run.summary["complete"] is False
    assert run.summary["tests"]["inconclusive"] >= 1


def test_burst_of_5xx_fails_the_tests_it_hit_and_no_others(tmp_path: Path) -> None:
    # Two 503 pages, then the target recovers: the two tests they hit fail, the next passes.
    def burst(request: Request) -> Action | None:
        if 2 <= request.number <= 3:
            return respond(503, b"<h1>Service Unavailable</h1>", {"Content-Type": "text/html"})
        return None

    selection = f"{SENDERS_TEST} or test_configured_sender_is_listed_in_its_state"
    with hostile_target(tmp_path, burst) as target:
        run = run_suite(target, tmp_path / "r", "-k", selection)
        statuses = [r.action for r in target.front.seen()]
    assert statuses[:4] == ["forwarded", "respond", "respond", "forwarded"], statuses
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    assert "SENDER-005" in run.failed() and "ERR-001" in run.failed()
    assert "503" in run.failure_texts("SENDER-005")
    assert "SENDER-007" in run.passed(), run.output  # after the burst, the target recovered
    assert len(statuses) == len(set(map(id, target.front.seen()))), "no request was retried"
