"""Targets that answer, badly: resets, cut bodies, garbage under a JSON content type, HTML error
pages, bursts of 5xx. Each is a failure of the requirement under test, with evidence, and
nothing on stdout or stderr is a traceback."""

from __future__ import annotations

import random
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
    "connection-reset": (MESSAGES, reset, LOG_TEST, {"LOG-001"}, "GET http://127.0.0.1:"),
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
        assert f"{req_id} (MUST) failed: " in run.stdout  # one line each, after the verdict
    assert evidence in run.failure_texts(next(iter(sorted(requirements)))), run.output
    assert run.summary["complete"] is True


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
