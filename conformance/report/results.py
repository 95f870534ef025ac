"""Test outcomes and requirement results: what the run observed, requirement by requirement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance.http.evidence import status_code_of, status_line
from conformance.not_run import NotRun
from conformance.rules.basis import Basis, Sentence
from conformance.rules.catalogue import Requirement
from conformance.verify import CheckRecord

# waived: it failed only on checks a waiver covers (pytest: an expected failure).
Outcome = Literal["passed", "failed", "skipped", "inconclusive", "waived"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped", "inconclusive", "waived")
Status = Literal["passed", "failed", "waived", "inconclusive", "not_tested"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "waived", "inconclusive", "not_tested")
Verdict = Literal["pass", "fail", "inconclusive"]

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
    not_run: NotRun | None = None  # a skip's reason as data, when the kit decided the skip
    error: str | None = None  # why it failed when no recorded check says (already redacted)
    duration_s: float = 0.0
    suite_error: bool = False  # failed through a bug of the suite, not through the target
    # inconclusive: the request the target did not answer, the test's steps up to it, and the
    # last request the target answered before it (plain data, see plugin/inconclusive.py)
    unanswered: dict[str, Any] | None = None
    sequence: tuple[dict[str, Any], ...] = ()  # a failed scenario's requests, in order
    last_answer_at: float | None = None  # time.time() of its last answered request


@dataclass(frozen=True)
class FailureEvidence:
    """Why one requirement failed in one test."""

    test: str
    message: str
    expected: str = ""
    evidence: dict[str, Any] | None = None
    finding: str = ""  # the check's label for the kind of failure, if it gave one
    basis: Basis | None = None  # the rule the check applied, when not the requirement's own

    def decided_by(self, requirement: Requirement) -> Basis:
        """The rule and the docs' words that decided this failure: the check's basis, else the
        requirement's own sentence (with the other page's, where the catalogue records that
        the pages contradict each other on it)."""
        if self.basis is not None:
            return self.basis
        sentences = [Sentence(requirement.source.doc, requirement.source.quote)]
        if requirement.contradiction is not None:
            sentences.append(
                Sentence(requirement.contradiction.doc, requirement.contradiction.quote)
            )
        return Basis(
            rule=f"requirement {requirement.id}",
            says=requirement.title,
            sentences=tuple(sentences),
            reading=requirement.reading if requirement.contradiction is not None else None,
        )

    @property
    def status_code(self) -> int | None:
        """The status the target answered with, from the evidence's data (None: no response
        in evidence, or evidence from an older summary.json that has it only as text)."""
        return status_code_of(self.evidence)

    @property
    def response_status(self) -> str | None:
        """The response's status line as summary.json's findings show it ("HTTP 201")."""
        return None if self.status_code is None else status_line(self.status_code)

    def to_json(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "message": self.message,
            "expected": self.expected,
            "evidence": self.evidence,
            **({"basis": self.basis.to_json()} if self.basis is not None else {}),
        }

    @property
    def finding_key(self) -> tuple[str, ...]:
        """Failures with one key are one finding: the same kind of observation (the check's
        label; else its expectation and the status seen, within one test module; else the
        first line of the error, numbers aside)."""
        if self.finding:
            return ("label", self.finding)
        if self.expected or self.evidence:
            module = self.test.split("::", 1)[0]
            return ("check", module, self.expected, self.response_status or "")
        first = (self.message.strip().splitlines() or [""])[0]
        return ("error", re.sub(r"\d+", "#", first))


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


def group_failures(failures: list[FailureEvidence]) -> list[FailureGroup]:
    """Failures grouped by finding, largest group first (first seen first among equals)."""
    groups: dict[tuple[str, ...], list[FailureEvidence]] = {}
    for failure in failures:
        groups.setdefault(failure.finding_key, []).append(failure)
    ordered = sorted(groups.values(), key=len, reverse=True)  # stable: ties keep first-seen order
    return [FailureGroup(tuple(group)) for group in ordered]


@dataclass
class RequirementResult:
    requirement: Requirement
    status: Status
    tests: list[str] = field(default_factory=list)
    failures: list[FailureEvidence] = field(default_factory=list)
    reason: str | None = None  # for not_tested, inconclusive and waived
    not_run: tuple[NotRun, ...] = ()  # not_tested: each reason as data (reason joins them)
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
