"""What a run found: test outcomes, requirement results, the verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from conformance.requirements import Requirement
from conformance.verify import CheckRecord

Outcome = Literal["passed", "failed", "skipped"]
Status = Literal["passed", "failed", "not_tested"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "not_tested")


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

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "message": self.message,
            "expected": self.expected,
            "evidence": self.evidence,
        }


@dataclass
class RequirementResult:
    requirement: Requirement
    status: Status
    tests: list[str] = field(default_factory=list)
    failures: list[FailureEvidence] = field(default_factory=list)
    reason: str | None = None  # for not_tested
    change: str | None = None  # "regressed" or "fixed" against a baseline

    @property
    def is_warning(self) -> bool:
        """A failed SHOULD or MAY: reported, but it does not fail the verdict."""
        return self.status == "failed" and self.requirement.level != "MUST"

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        data: dict[str, Any] = {
            "id": req.id,
            "level": req.level,
            "area": req.area,
            "title": req.title,
            "source": f"{req.source.doc}: \u201c{req.source.quote}\u201d",
            "status": self.status,
            "tests": self.tests,
            "failures": [failure.to_json() for failure in self.failures],
        }
        if self.reason is not None:
            data["reason"] = self.reason
        if self.is_warning:
            data["warning"] = True
        if self.change is not None:
            data["change"] = self.change
        return data


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
    baseline: str | None = None
    first_failure_s: float | None = None  # seconds from the start to the first failed test

    @property
    def verdict(self) -> Literal["pass", "fail"]:
        failed_must = any(
            r.status == "failed" and r.requirement.level == "MUST" for r in self.requirements
        )
        return "fail" if failed_must else "pass"

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
            "baseline": self.baseline,
            "requirements": [result.to_json() for result in self.requirements],
        }
