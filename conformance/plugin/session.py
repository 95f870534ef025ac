"""ConformancePlugin: the object that runs the shipped suite against one target.

The runner registers it with `pytest.main(plugins=[...])`; standalone `pytest --pyargs
conformance.suite --tgo-config FILE` builds the same object from options (plugin/__init__.py);
xdist workers build theirs from the run description the controller sends them as data. It
attributes every check to a requirement and puts each test's records on its report, where
xdist carries them to the controller's collector. Its jobs live beside it: fixtures.py (what
tests get), selection.py (which tests run), not_run.py (why one does not), verdict.py (fail,
waive or warn), blame.py and inconclusive.py (whose fault a failure is).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import settings

from conformance.checks.errors import AMBIENT_REQUIREMENTS, check_error_envelope
from conformance.description import WORKER_INPUT, RunDescription
from conformance.http.bodies import BodyStore
from conformance.http.client import TargetClient
from conformance.http.evidence import step_evidence
from conformance.http.har import HarRecorder, part_name
from conformance.http.ratelimit import RateLimiter
from conformance.not_run import not_run_of, skip_because
from conformance.plugin.blame import blames_target, unanswered_in
from conformance.plugin.fixtures import SuiteFixtures
from conformance.plugin.inconclusive import SEQUENCE_MAX, mark_inconclusive
from conformance.plugin.not_run import WRITES_NOT_ALLOWED, deadline_reached
from conformance.plugin.selection import declared_requirements, requirements_option
from conformance.plugin.verdict import judge
from conformance.profiles import current_hypothesis_profile, load_profile, new_seed, use_seed
from conformance.report.collector import RunCollector
from conformance.report.fields import (
    LAST_ANSWER,
    NOT_RUN,
    RECORDS,
    REQUESTS,
    SENT,
    SEQUENCE,
    SUITE_ERROR,
)
from conformance.report.progress import ProgressReporter, default_interval
from conformance.report.pytest_html_hooks import PytestHtmlHooks, wants_pytest_html_hooks
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.rules.values import Rules
from conformance.verify import ConformanceFailure, Verifier
from conformance.waivers import Waivers

VERIFIER_KEY = pytest.StashKey[Verifier]()
REQUESTS_KEY = pytest.StashKey[int]()
START_KEY = pytest.StashKey[int]()  # the client's exchanges_recorded when the test began


class ConformancePlugin(SuiteFixtures):
    """The suite's view of one run: fixtures, attribution of checks, records on reports."""

    def __init__(self, run: RunDescription, *, controller: bool) -> None:
        self.run = run
        self.controller = controller
        self.rules: Rules = run.rules
        self.catalogue: Catalogue = load_catalogue()
        self.waivers = Waivers(run.waivers, self.catalogue.ids(), run.waivers_date)
        self.collector: RunCollector | None = None
        self._client: TargetClient | None = None
        self._last_test = ""  # the last test that got an answer (in this process)
        self._previous_profile = current_hypothesis_profile()
        load_profile(run.profile)

    # --- set-up ---

    def pytest_configure(self, config: pytest.Config) -> None:
        chosen = requirements_option(config)
        if chosen is not None:
            self.run = replace(self.run, requirements=chosen)
        if self.run.seed is None:  # the controller picks it; workers get it in the run
            self.run = replace(self.run, seed=new_seed())
        use_seed(self.run.seed, self.run.hypothesis_dir)
        if not self.controller:
            return
        self.run.work_dir.mkdir(parents=True, exist_ok=True)
        self.collector = RunCollector(run=self.run, catalogue=self.catalogue, waivers=self.waivers)
        config.pluginmanager.register(self.collector, "tgo-collector")
        every = self.run.progress_every
        progress = ProgressReporter(self.collector, default_interval() if every is None else every)
        config.pluginmanager.register(progress, "tgo-progress")
        if wants_pytest_html_hooks(config):
            config.pluginmanager.register(PytestHtmlHooks(), "tgo-pytest-html")

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: each worker gets the run description as data."""
        node.workerinput[WORKER_INPUT] = self.run.to_wire()

    def client(self) -> TargetClient:
        if self._client is None:
            limiter = RateLimiter(self.run.target.rate_limit, self.run.ratelimit_file)
            redactor = self.run.target.redactor()
            bodies = BodyStore(self.run.report_dir, redactor)
            name = part_name()
            har = HarRecorder(self.run.har_parts / f"{name}.jsonl", redactor, name)
            self._client = TargetClient(
                self.run.target, rate_limiter=limiter, bodies=bodies, har=har, rules=self.rules
            )
        return self._client

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self._client is not None:
            self._client.close()
        settings.load_profile(self._previous_profile)
        use_seed(None, None)

    # --- collection ---

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        known = set(self.catalogue.ids())
        wanted = self.run.requirements
        kept: list[pytest.Item] = []
        deselected: list[pytest.Item] = []
        for item in items:
            declared = declared_requirements(item)
            for req_id in declared:
                if req_id not in known:
                    raise pytest.UsageError(f"{item.nodeid} names {req_id}, not in the catalogue")
                item.user_properties.append(("requirement", req_id))
            if wanted is None or wanted & set(declared):
                kept.append(item)
            else:
                deselected.append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept

    # --- running a test ---

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        client = self.client()
        item.stash[START_KEY] = client.exchanges_recorded  # before its fixtures
        if client.har is not None:
            client.har.context = (item.nodeid, declared_requirements(item))
        deadline = self.run.deadline
        if deadline is not None and time.time() > deadline:
            skip_because(deadline_reached(self.run.max_duration))
        if item.get_closest_marker("writes") and not self.run.target.allow_writes:
            skip_because(WRITES_NOT_ALLOWED)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        client = self.client()
        start, sent = client.exchanges_recorded, client.requests_sent
        verifier = self.verifier(item)
        stopped: ConformanceFailure | None = None  # a require() that stopped the test
        try:
            result = yield
        except ConformanceFailure as failure:
            stopped = failure
        finally:
            for exchange in client.exchanges_since(start):
                check_error_envelope(verifier, exchange, self.rules)
            item.stash[REQUESTS_KEY] = client.requests_sent - sent
        judge(item, verifier, self.catalogue, self.waivers, stopped)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        not_run = not_run_of(call.excinfo.value if call.excinfo is not None else None)
        if not_run is not None and report.skipped:
            setattr(report, NOT_RUN, not_run.to_json())
        client = self.client()
        setattr(report, SENT, [sent.to_json() for sent in client.take_sent()])
        steps = client.exchanges_since(item.stash.get(START_KEY, client.exchanges_recorded))
        if call.when == "call":
            verifier = item.stash.get(VERIFIER_KEY, None)
            records = [] if verifier is None else [r.to_json() for r in verifier.records]
            setattr(report, RECORDS, records)
            setattr(report, REQUESTS, item.stash.get(REQUESTS_KEY, 0))
            if steps:
                setattr(report, LAST_ANSWER, steps[-1].sent_at)
        if report.failed and call.excinfo is not None:
            cut_off = unanswered_in(call.excinfo.value)
            if cut_off is not None:
                last = client.recent(1)
                mark_inconclusive(
                    report, cut_off, steps, last[0] if last else None, self._last_test
                )
            elif not blames_target(call.excinfo.value):
                # A failure that is not about the target (a bug in the suite) must not count
                # against the target's requirements.
                setattr(report, SUITE_ERROR, True)
            elif call.when == "call" and 1 < len(steps) <= SEQUENCE_MAX:
                setattr(report, SEQUENCE, [step_evidence(e.evidence()) for e in steps])
        if call.when == "teardown" and steps:
            self._last_test = item.nodeid
        return report

    def verifier(self, item: pytest.Item) -> Verifier:
        if VERIFIER_KEY not in item.stash:
            declared = frozenset(declared_requirements(item))
            item.stash[VERIFIER_KEY] = Verifier(declared, AMBIENT_REQUIREMENTS)
        return item.stash[VERIFIER_KEY]
