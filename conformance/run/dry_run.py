"""The plan's dry run: the suite against the bundled mock standing in for the target."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from conformance.run.orchestrate import RunOptions, execute
from conformance.run.plan import Plan, dry_run_dir, plan_from_run
from conformance.run.pytest_front import RunError
from conformance.run.target import load_target


def make_plan(config: Path | None, profile: str) -> Plan:
    """Plan a run of `profile` against the target `config` describes (the TGO_* environment
    without one); sends nothing to it."""
    real = load_target(config)
    with dry_run_dir() as tmp:
        # pytest's own lines (dots, the pytest-html note) belong to the dry run, not the plan.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            outcome = execute(
                RunOptions(report_dir=Path(tmp) / "dry-run", profile=profile, stand_in_for=real)
            )
        if outcome.report is None or outcome.target is None:
            raise RunError("the dry run of the suite did not produce a report")
        sent = [request for by_test in outcome.sent.values() for request in by_test]
        return plan_from_run(sent, outcome.report, outcome.target, real)
