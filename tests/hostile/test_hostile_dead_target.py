"""A target that dies mid-run: the remaining tests report errors, the run finishes, the report is
written; and a dead target does not cost the timeout for every remaining request."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import Action, HostileFront, Request, Rule, hang, hostile_target, reset

TIMEOUT = 0.5
DIES_AT = 12  # the request number at which the target dies (the preflight read is number 1)
SELECTION = "auth or scopes"  # ~50 tests, ~70 requests


def dies(front: list[HostileFront], how: str) -> Rule:
    def rule(request: Request) -> Action | None:
        if request.number < DIES_AT:
            return None
        if how == "refuses":
            front[0].die()  # the process is gone: connections are refused from now on
            return reset()
        return hang()  # the process hangs: connections are accepted, nothing comes back

    return rule


@pytest.mark.parametrize("how", ["refuses", "hangs"])
def test_target_dying_mid_run_fails_the_remaining_tests_and_the_run_finishes(
    how: str, tmp_path: Path
) -> None:
    fronts: list[HostileFront] = []
    with hostile_target(tmp_path, dies(fronts, how), timeout=TIMEOUT) as target:
        fronts.append(target.front)
        run = run_suite(target, tmp_path / "r", "-k", SELECTION, timeout=120)
        after_death = [r for r in target.front.seen() if r.number >= DIES_AT]
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    summary = run.summary
    assert summary["complete"] is True, run.output
    assert run.passed(), "the tests before the death passed"
    assert run.failed(), run.output
    failures = "\n".join(run.failure_texts(req_id) for req_id in run.failed())
    if how == "refuses":
        assert "Connection refused" in failures or "not sent" in failures
    else:
        assert f"timeout is {TIMEOUT}s" in failures
        # After 5 requests in a row without an answer the client stops sending, but for one
        # probe every 5 s: the ~50 remaining requests do not each wait out the timeout.
        assert "not sent: the target has not answered since" in failures
        assert len(after_death) <= 5 + run.elapsed_s / 5 + 1, len(after_death)
    print(f"dies ({how}): run took {run.elapsed_s:.1f} s, {len(after_death)} requests after death")
    assert run.elapsed_s < 30, run.elapsed_s
