"""Why requirements were not tested, by cause, and what to add to the config to test them.

Each not-tested requirement carries its reasons as data (`NotRun`: a cause and the config
entries missing), from the code that decided the skip or the status; nothing here reads the
words of a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from conformance.not_run import CAUSES, Cause
from conformance.report.results import RequirementResult

TITLES: Final[dict[Cause, str]] = {
    "missing_entry": "a config entry is missing",
    "read_only": "the run was read-only (allow_writes = false)",
    "outside_api": "outside what the API lets a client observe",
    "deadline": "the run reached --max-duration first",
    "docs_open": "every case tried was one the docs leave open",
    "target_limit": "the target's lists could not be read to their end",
    "reference_refused": "the request its negative cases are built from was not accepted",
    "not_reached": "an earlier check in the same test failed",
    "suite_error": "a bug of the suite",
    "deselected": "no test of it was selected (-k, --tgo-requirements)",
    "other": "other reasons (each is given)",
}
ALLOW_WRITES: Final = "allow_writes = true"


def cause_of(result: RequirementResult) -> Cause:
    """The main cause of one not-tested requirement: a missing entry first (the one a person
    can fix), then the first of its reasons' causes in the report's order."""
    causes = {reason.cause for reason in result.not_run}
    if any(reason.missing for reason in result.not_run):
        return "missing_entry"
    return next((cause for cause in CAUSES if cause in causes), "other")


@dataclass(frozen=True)
class NotTestedBreakdown:
    by_cause: dict[Cause, list[RequirementResult]]
    to_add: list[str]  # config entries (and allow_writes) that would test more, once each

    @property
    def causes(self) -> list[tuple[Cause, str, list[RequirementResult]]]:
        return [
            (cause, TITLES[cause], self.by_cause[cause])
            for cause in CAUSES
            if self.by_cause.get(cause)
        ]

    def to_json(self) -> dict[str, object]:
        return {
            "by_cause": {
                cause: [r.requirement.id for r in results]
                for cause, results in self.by_cause.items()
            },
            "to_test_more_add": self.to_add,
        }


def breakdown(results: list[RequirementResult]) -> NotTestedBreakdown:
    by_cause: dict[Cause, list[RequirementResult]] = {}
    to_add: dict[str, None] = {}
    for result in results:
        if result.status != "not_tested":
            continue
        by_cause.setdefault(cause_of(result), []).append(result)
        for reason in result.not_run:
            for missing in reason.missing:
                to_add[missing.to_add()] = None
            if reason.cause == "read_only":
                to_add[ALLOW_WRITES] = None
    return NotTestedBreakdown(by_cause, list(to_add))
