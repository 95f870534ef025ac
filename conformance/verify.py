"""Checks attributed to requirements: what a test records, and what the report reads back.

A test names the requirements it verifies with ``@pytest.mark.requirement(...)`` and records
each observation with ``verify.check(REQ, ok, ...)``. Recording per requirement, instead of
failing the whole test on the first assert, lets one test that exercises several rules pin a
failure on the rule that was broken and still credit the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from conformance.rules.basis import Basis


class ProvidesEvidence(Protocol):
    """Something that can describe a request and its response for a report (already redacted)."""

    def evidence(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class CheckRecord:
    """One observation about one requirement."""

    requirement: str
    ok: bool
    message: str = ""
    expected: str = ""
    evidence: Mapping[str, Any] | None = None
    reading: str | None = None  # the readings register entry the observation took, if any
    # What kind of finding a failure is, when the request it was seen on does not say: the
    # report counts failures with one label as one finding, across requirements and statuses.
    finding: str = ""
    # The rule the check applied and the docs' words behind it, when they are not simply the
    # requirement's own sentence: the report quotes them first.
    basis: Basis | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["basis"] = self.basis.to_json() if self.basis is not None else None
        if self.ok and self.reading is None:
            # Passing checks only need to say which requirement they exercised.
            return {"requirement": self.requirement, "ok": True}
        if self.ok:
            return {
                "requirement": self.requirement,
                "ok": True,
                "reading": self.reading,
                "message": self.message,
            }
        data["evidence"] = dict(self.evidence) if self.evidence is not None else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckRecord:
        return cls(
            requirement=str(data["requirement"]),
            ok=bool(data["ok"]),
            message=str(data.get("message", "")),
            expected=str(data.get("expected", "")),
            evidence=data.get("evidence"),
            reading=data.get("reading"),
            finding=str(data.get("finding", "")),
            basis=Basis.from_json(data["basis"]) if data.get("basis") else None,
        )


class ConformanceFailure(AssertionError):
    """Raised when a test's recorded checks include a failure of a MUST requirement."""


class UndeclaredRequirement(Exception):
    """A test recorded a check for a requirement it does not declare in its marker."""


# A failure of one requirement is recorded at most this many times per test: a property test
# that shrinks would otherwise record every intermediate example.
MAX_FAILURES_PER_REQUIREMENT = 3


@dataclass
class Verifier:
    """Records checks for one test. ``declared`` are the IDs of the test's requirement marker;
    ``ambient`` are IDs any test may record (the error envelope is checked on every error)."""

    declared: frozenset[str]
    ambient: frozenset[str] = frozenset()
    records: list[CheckRecord] = field(default_factory=list)

    def check(
        self,
        requirement: str,
        ok: bool,
        message: str = "",
        *,
        expected: str = "",
        exchange: ProvidesEvidence | None = None,
        finding: str = "",
        basis: Basis | None = None,
    ) -> bool:
        """Record that ``requirement`` held (ok) or not; returns ok so callers can branch.
        ``finding`` labels the kind of failure when its status and expectation do not (the
        error envelope, checked on every status); ``basis`` is the rule that decided, when it
        is not the requirement's own sentence."""
        if requirement not in self.declared and requirement not in self.ambient:
            raise UndeclaredRequirement(
                f"check for {requirement}, which the test's requirement marker does not name "
                f"(it names {', '.join(sorted(self.declared)) or 'nothing'})"
            )
        if ok:
            self.records.append(CheckRecord(requirement, True))
            return True
        earlier = [r for r in self.records if r.requirement == requirement and not r.ok]
        if len(earlier) >= MAX_FAILURES_PER_REQUIREMENT:
            # Keep the newest: Hypothesis replays its minimal example last.
            self.records.remove(earlier[0])
        evidence = exchange.evidence() if exchange is not None else None
        self.records.append(
            CheckRecord(
                requirement, False, message, expected, evidence, finding=finding, basis=basis
            )
        )
        return False

    def chose(self, requirement: str, reading: str, behaviour: str) -> None:
        """Record which of the accepted readings (a readings register entry) the target took:
        no failure and no pass, a note the report shows beside the docs' words."""
        if requirement not in self.declared and requirement not in self.ambient:
            raise UndeclaredRequirement(f"reading noted for {requirement}, not declared")
        if not any(r.reading == reading and r.message == behaviour for r in self.records):
            self.records.append(CheckRecord(requirement, True, behaviour, reading=reading))

    def require(
        self,
        requirement: str,
        ok: bool,
        message: str = "",
        *,
        expected: str = "",
        exchange: ProvidesEvidence | None = None,
        basis: Basis | None = None,
    ) -> None:
        """Like check, but a failure stops the test at once (nothing after it can be judged)."""
        if not self.check(
            requirement, ok, message, expected=expected, exchange=exchange, basis=basis
        ):
            raise ConformanceFailure(f"{requirement}: {message}")

    def failures(self) -> list[CheckRecord]:
        return [record for record in self.records if not record.ok]

    def failed_requirements(self) -> set[str]:
        return {record.requirement for record in self.failures()}


def summarize_failures(records: Iterable[CheckRecord]) -> str:
    """The text a failing test shows in pytest's output: one line per failed check."""
    lines = []
    for record in records:
        line = f"{record.requirement}: {record.message}"
        if record.expected:
            line += f" (expected: {record.expected})"
        lines.append(line)
    return "\n".join(lines)
