"""What a run found: test outcomes, requirement results, findings, the verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from conformance.report.causes import RootCause, root_causes_of
from conformance.report.environment import Setting
from conformance.report.findings import Finding, findings_of
from conformance.report.not_tested import NotTestedBreakdown, breakdown, cause_of
from conformance.report.pinned import PinnedInputs
from conformance.report.results import (
    CHANGES,
    OUTCOMES,
    STATUSES,
    Change,
    FailureEvidence,
    FailureGroup,
    Outcome,
    RequirementResult,
    Status,
    TestOutcome,
    Verdict,
    group_failures,
)
from conformance.report.waiver_snippet import waiver_snippet
from conformance.report.waivers import WaiverResult
from conformance.rules.readings import Reading

if TYPE_CHECKING:
    from conformance.invocation import Invocation

__all__ = [
    "CHANGES",
    "OUTCOMES",
    "STATUSES",
    "BaselineComparison",
    "Change",
    "FailureEvidence",
    "FailureGroup",
    "NoAnswer",
    "Outcome",
    "ReadingResult",
    "RequirementResult",
    "RunReport",
    "Status",
    "TestOutcome",
    "Verdict",
    "group_failures",
]


@dataclass(frozen=True)
class NoAnswer:
    """Where the target stopped answering: the first request it did not answer (by the time
    it was sent, across workers), the steps of that test up to it, and the last request the
    target answered before it. The report's first finding when a run has one."""

    test: str
    error: str
    request: dict[str, Any] | None  # its evidence: request text and curl
    steps: tuple[dict[str, Any], ...]  # the test's requests, the unanswered one last
    steps_total: int  # how many the test sent (steps holds the last ones)
    last_answered: dict[str, Any] | None  # {"test", "at", "request", "response", "curl"}
    stopped: bool  # no request sent after it was answered
    tests_cut: tuple[str, ...]  # every test the target left without an answer

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "error": self.error,
            "stopped_answering": self.stopped,
            "request": self.request,
            "steps": list(self.steps),
            "steps_total": self.steps_total,
            "last_answered": self.last_answered,
            "tests_cut": list(self.tests_cut),
        }


@dataclass
class ReadingResult:
    """A readings register entry and what the target was seen to choose there."""

    reading: Reading
    observed: dict[str, int] = field(default_factory=dict)  # behaviour -> times seen

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.reading.id,
            "topic": self.reading.topic,
            "question": self.reading.question,
            "accepted": list(self.reading.accepted),
            "observed": [{"behaviour": b, "times": n} for b, n in self.observed.items()],
        }


@dataclass
class BaselineComparison:
    """The run a report is compared with, and what changed since (IDs by kind of change)."""

    path: str
    started_at: str | None = None
    verdict: str | None = None
    complete: bool | None = None
    target: str | None = None
    changes: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None  # the baseline could not be read: nothing is compared

    @property
    def regressed(self) -> list[str]:
        return self.changes.get("regressed", [])

    @property
    def fixed(self) -> list[str]:
        return self.changes.get("fixed", [])

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "started_at": self.started_at,
            "verdict": self.verdict,
            "complete": self.complete,
            "target": self.target,
            "error": self.error,
            "counts": {change: len(self.changes.get(change, [])) for change in CHANGES},
            "regressed": self.regressed,
            "fixed": self.fixed,
            "changes": {
                change: self.changes.get(change, []) for change in CHANGES if change != "unchanged"
            },
        }


