"""Whose fault a test's exception is: the target's (it did not answer, or answered badly) or
the suite's. A failure while the target was not answering is never filed as the suite's."""

from __future__ import annotations

import pytest

from conformance.http.client import BrokenAnswer, TargetNotAnswering, TargetTimeout
from conformance.plugin.blame import blames_target, unanswered_in


def _raised_while_handling(error: BaseException) -> BaseException:
    try:
        try:
            raise error
        except Exception:
            {}["missing"]  # a bug in the suite's handler
    except KeyError as bug:
        return bug
    raise AssertionError("unreachable")


def test_no_answer_is_found_wherever_it_hides() -> None:
    timeout = TargetTimeout("GET /x: timed out")
    assert unanswered_in(timeout) is timeout
    group = ExceptionGroup("hypothesis", [ValueError("x"), TargetNotAnswering("not sent")])
    assert isinstance(unanswered_in(group), TargetNotAnswering)
    chained = RuntimeError("wrapped")
    chained.__cause__ = timeout
    assert unanswered_in(chained) is timeout


def test_an_exception_raised_while_handling_no_answer_is_the_targets() -> None:
    bug = _raised_while_handling(TargetTimeout("GET /x: timed out"))
    assert isinstance(unanswered_in(bug), TargetTimeout)


@pytest.mark.parametrize(
    ("error", "target"),
    [
        (AssertionError("answered 500"), True),
        (BrokenAnswer("answered 200, then the body broke off"), True),
        (TypeError("a bug of the suite"), False),
    ],
)
def test_what_blames_the_target(error: BaseException, target: bool) -> None:
    assert blames_target(error) is target
    assert unanswered_in(error) is None
