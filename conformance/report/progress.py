"""How far a run is, while it runs: tests done of total, requirements decided, time elapsed
and an estimate of what is left, from the requests still to send (eta.py), not the tests.

One line at a time through pytest's terminal writer, between its own dots: every few seconds on
a terminal, about once a minute in a CI log, and never in a run shorter than that.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Final

import pytest

from conformance.http.har_tail import HarTail
from conformance.report.collector import RunCollector
from conformance.report.eta import RequestEstimate, expected_requests
from conformance.report.traceability import requirement_results

TERMINAL_EVERY_S: Final = 5.0
LOG_EVERY_S: Final = 60.0


def default_interval() -> float:
    return TERMINAL_EVERY_S if sys.stdout.isatty() else LOG_EVERY_S


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class ProgressReporter:
    """Registered on the controller only, beside the collector it reads."""

    def __init__(self, collector: RunCollector, every_s: float) -> None:
        self.collector = collector
        self.every_s = every_s
        self.started = time.monotonic()
        self.last = self.started
        self.total = 0
        self.done = 0
        self.config: pytest.Config | None = None
        run = collector.run
        self.estimate = RequestEstimate(
            expected_requests(run.profile, run.target.allow_writes), run.target.rate_limit
        )
        self.traffic = HarTail(run.har_parts)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.estimate.collected(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.total = max(self.total, len(ids))  # every worker collects the whole suite
        self.estimate.collected(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        self.done += 1
        self.estimate.finish(report.nodeid)
        now = time.monotonic()
        if self.every_s > 0 and now - self.last >= self.every_s:
            self.last = now
            self.write(self.line(now))

    def line(self, now: float) -> str:
        elapsed = now - self.started
        results = requirement_results(
            self.collector.catalogue, list(self.collector.outcomes.values())
        )
        decided = sum(1 for r in results if r.status != "not_tested")
        text = (
            f"progress: {self.done}/{self.total or '?'} tests, {decided}/{len(results)} "
            f"requirements decided, {_clock(elapsed)} elapsed"
        )
        self.estimate.saw(self.traffic.new_entries())
        left = self.estimate.seconds_left(time.time())
        if left is not None and self.total > self.done:
            text += f", about {_clock(left)} left"
        return text

    def write(self, text: str) -> None:
        terminal: Any = None
        if self.config is not None:
            terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            print(text, flush=True)
            return
        # After pytest's dots, on a line of its own (its writer knows where the line is).
        if getattr(getattr(terminal, "_tw", None), "width_of_current_line", 0):
            terminal.write("\n")
        terminal.write_line(text)
