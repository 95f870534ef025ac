"""Root causes: findings that one change on the target's side would clear together.

Findings group failures by the check that saw them, so one rule broken the same way shows as
several findings when several test modules apply it (invalid input answered 409 in the message,
phone and sender tests). A root cause is the rule and what the target did instead: the checks'
basis and the status observed. It says how many requirements that one change clears, counting
a requirement only when every failure it has belongs to the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from conformance.report.findings import Finding
from conformance.report.results import FailureEvidence, RequirementResult
from conformance.rules.basis import Basis, Sentence
from conformance.rules.catalogue import level_rank


def observed_status(failure: FailureEvidence) -> str:
    """The status the target answered with ("409"), or "" when no response is in evidence."""
    status = failure.status_code
    return "" if status is None else str(status)


def _cause_key(finding: Finding) -> tuple[str, ...]:
    example = finding.example
    if example.basis is not None:
        status = observed_status(example) if example.basis.pins_status else ""
        # `says` tells apart two ways of breaking one rule (no text at all; text in the other
        # page's field).
        return ("basis", example.basis.rule, example.basis.says, status)
    return ("finding", finding.id)


@dataclass(frozen=True)
class RootCause:
    """One rule broken one way, with every finding it explains."""

    number: int
    findings: tuple[Finding, ...]

    @property
    def id(self) -> str:
        return f"C{self.number}"

    @cached_property
    def example(self) -> FailureEvidence:
        """The occurrence its headline quotes: from the finding seen most often."""
        return max(self.findings, key=lambda f: len(f.distinct)).example

    @cached_property
    def basis(self) -> Basis:
        """What decided: the rule and the docs' words (the requirement's, when the check
        applied no rule of its own)."""
        return self.example.decided_by(self.findings[0].requirements[0].requirement)

    @property
    def status(self) -> str:
        return observed_status(self.example)

    @cached_property
    def followed(self) -> Sentence | None:
        """Where the pages contradict each other: the page whose value the target took."""
        if not (self.basis.contradicts and self.basis.pins_status):
            return None
        return self.basis.followed(self.status)

    @cached_property
    def level(self) -> str:
        return min((f.level for f in self.findings), key=level_rank)

    @property
    def fails_verdict(self) -> bool:
        return self.level == "MUST"

    @cached_property
    def requirements(self) -> list[RequirementResult]:
        seen: dict[str, RequirementResult] = {}
        for finding in self.findings:
            for result in finding.requirements:
                seen.setdefault(result.requirement.id, result)
        return list(seen.values())

    @cached_property
    def clears(self) -> list[RequirementResult]:
        """The requirements this change alone would make pass: all their failures are its."""
        mine = {id(failure) for finding in self.findings for _, failure in finding.occurrences}
        return [r for r in self.requirements if all(id(f) in mine for f in r.failures)]

    @cached_property
    def tests(self) -> list[str]:
        return list(dict.fromkeys(t for finding in self.findings for t in finding.tests))

    @property
    def occurrences(self) -> int:
        return sum(len(finding.distinct) for finding in self.findings)

    @property
    def headline(self) -> str:
        """The cause in one line: the rule, and what the target did instead."""
        example = self.example
        if example.basis is not None and example.basis.pins_status and self.status:
            return f"{self.basis.says}; the target answered {self.status}"
        if example.basis is not None:
            return f"{self.basis.says}: {example.message.splitlines()[0]}"
        return example.message.splitlines()[0] if example.message else example.expected

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "level": self.level,
            "headline": self.headline,
            "decided_by": self.basis.to_json(),
            "observed_status": self.status or None,
            "findings": [finding.id for finding in self.findings],
            "requirements": [r.requirement.id for r in self.requirements],
            "clears": [r.requirement.id for r in self.clears],
            "tests": len(self.tests),
            "occurrences": self.occurrences,
        }
        if self.basis.contradicts and self.basis.pins_status:
            data["followed"] = None if self.followed is None else self.followed.doc
        return data


def root_causes_of(findings: list[Finding]) -> list[RootCause]:
    """Findings grouped by cause, most impact first: MUST before SHOULD, then the most
    requirements, then the most occurrences (the findings' own order among equals)."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_cause_key(finding), []).append(finding)
    unnumbered = [RootCause(0, tuple(group)) for group in groups.values()]
    unnumbered.sort(key=lambda c: (level_rank(c.level), -len(c.requirements), -c.occurrences))
    return [RootCause(number, c.findings) for number, c in enumerate(unnumbered, start=1)]
