"""What became of each waiver of a run: applied, stale, expired, or naming no requirement.

An active waiver (conformance/waivers.py) turns the failures it covers into `waived` (they no
longer fail the verdict); a waiver past its date, or naming a requirement the catalogue does
not have, waives nothing and is reported; one whose requirement passed (or that covered no
failure) is reported stale, so it can be removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from conformance.report.results import RequirementResult
from conformance.waivers import Waiver, Waivers

WaiverState = Literal["applied", "stale", "expired", "unknown_requirement"]


@dataclass(frozen=True)
class WaiverResult:
    waiver: Waiver
    state: WaiverState
    covered: tuple[str, ...] = ()  # the tests whose failures it waived

    def to_json(self) -> dict[str, Any]:
        fields = {k: v for k, v in self.waiver.to_wire().items() if k != "where"}
        return {**fields, "state": self.state, "covered_tests": list(self.covered)}


def apply_waivers(results: list[RequirementResult], waivers: Waivers) -> list[WaiverResult]:
    """Mark `waived` each failed requirement whose every failure an active waiver covers; what
    became of each waiver."""
    covered: dict[Waiver, list[str]] = {}
    for result in results:
        if result.status != "failed":
            continue
        covering = [
            (failure.test, waivers.covering(result.requirement.id, failure.test))
            for failure in result.failures
        ]
        if covering and all(w is not None for _, w in covering):
            used = list(dict.fromkeys(w for _, w in covering if w is not None))
            result.status = "waived"
            result.reason = "; ".join(w.note() for w in used)
        for test, waiver in covering:
            if waiver is not None:
                covered.setdefault(waiver, []).append(test)
    outcome: list[WaiverResult] = []
    for waiver in waivers.all:
        tests = tuple(dict.fromkeys(covered.get(waiver, [])))
        if waiver.requirement not in waivers.known:
            state: WaiverState = "unknown_requirement"
        elif waiver.expired(waivers.when):
            state = "expired"
        elif tests:
            # Its failures are waived; others of the requirement, outside its tests, still fail.
            state = "applied"
        else:
            state = "stale"  # the requirement passed, or nothing it covers failed
        outcome.append(WaiverResult(waiver, state, tests))
    return outcome
