"""Redirects: never followed, so the key never goes to another host or port."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import Action, HostileFront, Request, hostile_target, respond

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow


def test_run_never_sends_the_key_to_where_a_307_points(tmp_path: Path) -> None:
    # A second server on another loopback port: the 307s point there, and it records all it
    # hears. The suite must report the 307s and send it nothing (with the key or without).
    with HostileFront(lambda request: respond(200, b"{}")) as elsewhere:

        def redirect(request: Request) -> Action | None:
            if request.number == 1:
                return None  # the preflight read
            location = f"{elsewhere.base_url}{request.target}"
            return respond(307, b"", {"Location": location})

        with hostile_target(tmp_path, redirect) as target:
            run = run_suite(
                target,
                tmp_path / "r",
                "-k",
                "test_sender_list_gives_documented_fields or test_valid_key_in_x_api_key",
            )
            redirected = target.front.seen()[1:]
        heard_elsewhere = elsewhere.seen()
    assert redirected and all(r.action == "respond" for r in redirected)
    assert all("x-api-key" in r.headers for r in redirected)  # the target itself got the key
    assert heard_elsewhere == [], [r.headers for r in heard_elsewhere]
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    assert "SENDER-005" in run.failed(), run.output
    evidence = run.failure_texts("SENDER-005")
    assert "HTTP 307" in evidence and f"location: {elsewhere.base_url}/api/v1/" in evidence