@dataclass
class RunReport:
    target: str
    started_at: datetime
    duration_s: float
    profile: str
    requirements: list[RequirementResult]
    tests: list[TestOutcome]
    complete: bool = True
    incomplete_reason: str | None = None
    requests_sent: int = 0
    baseline: BaselineComparison | None = None
    first_failure_s: float | None = None  # seconds from the start to the first failed test
    readings: list[ReadingResult] = field(default_factory=list)  # the target's choices
    no_answer: NoAnswer | None = None  # where the target stopped answering, if it did
    environment: list[Setting] = field(default_factory=list)
    seed: int | None = None
    waivers: list[WaiverResult] = field(default_factory=list)  # what became of each waiver
    invocation: Invocation | None = None  # how the run was started: its rerun commands
    name: str = ""  # the run's name (--name; default: the base URL without credentials)
    pinned: PinnedInputs | None = None  # the kit's version and the inputs judged by

    @property
    def verdict(self) -> Verdict:
        """fail exactly when a MUST failed; inconclusive when none failed but one could not be
        observed because the target did not answer; pass otherwise."""
        musts = [r for r in self.requirements if r.requirement.level == "MUST"]
        if any(r.status == "failed" for r in musts):
            return "fail"
        if any(r.status == "inconclusive" for r in musts):
            return "inconclusive"
        return "pass"

    @property
    def findings(self) -> list[Finding]:
        """The failures grouped by cause, most impact first."""
        return findings_of(self.requirements)

    @property
    def root_causes(self) -> list[RootCause]:
        """The findings grouped by the rule broken and how: one change clears each."""
        return root_causes_of(self.findings)

    @property
    def inconclusive(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "inconclusive"]

    @property
    def failed_must(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "failed" and not r.is_warning]

    @property
    def warnings(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.is_warning]

    @property
    def suite_errors(self) -> list[TestOutcome]:
        """Tests that failed through a bug of the suite: not the target's fault, but the
        requirements they name are left unproven."""
        return [t for t in self.tests if t.suite_error]

    def counts(self) -> dict[str, int]:
        counted = Counter(r.status for r in self.requirements)
        counts: dict[str, int] = {status: counted.get(status, 0) for status in STATUSES}
        counts["warnings"] = sum(1 for r in self.requirements if r.is_warning)
        return counts

    def counts_by_level(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for result in self.requirements:
            row = table.setdefault(result.requirement.level, dict.fromkeys(STATUSES, 0))
            row[result.status] += 1
        return table

    def to_summary(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "name": self.name or self.target,
            "target": self.target,
            **({} if self.pinned is None else self.pinned.to_json()),
            "started_at": self.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": round(self.duration_s, 1),
            "profile": self.profile,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "counts": self.counts(),
            "counts_by_level": self.counts_by_level(),
            "requests_sent": self.requests_sent,
            "first_failure_s": None
            if self.first_failure_s is None
            else round(self.first_failure_s, 2),
            "tests": self.test_counts(),
            "seed": self.seed,
            "environment": {setting.name: setting.value for setting in self.environment},
            "no_answer": None if self.no_answer is None else self.no_answer.to_json(),
            "waivers": [waiver.to_json() for waiver in self.waivers],
            **self._findings_json(),
            "not_tested": self.not_tested_breakdown().to_json(),
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "requirements": [_requirement_json(result) for result in self.requirements],
            "readings": [reading.to_json() for reading in self.readings if reading.observed],
            "invocation": None if self.invocation is None else self.invocation.to_json(),
            "reruns": [] if self.invocation is None else self.invocation.reruns_json(self.tests),
        }

    def waiver_snippet(self, result: RequirementResult) -> str:
        """A waiver for a failed requirement, ready to paste (expiring a month after the run)."""
        return waiver_snippet(result.requirement.id, result.failing_tests, self.started_at.date())

    def _findings_json(self) -> dict[str, Any]:
        """Root causes first, and each finding naming its cause (computed once for both)."""
        causes = self.root_causes
        cause_of = {finding.id: cause.id for cause in causes for finding in cause.findings}
        findings = [cause_finding for cause in causes for cause_finding in cause.findings]
        findings.sort(key=lambda f: f.number)
        return {
            "root_causes": [cause.to_json() for cause in causes],
            "findings": [{**f.to_json(), "root_cause": cause_of[f.id]} for f in findings],
        }

    def test_counts(self) -> dict[str, int]:
        """Tests by outcome: the counts junit.xml and pytest-report.html give too (an
        inconclusive test is an error there)."""
        return {
            "total": len(self.tests),
            **{o: sum(1 for t in self.tests if t.outcome == o) for o in OUTCOMES},
            "suite_errors": sum(1 for t in self.tests if t.suite_error),
        }

    def not_tested_breakdown(self) -> NotTestedBreakdown:
        return breakdown(self.requirements)


def _requirement_json(result: RequirementResult) -> dict[str, Any]:
    data = result.to_json()
    if result.status == "not_tested":
        data["not_tested_cause"] = cause_of(result)
    return data
