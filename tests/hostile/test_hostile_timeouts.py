"""Targets that never answer, or trickle: each request ends at the configured timeout, and the run
as a whole ends at --max-duration with its report marked incomplete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import Action, Request, hang, hostile_target, trickle

from conformance.config import load_config
from conformance.http.client import TargetClient

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow

TIMEOUT = 1.5
# Two tests of one request each (allow_writes = false).
SELECTION = "test_sender_list_gives_documented_fields_and_statuses or test_usage_is_grouped"
SILENCES: dict[str, Callable[[], Action]] = {
    "never-answers": hang,
    # Each byte comes well within the timeout of one read: only a bound on the whole exchange
    # stops this one.
    "trickles-one-byte-a-second": lambda: trickle(1.0),
}


TRICKLED_BYTES = 1_000_000  # the body trickle() promises


def after_preflight(action: Callable[[], Action]) -> Callable[[Request], Action | None]:
    return lambda request: action() if request.number > 1 else None


@pytest.mark.parametrize("silence", list(SILENCES))
def test_each_request_to_a_silent_target_fails_at_the_configured_timeout(
    silence: str, tmp_path: Path
) -> None:
    with hostile_target(tmp_path, after_preflight(SILENCES[silence]), timeout=TIMEOUT) as target:
        # The bound on the whole exchange reaches into httpx: say so if an upgrade broke it.
        with TargetClient(load_config(target.config_path, env={})) as client:
            assert client.bounds_whole_exchange
        run = run_suite(target, tmp_path / "r", "-k", SELECTION)
        silent = target.front.seen()[1:]
    # A silent target is no evidence against any requirement: inconclusive, exit 3.
    assert run.returncode == 3, run.output
    assert_kept_its_head(run, target)
    assert not run.failed(), run.output
    inconclusive = {
        r["id"]: r for r in run.summary["requirements"] if r["status"] == "inconclusive"
    }
    assert set(inconclusive) == {"SENDER-005", "SENDER-006", "USAGE-001"}, run.output
    # Each test ended on the client's own timeout (the target would hold every request for
    # minutes, or trickle for days), and the next test still sent its request.
    for result in inconclusive.values():
        assert f"timeout is {TIMEOUT}s" in result["reason"]
    times = run.test_times()
    print(f"{silence}: tests took {sorted(round(t, 2) for t in times.values())} s")
    assert len(silent) == 2 and len(times) == 2, (silent, times)
    # Never before the timeout: a busy machine can only make a test longer.
    assert min(times.values()) >= TIMEOUT - 0.05, times
    if silence != "never-answers":
        # The client stopped reading long before the promised body was complete.
        assert all(request.bytes_sent < TRICKLED_BYTES for request in silent), silent


@pytest.mark.parametrize(
    "timeout", [600.0, 0.5], ids=["request-outlasts-the-run", "requests-time-out-within-it"]
)
def test_run_against_a_silent_target_obeys_max_duration(timeout: float, tmp_path: Path) -> None:
    # 600 s: the first request would block far past the deadline (and past the 90 s this test
    # waits for the run, and the two minutes the front holds it); the watchdog interrupts it.
    # 0.5 s: requests end by themselves; tests stop starting at the deadline.
    max_duration = 2.0
    with hostile_target(tmp_path, after_preflight(hang), timeout=timeout) as target:
        run = run_suite(
            target,
            tmp_path / "r",
            "-k",
            "scopes or auth or senders",
            cli_args=("--max-duration", str(max_duration)),
            timeout=90,
        )
        # Did any test start, and send its request to the silent target, before the deadline?
        reached_the_silence = len(target.front.seen()) > 1
    assert_kept_its_head(run, target)
    summary = run.summary
    assert summary["complete"] is False, run.output
    assert "--max-duration" in summary["incomplete_reason"]
    assert "INCOMPLETE" in run.stdout
    # The documented exit status: the verdict on what ran (1 when a MUST failed, else 3 when
    # a MUST is inconclusive, else 0).
    assert run.returncode == {"fail": 1, "inconclusive": 3, "pass": 0}[summary["verdict"]]
    print(f"timeout {timeout} s, --max-duration {max_duration} s: run took {run.elapsed_s:.1f} s")
    if timeout < max_duration:
        # Requests end by themselves; the deadline stops tests from starting.
        assert run.summary["counts"]["not_tested"] > 0, run.output
        return
    # The request outlasts the run: it was never ended by its own timeout.
    reasons = [r.get("reason") or "" for r in summary["requirements"]]
    assert not [reason for reason in reasons if f"timeout is {timeout}s" in reason], run.output
    if reached_the_silence:
        # A test was waiting on the silent target at the deadline: the watchdog interrupted
        # it, rather than the run waiting for the request's own timeout.
        assert "the test still running was interrupted" in summary["incomplete_reason"]
    else:
        # On a machine busy enough that the run was still starting at the deadline, no test
        # started at all (the same rule, seen from its other side).
        assert "before every test ran" in summary["incomplete_reason"], run.output
