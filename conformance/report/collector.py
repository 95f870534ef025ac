"""Collects test outcomes on the controller and writes the run's reports when pytest finishes.

Each test's report carries its records (the plugin puts them there; xdist carries report
fields from the workers). At the end the collector builds one typed `RunReport`, writes it,
and keeps it for the runner (`collector.report`).
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import kit_version
from conformance.http.evidence import SentRequest
from conformance.http.har import HAR_FILE, assemble
from conformance.not_run import NotRun
from conformance.report.baseline import compare_with_baseline
from conformance.report.environment import environment
from conformance.report.fields import (
    LAST_ANSWER,
    NOT_RUN,
    RECORDS,
    REQUESTS,
    SENT,
    SEQUENCE,
    SUITE_ERROR,
    UNANSWERED,
)
from conformance.report.model import RunReport, TestOutcome
from conformance.report.pinned import pinned_inputs
from conformance.report.traceability import no_answer_of, reading_results, requirement_results
from conformance.report.waivers import apply_waivers
from conformance.report.writer import redact_file, write_reports
from conformance.rules.catalogue import Catalogue
from conformance.rules.readings import load_register
from conformance.verify import CheckRecord
from conformance.waivers import Waivers

if TYPE_CHECKING:
    from conformance.description import RunDescription

MAX_ERROR_CHARS = 2000


class RunCollector:
    """Registered as a plugin on the controller only."""

    def __init__(self, *, run: RunDescription, catalogue: Catalogue, waivers: Waivers) -> None:
        self.run = run
        self.catalogue = catalogue
        self.waivers = waivers  # the plugin's: the tests and the report apply the same ones
        self.redactor = run.target.redactor()
        self.started_at = datetime.now(UTC)
        self.started = time.monotonic()
        self.outcomes: dict[str, TestOutcome] = {}
        self.interrupted: str | None = None
        self.deadline_reached = False
        self.requests = 0
        # every request the tests sent, as data, by test (set-up, call and teardown)
        self.sent: dict[str, list[SentRequest]] = {}
        self.collected: list[str] = []
        self.first_failure_s: float | None = None
        self.report: RunReport | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        requirements = tuple(str(v) for k, v in report.user_properties if k == "requirement")
        previous = self.outcomes.get(report.nodeid)
        records = _records(report)
        self.requests += int(getattr(report, REQUESTS, 0) or 0)
        sent = [SentRequest.from_json(s) for s in getattr(report, SENT, None) or ()]
        if sent:
            self.sent.setdefault(report.nodeid, []).extend(sent)
        not_run = _not_run(report)
        if not_run is not None and not_run.cause == "deadline":
            self.deadline_reached = True
        unanswered = getattr(report, UNANSWERED, None)
        last_answer = getattr(report, LAST_ANSWER, None)
        if unanswered is not None:
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "inconclusive",
                requirements,
                records=records or (previous.records if previous else ()),
                error=self.redactor.text(str(unanswered["error"])),
                duration_s=report.duration,
                unanswered=unanswered,
                last_answer_at=last_answer,
            )
        elif previous is not None and previous.outcome == "inconclusive":
            return  # its teardown adds nothing to a test the target left unanswered
        elif report.skipped and report.when == "call" and hasattr(report, "wasxfail"):
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "waived",
                requirements,
                records=records,
                skip_reason=str(report.wasxfail),
                duration_s=report.duration,
                last_answer_at=last_answer,
            )
        elif report.skipped and report.when in ("setup", "call"):
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "skipped",
                requirements,
                records=records,
                skip_reason=_skip_reason(report),
                not_run=not_run,
            )
        elif report.failed:
            if previous is not None and previous.outcome == "failed":
                return  # a teardown error after a failure adds nothing
            if self.first_failure_s is None:
                self.first_failure_s = time.monotonic() - self.started
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "failed",
                requirements,
                records=records or (previous.records if previous else ()),
                error=self._error_text(report),
                duration_s=report.duration,
                suite_error=bool(getattr(report, SUITE_ERROR, False)),
                sequence=tuple(getattr(report, SEQUENCE, None) or ()),
                last_answer_at=last_answer or (previous.last_answer_at if previous else None),
            )
        elif report.when == "call" and report.passed:
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "passed",
                requirements,
                records=records,
                duration_s=report.duration,
                last_answer_at=last_answer,
            )

    def _error_text(self, report: pytest.TestReport) -> str:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = str(crash.message) if crash is not None else report.longreprtext
        return self.redactor.text(text[-MAX_ERROR_CHARS:])

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Without xdist the controller runs what it collected; with it the workers collect,
        # and this list stays empty.
        self.collected = [item.nodeid for item in session.items]

    # tryfirst: another implementation may raise (pytest's terminal reporter can fail to
    # format the interrupt's traceback), and pluggy then calls no further one.
    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self) -> None:
        if self.interrupted is None:
            self.interrupted = "interrupted (Ctrl-C or a signal) before every test ran"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        outcomes = list(self.outcomes.values())
        incomplete = self.interrupted
        if incomplete is None and self.deadline_reached:
            incomplete = (
                f"stopped at --max-duration ({self.run.max_duration:g} s) before every test ran"
                if self.run.max_duration is not None
                else "stopped at its deadline before every test ran"
            )
        if incomplete is None and session.shouldstop:
            incomplete = f"stopped early: {session.shouldstop}"
        not_run = [nodeid for nodeid in self.collected if nodeid not in self.outcomes]
        if incomplete is None and not_run:
            # However the run was stopped, a test that never reported did not run.
            incomplete = f"{len(not_run)} of {len(self.collected)} tests did not run"
        no_answer = no_answer_of(outcomes)
        if no_answer is not None:
            cut = len(no_answer.tests_cut)
            what = (
                "the target stopped answering"
                if no_answer.stopped
                else "the target left some requests without an answer"
            )
            reason = f"{what}: {cut} test{'s' if cut != 1 else ''} could not finish"
            incomplete = reason if incomplete is None else f"{reason}; {incomplete}"
        results = requirement_results(self.catalogue, outcomes)
        waiver_results = apply_waivers(results, self.waivers)
        comparison = None
        if self.run.baseline is not None:
            comparison = compare_with_baseline(results, self.run.baseline)
        self.report = RunReport(
            target=self.run.label,
            started_at=self.started_at,
            duration_s=time.monotonic() - self.started,
            profile=self.run.profile,
            requirements=results,
            tests=outcomes,
            complete=incomplete is None,
            incomplete_reason=incomplete,
            requests_sent=self.requests,
            first_failure_s=self.first_failure_s,
            baseline=comparison,
            readings=reading_results(load_register(), outcomes),
            no_answer=no_answer,
            waivers=waiver_results,
            environment=environment(
                self.run.target, profile=self.run.profile, target=self.run.label, seed=self.run.seed
            ),
            seed=self.run.seed,
            invocation=self.run.invocation,
            name=self.run.name,
            pinned=pinned_inputs(self.run.contract),
        )
        write_reports(self.report, self.run.report_dir, self.redactor)
        assemble(self.run.har_parts, self.run.report_dir / HAR_FILE, kit_version())

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # junit.xml and pytest-report.html are written by pytest and pytest-html from texts the
        # suite already redacted; a key that still got into one (a target echoing it in a form
        # nobody foresaw, a third-party message) is masked here, after they are written.
        for option in ("xmlpath", "htmlpath"):
            path = config.getoption(option, None)
            if path:
                redact_file(Path(path), self.redactor)
        shutil.rmtree(self.run.work_dir, ignore_errors=True)


def _records(report: pytest.TestReport) -> tuple[CheckRecord, ...]:
    raw: list[dict[str, Any]] = getattr(report, RECORDS, None) or []
    return tuple(CheckRecord.from_json(item) for item in raw)


def _not_run(report: pytest.TestReport) -> NotRun | None:
    raw: dict[str, Any] | None = getattr(report, NOT_RUN, None)
    return NotRun.from_json(raw) if raw else None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)
