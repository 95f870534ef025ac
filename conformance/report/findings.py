"""Findings: failures grouped by cause across requirements, each counted once.

A finding is one kind of observation (see `FailureEvidence.finding_key`): the same check broken
the same way, whichever requirements cite it. Bad keys answered 403 is one finding even when
AUTH-002, AUTH-003 and ERR-004 each cite it; the report says so once, naming all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from conformance.http.evidence import request_message
from conformance.report.results import FailureEvidence, RequirementResult
from conformance.rules.catalogue import level_rank


@dataclass(frozen=True)
class Finding:
    """One cause: every failure of it, with the requirement each was recorded against."""

    number: int  # 1 for the finding with the most impact
    occurrences: tuple[tuple[RequirementResult, FailureEvidence], ...]

    @property
    def id(self) -> str:
        return f"F{self.number}"

    @cached_property
    def requirements(self) -> list[RequirementResult]:
        seen: dict[str, RequirementResult] = {}
        for result, _ in self.occurrences:
            seen.setdefault(result.requirement.id, result)
        return list(seen.values())

    @cached_property
    def level(self) -> str:
        """The strictest level among its requirements: a finding that breaks a MUST is one."""
        return min((r.requirement.level for r in self.requirements), key=level_rank)

    @property
    def fails_verdict(self) -> bool:
        return self.level == "MUST"

    @cached_property
    def example(self) -> FailureEvidence:
        """The occurrence shown in full: the first with an exchange, preferring a MUST's."""
        ordered = sorted(self.occurrences, key=lambda o: level_rank(o[0].requirement.level))
        return next((f for _, f in ordered if f.evidence), ordered[0][1])

    @property
    def tests(self) -> list[str]:
        return list(dict.fromkeys(f.test for _, f in self.occurrences))

    @cached_property
    def distinct(self) -> list[FailureEvidence]:
        """Its occurrences once each: one observation several requirements cite counts once."""
        seen: dict[tuple[str, str, object], FailureEvidence] = {}
        for _, failure in self.occurrences:
            seen.setdefault((failure.test, failure.message, request_identity(failure)), failure)
        return list(seen.values())

    @cached_property
    def others(self) -> list[FailureEvidence]:
        example = self.example
        return [f for f in self.distinct if f is not example]

    def to_json(self) -> dict[str, Any]:
        example = self.example
        return {
            "id": self.id,
            "level": self.level,
            "observed": example.message,
            "expected": example.expected,
            "response_status": example.response_status,
            "requirements": [r.requirement.id for r in self.requirements],
            "tests": self.tests,
            "occurrences": len(self.distinct),
            "decided_by": example.decided_by(self.requirements[0].requirement).to_json(),
            "example": example.to_json(),
        }


def request_identity(failure: FailureEvidence) -> object:
    """The request a failure was seen on, as data: the same request seen again (a generated
    case Hypothesis replays) is the same observation. Evidence without the request in parts
    (an older summary.json's) is compared by its request text, whole."""
    message = request_message(failure.evidence)
    if message is not None:
        return message
    return str((failure.evidence or {}).get("request", ""))


def findings_of(results: list[RequirementResult]) -> list[Finding]:
    """The findings of the failed requirements, most impact first: MUST before SHOULD, then
    the most requirements, then the most occurrences (first seen first among equals)."""
    groups: dict[tuple[str, ...], list[tuple[RequirementResult, FailureEvidence]]] = {}
    for result in results:
        if result.status != "failed":
            continue
        for failure in result.failures:
            groups.setdefault(failure.finding_key, []).append((result, failure))
    unnumbered = [Finding(0, tuple(group)) for group in groups.values()]
    unnumbered.sort(
        key=lambda f: (level_rank(f.level), -len(f.requirements), -len(f.distinct))
    )  # stable: ties keep the catalogue's order
    return [Finding(number, f.occurrences) for number, f in enumerate(unnumbered, start=1)]
