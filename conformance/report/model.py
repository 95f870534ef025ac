"""What a run found: test outcomes, requirement results, the verdict."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from conformance.rules.catalogue import Requirement
from conformance.rules.readings import Reading
from conformance.verify import CheckRecord

Outcome = Literal["passed", "failed", "skipped"]
Status = Literal["passed", "failed", "not_tested"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "not_tested")

# How a requirement's status moved since a baseline run.
Change = Literal["regressed", "fixed", "unchanged", "now_tested", "no_longer_tested", "new"]
CHANGES: tuple[Change, ...] = (
    "regressed",
    "fixed",
    "now_tested",
    "no_longer_tested",
    "new",
    "unchanged",
)


@dataclass(frozen=True)
class TestOutcome:
    """One test as pytest finished it, with the checks it recorded."""

    __test__ = False  # a data class, not a pytest test class

    nodeid: str
    outcome: Outcome
    requirements: tuple[str, ...]
    records: tuple[CheckRecord, ...] = ()
    skip_reason: str | None = None
    error: str | None = None  # why it failed when no recorded check says (already redacted)
    duration_s: float = 0.0
    suite_error: bool = False  # failed through a bug of the suite, not through the target


@dataclass(frozen=True)
class FailureEvidence:
    """Why one requirement failed in one test."""

    test: str
    message: str
    expected: str = ""
    evidence: dict[str, Any] | None = None

    @property
    def response_status(self) -> str | None:
        """The status line of the response in the evidence ("HTTP 201"), if any."""
        response = (self.evidence or {}).get("response")
        if not isinstance(response, str) or not response.startswith("HTTP "):
            return None
        return response.split("\n", 1)[0].strip()

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "message": self.message,
            "expected": self.expected,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class FailureGroup:
    """Failures of one requirement that are the same finding seen several times: the same
    expectation broken with the same response status (typically one rule, several operations
    or parameters)."""

    failures: tuple[FailureEvidence, ...]

    @property
    def example(self) -> FailureEvidence:
        """The occurrence the report shows in full: the first that carries an exchange."""
        return next((f for f in self.failures if f.evidence), self.failures[0])

    @property
    def others(self) -> tuple[FailureEvidence, ...]:
        example = self.example
        return tuple(f for f in self.failures if f is not example)

    @property
    def tests(self) -> list[str]:
        return list(dict.fromkeys(f.test for f in self.failures))

    def to_json(self) -> dict[str, Any]:
        example = self.example
        return {
            "message": example.message,
            "expected": example.expected,
            "response_status": example.response_status,
            "count": len(self.failures),
            "tests": self.tests,
        }


def _group_key(failure: FailureEvidence) -> tuple[str, str]:
    if failure.expected or failure.evidence:
        return failure.expected, failure.response_status or ""
    # An exception without a recorded check: group by its first line, numbers aside.
    first = (failure.message.strip().splitlines() or [""])[0]
    return "", re.sub(r"\d+", "#", first)


def group_failures(failures: list[FailureEvidence]) -> list[FailureGroup]:
    """Failures grouped by finding, largest group first (first seen first among equals)."""
    groups: dict[tuple[str, str], list[FailureEvidence]] = {}
    for failure in failures:
        groups.setdefault(_group_key(failure), []).append(failure)
    ordered = sorted(groups.values(), key=len, reverse=True)  # stable: ties keep first-seen order
    return [FailureGroup(tuple(group)) for group in ordered]


@dataclass
class RequirementResult:
    requirement: Requirement
    status: Status
    tests: list[str] = field(default_factory=list)
    failures: list[FailureEvidence] = field(default_factory=list)
    reason: str | None = None  # for not_tested
    change: Change | None = None  # against a baseline, when the run has one
    previous_status: str | None = None  # the status in the baseline run

    @property
    def is_warning(self) -> bool:
        """A failed SHOULD or MAY: reported, but it does not fail the verdict."""
        return self.status == "failed" and self.requirement.level != "MUST"

    @property
    def shown_status(self) -> str:
        """The status as a person reads it: a failed SHOULD/MAY is a warning."""
        return "warning" if self.is_warning else self.status

    @property
    def failing_tests(self) -> list[str]:
        """The tests in which it failed (``tests`` also holds those in which it held)."""
        return list(dict.fromkeys(f.test for f in self.failures))

    def failure_groups(self) -> list[FailureGroup]:
        return group_failures(self.failures)

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        data: dict[str, Any] = {
            "id": req.id,
            "level": req.level,
            "area": req.area,
            "title": req.title,
            "source": f"{req.source.doc}: \u201c{req.source.quote}\u201d",
            "doc": req.source.doc,
            "quote": req.source.quote,
            "status": self.status,
            "tests": self.tests,
            "failures": [failure.to_json() for failure in self.failures],
        }
        if self.failures:
            data["failure_groups"] = [group.to_json() for group in self.failure_groups()]
        if self.reason is not None:
            data["reason"] = self.reason
        if self.is_warning:
            data["warning"] = True
        if self.change is not None:
            data["change"] = self.change
            data["previous_status"] = self.previous_status
        return data


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

    @property
    def verdict(self) -> Literal["pass", "fail"]:
        failed_must = any(
            r.status == "failed" and r.requirement.level == "MUST" for r in self.requirements
        )
        return "fail" if failed_must else "pass"

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
            "target": self.target,
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
            "tests": {
                "total": len(self.tests),
                **{
                    o: sum(1 for t in self.tests if t.outcome == o)
                    for o in ("passed", "failed", "skipped")
                },
                "suite_errors": sum(1 for t in self.tests if t.suite_error),
            },
            "baseline": None if self.baseline is None else self.baseline.to_json(),
            "requirements": [result.to_json() for result in self.requirements],
            "readings": [reading.to_json() for reading in self.readings if reading.observed],
        }
