"""Why the plugin does not run a test: the run reached its deadline, or the test writes and
the run is read-only. Each is a `NotRun`, carried on the test's report as data."""

from __future__ import annotations

from conformance.not_run import NotRun

WRITES_REASON = "writes not allowed on this target (allow_writes = false)"
WRITES_NOT_ALLOWED = NotRun("read_only", WRITES_REASON)


def deadline_reason(max_duration: float | None) -> str:
    return f"not run: the run reached its --max-duration ({max_duration} s)"


def deadline_reached(max_duration: float | None) -> NotRun:
    return NotRun("deadline", deadline_reason(max_duration))
