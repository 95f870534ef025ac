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

TIMEOUT = 1.5
# Two tests of one request each (allow_writes = false).
SELECTION = "test_sender_list_gives_documented_fields_and_statuses or test_usage_is_grouped"
SILENCES: dict[str, Callable[[], Action]] = {
    "never-answers": hang,
    # Each byte comes well within the timeout of one read: only a bound on the whole exchange
    # stops this one.
    "trickles-one-byte-a-second": lambda: trickle(1.0),
}


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
    for result in inconclusive.values():
        assert f"timeout is {TIMEOUT}s" in result["reason"]
    times = run.test_times()
    print(f"{silence}: tests took {sorted(round(t, 2) for t in times.values())} s")
    assert len(silent) == 2 and len(times) == 2, (silent, times)
    for took in times.values():
        assert TIMEOUT - 0.05 <= took <= TIMEOUT + 1.0, times
    if silence == "never-answers":
        # Measured at the server: the client hung up at its timeout.
        for request in silent:
            assert request.ended is not None
            assert TIMEOUT - 0.05 <= request.ended - request.arrived <= TIMEOUT + 0.5


@pytest.mark.parametrize(
    "timeout", [30.0, 0.5], ids=["request-outlasts-the-run", "requests-time-out-within-it"]
)
def test_run_against_a_silent_target_obeys_max_duration(timeout: float, tmp_path: Path) -> None:
    # 30 s: the first request would block past the deadline; the watchdog interrupts it.
    # 0.5 s: requests end by themselves; tests stop starting at the deadline.
    max_duration = 2.0
    with hostile_target(tmp_path, after_preflight(hang), timeout=timeout) as target:
        run = run_suite(
            target,
            tmp_path / "r",
            "-k",
            "scopes or auth or senders",
            cli_args=("--max-duration", str(max_duration)),
            timeout=60,
        )
    assert_kept_its_head(run, target)
    summary = run.summary
    assert summary["complete"] is False, run.output
    assert "--max-duration" in summary["incomplete_reason"]
    assert "INCOMPLETE" in run.stdout
    # The documented exit status: the verdict on what ran (1 when a MUST failed, else 3 when
    # a MUST is inconclusive, else 0).
    assert run.returncode == {"fail": 1, "inconclusive": 3, "pass": 0}[summary["verdict"]]
    print(f"timeout {timeout} s, --max-duration {max_duration} s: run took {run.elapsed_s:.1f} s")
    # Start-up (imports, preflight) and the report come on top of the 2 s and the watchdog's 2 s.
    assert run.elapsed_s < max_duration + 2.0 + 5.0, run.elapsed_s
