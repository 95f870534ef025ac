"""A test the target stopped answering: an error (it could not be carried out), not a failure
of the target's behaviour. What was sent, the steps before it, and the last answer go on its
report as data."""

from __future__ import annotations

import time
from typing import Any, Final

import pytest

from conformance.http.client import TargetUnreachable
from conformance.http.evidence import Exchange, step_evidence
from conformance.report.fields import UNANSWERED

# A test's report keeps at most this many of its requests (the last ones): a failed scenario's
# sequence, or the steps before a request that got no answer. A property test's hundreds are
# not a sequence, its failing case is.
SEQUENCE_MAX: Final = 25


def mark_inconclusive(
    report: pytest.TestReport,
    cut_off: TargetUnreachable,
    steps: list[Exchange],
    last: Exchange | None,
    last_test: str,
) -> None:
    """Put the request that got no answer, the test's steps and the last answered request
    (`last`, sent by `last_test` unless it is one of `steps`) on `report`, relabelled an
    error."""
    attempt = cut_off.unanswered
    last_answered: dict[str, Any] | None = None
    if last is not None:
        in_this_test = any(step is last for step in steps)
        last_answered = {
            "test": report.nodeid if in_this_test else last_test,
            "at": last.sent_at,
            **step_evidence(last.evidence()),
        }
    shown = [step_evidence(e.evidence()) for e in steps[-SEQUENCE_MAX:]]
    if attempt is not None:
        shown.append(step_evidence(attempt.evidence()))
    setattr(
        report,
        UNANSWERED,
        {
            "error": str(cut_off),
            "sent": True if attempt is None else attempt.sent,
            "at": time.time() if attempt is None else attempt.sent_at,
            "request": None if attempt is None else attempt.evidence(),
            "steps": shown,
            "steps_total": len(steps) + (attempt is not None),
            "last_answered": last_answered,
        },
    )
    # junit.xml, pytest-html and pytest's own summary call a failure an error only outside
    # the call phase: relabelled, the three agree with compliance.html that the test could
    # not be carried out.
    report.when = "setup"
    report.longrepr = (
        f"inconclusive, the target did not answer: {cut_off} (the test observed nothing "
        "after this; see compliance.html, which shows the request and the steps before it)"
    )
