"""From test outcomes to requirement results: the rules that decide each requirement's status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from conformance.not_run import NotRun
from conformance.report.model import (
    FailureEvidence,
    NoAnswer,
    ReadingResult,
    RequirementResult,
    TestOutcome,
)
from conformance.rules.catalogue import Catalogue
from conformance.rules.readings import Register


def requirement_results(
    catalogue: Catalogue, outcomes: Iterable[TestOutcome]
) -> list[RequirementResult]:
    """Status per requirement, in catalogue order.

    failed: some test recorded a failed check for it, or a test naming it failed without
    saying which check (an exception: the target answered garbage, its body broke off...).
    inconclusive: otherwise, a test naming it was cut off because the target did not answer
    (refused, reset, timed out): what that test would have observed is unknown, so neither a
    pass nor a failure can be claimed.
    passed: otherwise, some test that was not skipped recorded a passing check for it (a test
    that passed without observing it proves nothing of it, nor does one that skipped).
    not_tested: nothing observed it; the reason is the skips' reasons or the catalogue's own.
    """
    tests: dict[str, list[str]] = defaultdict(list)
    failures: dict[str, list[FailureEvidence]] = defaultdict(list)
    passed: set[str] = set()
    skips: dict[str, list[NotRun]] = defaultdict(list)
    cut_off: dict[str, list[str]] = defaultdict(list)

    for outcome in outcomes:
        recorded = {r.requirement for r in outcome.records if r.reading is None}
        failed_checks = {r.requirement for r in outcome.records if not r.ok}
        for req_id in (*outcome.requirements, *sorted(recorded - set(outcome.requirements))):
            if outcome.nodeid not in tests[req_id]:
                tests[req_id].append(outcome.nodeid)
        for record in outcome.records:
            if record.reading is not None:
                continue  # a note of the reading the target took: neither pass nor failure
            if not record.ok:
                evidence = dict(record.evidence) if record.evidence is not None else None
                failures[record.requirement].append(
                    FailureEvidence(
                        outcome.nodeid,
                        record.message,
                        record.expected,
                        evidence,
                        record.finding,
                        record.basis,
                    )
                )
            elif outcome.outcome != "skipped":
                # A test that skipped stopped before it checked what it set out to: what held
                # on the way (the list could be read, the lookup answered) proves no
                # requirement, so the skip's reason stands instead.
                passed.add(record.requirement)
        if outcome.outcome == "inconclusive":
            for req_id in outcome.requirements:
                cut_off[req_id].append(f"{outcome.nodeid}: {outcome.error}")
        elif outcome.outcome == "skipped":
            for req_id in outcome.requirements:
                skips[req_id].append(
                    outcome.not_run or NotRun("other", outcome.skip_reason or "skipped")
                )
        elif outcome.outcome == "passed":
            for req_id in set(outcome.requirements) - recorded:
                skips[req_id].append(
                    NotRun(
                        "docs_open",
                        f"{outcome.nodeid} ran but observed nothing of it (every case it tried "
                        "was one the docs leave open)",
                    )
                )
        elif failed_checks:
            for req_id in set(outcome.requirements) - recorded:
                skips[req_id].append(
                    NotRun(
                        "not_reached",
                        f"not reached: {outcome.nodeid} stopped when "
                        f"{', '.join(sorted(failed_checks))} failed",
                    )
                )
        elif outcome.suite_error:
            for req_id in outcome.requirements:
                skips[req_id].append(
                    NotRun(
                        "suite_error",
                        f"the suite itself failed in {outcome.nodeid}: {outcome.error}",
                    )
                )
        else:
            # Failed outside any recorded check: every requirement it names is unproven and
            # the target misbehaved while it was being tested.
            for req_id in outcome.requirements:
                failures[req_id].append(
                    FailureEvidence(outcome.nodeid, outcome.error or "the test failed")
                )

    results = []
    for requirement in catalogue.requirements:
        req_id = requirement.id
        if failures.get(req_id):
            results.append(
                RequirementResult(requirement, "failed", tests[req_id], failures[req_id])
            )
        elif cut_off.get(req_id):
            reason = _inconclusive_reason(cut_off[req_id], req_id in passed)
            results.append(
                RequirementResult(requirement, "inconclusive", tests[req_id], reason=reason)
            )
        elif req_id in passed:
            results.append(RequirementResult(requirement, "passed", tests[req_id]))
        else:
            reasons = _not_tested_reasons(requirement.not_tested, skips.get(req_id, []))
            results.append(
                RequirementResult(
                    requirement,
                    "not_tested",
                    tests[req_id],
                    reason="; ".join(dict.fromkeys(r.text for r in reasons)),
                    not_run=reasons,
                )
            )
    return results


def _inconclusive_reason(cut_off: list[str], some_passed: bool) -> str:
    first = cut_off[0]
    text = f"the target did not answer, so {len(cut_off)} test(s) of it could not finish"
    text += f" (first: {first})" if len(cut_off) == 1 else f"; the first: {first}"
    if some_passed:
        text += "; the checks that ran before held"
    return text


def _not_tested_reasons(
    catalogue_reason: str | None, skip_reasons: list[NotRun]
) -> tuple[NotRun, ...]:
    if skip_reasons:
        return tuple(dict.fromkeys(skip_reasons))
    if catalogue_reason:
        return (NotRun("outside_api", catalogue_reason),)
    return (
        NotRun(
            "deselected", "no test for it ran in this run (deselected, or the run stopped early)"
        ),
    )


def reading_results(register: Register, outcomes: Iterable[TestOutcome]) -> list[ReadingResult]:
    """Every register entry, with the behaviours the tests noted the target choosing there."""
    observed: dict[str, dict[str, int]] = defaultdict(dict)
    for outcome in outcomes:
        for record in outcome.records:
            if record.reading is not None:
                seen = observed[record.reading]
                seen[record.message] = seen.get(record.message, 0) + 1
    return [ReadingResult(reading, observed.get(reading.id, {})) for reading in register.readings]


def no_answer_of(outcomes: list[TestOutcome]) -> NoAnswer | None:
    """Where the target stopped answering: the first unanswered request of the run (by the
    time it was sent: xdist workers run side by side) and the last answered before it."""
    cut = [t for t in outcomes if t.unanswered]
    if not cut:
        return None
    first = min(cut, key=lambda t: float(t.unanswered["at"]) if t.unanswered else 0.0)
    data = first.unanswered or {}
    at = float(data["at"])
    earlier = [
        t.unanswered["last_answered"]
        for t in cut
        if t.unanswered
        and t.unanswered.get("last_answered")
        and float(t.unanswered["last_answered"]["at"]) <= at
    ]
    answered_after = any(t.last_answer_at is not None and t.last_answer_at > at for t in outcomes)
    return NoAnswer(
        test=first.nodeid,
        error=str(data["error"]),
        request=data.get("request"),
        steps=tuple(data.get("steps") or ()),
        steps_total=int(data.get("steps_total") or 0),
        last_answered=max(earlier, key=lambda e: float(e["at"])) if earlier else None,
        stopped=not answered_after,
        tests_cut=tuple(t.nodeid for t in cut),
    )
