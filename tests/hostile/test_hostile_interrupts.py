"""SIGINT (Ctrl-C) or SIGTERM mid-run: the run stops promptly, with its partial report written."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, start_suite
from servers import Action, Request, hang, hostile_target

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow

# Each request would wait this long (and the front holds a hanging request for two minutes):
# a run that waited for either would not end within RUN_PATIENCE_S, however fast the machine.
TIMEOUT = 600.0
RUN_PATIENCE_S = 90.0


@pytest.mark.parametrize(
    ("signum", "status", "named"),
    [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_mid_run_exits_promptly_with_the_partial_report(
    signum: int, status: int, named: str, tmp_path: Path
) -> None:
    answered = 4  # the preflight read and three more are answered; then the target hangs

    def slow_down(request: Request) -> Action | None:
        return hang() if request.number > answered else None

    with hostile_target(tmp_path, slow_down, timeout=TIMEOUT) as target:
        started = start_suite(
            target,
            tmp_path / "r",
            "-k",
            "(scopes or senders) and not isolation",
            default_sigint=True,
        )
        deadline = time.monotonic() + 30
        while len(target.front.seen()) <= answered:  # a request is hanging now
            assert time.monotonic() < deadline, "the run never reached the hanging target"
            time.sleep(0.05)
        time.sleep(0.5)
        sent_at = started.signal(signum)
        run = started.finish(timeout=RUN_PATIENCE_S)
        took = time.monotonic() - sent_at
    print(f"{named}: exited {took:.2f} s after the signal")
    assert run.returncode == status, run.output
    assert_kept_its_head(run, target)
    summary = run.summary
    assert summary["complete"] is False
    assert named in summary["incomplete_reason"]
    # Promptly: the signal broke the blocking read, so no request ran into its timeout.
    reasons = [r.get("reason") or "" for r in summary["requirements"]]
    assert not [reason for reason in reasons if f"timeout is {TIMEOUT}s" in reason], run.output
    assert run.passed(), "what ran before the signal is in the report"
    assert "INCOMPLETE" in run.stdout
