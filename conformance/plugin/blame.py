"""Whose fault a failed test is: the target's (a check failed, its answer broke off), the
suite's (any other exception), or nobody's yet (the target did not answer)."""

from __future__ import annotations

from conformance.http.client import BrokenAnswer, TargetUnreachable
from conformance.http.evidence import ResponseNotJSON

TARGET_FAULTS: tuple[type[BaseException], ...] = (
    AssertionError,  # ConformanceFailure included: a check of the target's behaviour failed
    BrokenAnswer,  # the target's answer broke off
    ResponseNotJSON,
)


def blames_target(error: BaseException) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(blames_target(inner) for inner in error.exceptions)
    return isinstance(error, TARGET_FAULTS)


def unanswered_in(error: BaseException) -> TargetUnreachable | None:
    """The no-answer error behind `error`, if any: itself, one of its group, or what it was
    raised while handling (an exception raised while handling an unreachable target is the
    target's doing, never the suite's)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TargetUnreachable):
            return current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend((current.__cause__, current.__context__))
    return None
