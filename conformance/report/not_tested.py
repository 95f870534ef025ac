"""Why requirements were not tested, by cause, and what to add to the config to test them.

The reasons are the skip reasons of the tests (and the catalogue's own for what lies outside
the API). A missing config entry is always worded by `TargetConfig.missing_reason`, so the entry
and its variables are read back from that wording; the test of this module builds every other
reason with the code that words it, so a new wording cannot slip into "other" unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from conformance.report.results import RequirementResult

# (cause, title, how a reason says it), in the order the report lists them.
CAUSES: Final = (
    ("missing_entry", "a config entry is missing", None),
    ("read_only", "the run was read-only (allow_writes = false)", re.compile(r"allow_writes")),
    ("outside_api", "outside what the API lets a client observe", None),
    ("deadline", "the run reached --max-duration first", re.compile(r"--max-duration")),
    (
        "docs_open",
        "every case tried was one the docs leave open",
        re.compile(r"observed nothing of it"),
    ),
    (
        "target_limit",
        "the target's lists could not be read to their end",
        re.compile(r"could not be read to its end"),
    ),
    (
        "reference_refused",
        "the request its negative cases are built from was not accepted",
        re.compile(r"the reference request \("),
    ),
    (
        "not_reached",
        "an earlier check in the same test failed",
        re.compile(r"(?:^|; )not reached"),  # reasons of several tests are joined by "; "
    ),
    ("suite_error", "a bug of the suite", re.compile(r"the suite itself failed")),
    (
        "deselected",
        "no test of it was selected (-k, --tgo-requirements)",
        re.compile(r"no test for it ran"),
    ),
    ("other", "other reasons (each is given)", None),
)
TITLES: Final = {cause: title for cause, title, _ in CAUSES}
# As TargetConfig.missing_reason words it: "no [keys].revoked in the target config (or
# TGO_KEY_REVOKED)", "no [other_account] in the target config (a second ...; or TGO_...)".
MISSING: Final = re.compile(
    r"no (\[[a-z_]+\](?:\.[A-Za-z_.]+)?) in the target config \((?:[^()]*?; )?or ([^)]*)\)"
)
ALLOW_WRITES: Final = "allow_writes = true"


@dataclass(frozen=True)
class MissingEntry:
    entry: str  # "[keys].revoked"
    variables: str  # "TGO_KEY_REVOKED"


def missing_entries(reason: str) -> list[MissingEntry]:
    return [MissingEntry(m.group(1), m.group(2)) for m in MISSING.finditer(reason)]


def cause_of(result: RequirementResult) -> str:
    """The main cause of one not-tested requirement."""
    reason = result.reason or ""
    if missing_entries(reason):
        return "missing_entry"
    for cause, _, pattern in CAUSES:
        if pattern is not None and pattern.search(reason):
            return cause
    if result.requirement.not_tested and reason == result.requirement.not_tested:
        return "outside_api"
    return "other"


@dataclass(frozen=True)
class NotTestedBreakdown:
    by_cause: dict[str, list[RequirementResult]]
    to_add: list[str]  # config entries (and allow_writes) that would test more, once each

    @property
    def causes(self) -> list[tuple[str, str, list[RequirementResult]]]:
        return [
            (cause, TITLES[cause], self.by_cause[cause])
            for cause, _, _ in CAUSES
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
    by_cause: dict[str, list[RequirementResult]] = {}
    to_add: dict[str, None] = {}
    for result in results:
        if result.status != "not_tested":
            continue
        by_cause.setdefault(cause_of(result), []).append(result)
        reason = result.reason or ""
        for missing in missing_entries(reason):
            to_add[f"{missing.entry} (or {missing.variables})"] = None
        if re.search(r"allow_writes", reason):
            to_add[ALLOW_WRITES] = None
    return NotTestedBreakdown(by_cause, list(to_add))
