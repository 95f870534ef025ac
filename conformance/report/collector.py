"""Collects test outcomes on the controller and writes the run's reports when pytest finishes."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.http.redact import Redactor
from conformance.report.baseline import compare_with_baseline
from conformance.report.model import RunReport, TestOutcome
from conformance.report.traceability import requirement_results
from conformance.report.writer import redact_file, write_reports
from conformance.rules.catalogue import Catalogue
from conformance.verify import CheckRecord

WORK_DIR = ".work"
MAX_ERROR_CHARS = 2000


def checks_file(report_dir: Path, worker: str) -> Path:
    """Where one pytest process appends the checks its tests recorded."""
    return report_dir / WORK_DIR / f"checks-{worker}.jsonl"


class RunCollector:
    """Registered as a plugin on the controller only."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        target: str,
        report_dir: Path,
        profile: str,
        redactor: Redactor,
        baseline: str | None,
    ) -> None:
        self.catalogue = catalogue
        self.target = target
        self.report_dir = report_dir
        self.profile = profile
        self.redactor = redactor
        self.baseline = baseline
        self.started_at = datetime.now(UTC)
        self.started = time.monotonic()
        self.outcomes: dict[str, TestOutcome] = {}
        self.interrupted: str | None = None
        self.collected: list[str] = []
        self.first_failure_s: float | None = None
        self.report: RunReport | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        requirements = tuple(str(v) for k, v in report.user_properties if k == "requirement")
        previous = self.outcomes.get(report.nodeid)
        if report.skipped and report.when in ("setup", "call"):
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid, "skipped", requirements, skip_reason=_skip_reason(report)
            )
        elif report.failed:
            if previous is not None and previous.outcome == "failed":
                return  # a teardown error after a failure adds nothing
            if self.first_failure_s is None:
                self.first_failure_s = time.monotonic() - self.started
            suite_error = ("tgo_failure", "suite") in report.user_properties
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid,
                "failed",
                requirements,
                error=self._error_text(report),
                duration_s=report.duration,
                suite_error=suite_error,
            )
        elif report.when == "call" and report.passed:
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid, "passed", requirements, duration_s=report.duration
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
        self.interrupted = "interrupted (Ctrl-C or a signal) before every test ran"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        records, requests = self._read_checks()
        outcomes = [
            replace(outcome, records=tuple(records.get(nodeid, ())))
            for nodeid, outcome in self.outcomes.items()
        ]
        incomplete = self.interrupted
        if incomplete is None and any(
            (o.skip_reason or "").startswith("not run: the run reached") for o in outcomes
        ):
            incomplete = "stopped at --max-duration before every test ran"
        if incomplete is None and session.shouldstop:
            incomplete = f"stopped early: {session.shouldstop}"
        not_run = [nodeid for nodeid in self.collected if nodeid not in self.outcomes]
        if incomplete is None and not_run:
            # However the run was stopped, a test that never reported did not run.
            incomplete = f"{len(not_run)} of {len(self.collected)} tests did not run"
        results = requirement_results(self.catalogue, outcomes)
        comparison = None
        if self.baseline:
            comparison = compare_with_baseline(results, Path(self.baseline))
        self.report = RunReport(
            target=self.target,
            started_at=self.started_at,
            duration_s=time.monotonic() - self.started,
            profile=self.profile,
            requirements=results,
            tests=outcomes,
            complete=incomplete is None,
            incomplete_reason=incomplete,
            requests_sent=requests,
            first_failure_s=self.first_failure_s,
            baseline=comparison,
        )
        write_reports(self.report, self.report_dir, self.redactor)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # junit.xml and pytest-report.html are written by pytest and pytest-html from texts the
        # suite already redacted; a key that still got into one (a target echoing it in a form
        # nobody foresaw, a third-party message) is masked here, after they are written.
        for option in ("xmlpath", "htmlpath"):
            path = config.getoption(option, None)
            if path:
                redact_file(Path(path), self.redactor)

    def _read_checks(self) -> tuple[dict[str, list[CheckRecord]], int]:
        records: dict[str, list[CheckRecord]] = {}
        requests = 0
        for path in sorted((self.report_dir / WORK_DIR).glob("checks-*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                data: dict[str, Any] = json.loads(line)
                requests += int(data.get("requests", 0))
                records.setdefault(data["nodeid"], []).extend(
                    CheckRecord.from_json(item) for item in data["records"]
                )
            path.unlink()
        work = self.report_dir / WORK_DIR
        if work.is_dir() and not any(work.iterdir()):
            work.rmdir()
        return records, requests


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)
