"""ConformancePlugin: the object that runs the shipped suite against one target.

The runner registers it with `pytest.main(plugins=[...])`; standalone `pytest --pyargs
conformance.suite --tgo-config FILE` builds the same object from options (plugin/__init__.py);
xdist workers build theirs from the run description the controller sends them as data. It
gives tests their fixtures, attributes every check to a requirement, and puts each test's
records on its report, where xdist carries them to the controller's collector.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from typing import Any, Literal

import pytest
from hypothesis import settings

from conformance.checks.errors import AMBIENT_REQUIREMENTS, check_error_envelope
from conformance.config import TargetConfig
from conformance.http.bodies import BodyStore
from conformance.http.client import BrokenAnswer, TargetClient, TargetUnreachable
from conformance.http.evidence import ResponseNotJSON, step_evidence
from conformance.http.har import HarRecorder, part_name
from conformance.http.ratelimit import RateLimiter
from conformance.profiles import current_hypothesis_profile, load_profile, new_seed, use_seed
from conformance.report.collector import RunCollector
from conformance.report.progress import ProgressReporter, default_interval
from conformance.report.pytest_html_hooks import PytestHtmlHooks, wants_pytest_html_hooks
from conformance.report.waivers import Waivers
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.rules.values import Rules
from conformance.run.description import RunDescription
from conformance.verify import CheckRecord, ConformanceFailure, Verifier, summarize_failures

VERIFIER_KEY = pytest.StashKey[Verifier]()
NOT_RUN_KEY = pytest.StashKey[str]()
REQUESTS_KEY = pytest.StashKey[int]()
START_KEY = pytest.StashKey[int]()  # the client's exchanges_recorded when the test began

# What a test report carries to the controller (xdist serialises report attributes).
RECORDS = "tgo_records"  # the checks the test recorded, as JSON
REQUESTS = "tgo_requests"  # how many requests it sent
NOT_RUN = "tgo_not_run"  # why it did not run: "deadline" or "writes"
WRITES_REASON = "writes not allowed on this target (allow_writes = false)"


def deadline_reason(max_duration: float | None) -> str:
    return f"not run: the run reached its --max-duration ({max_duration} s)"


SUITE_ERROR = "tgo_suite_error"  # it failed through a bug of the suite, not the target
UNANSWERED = "tgo_unanswered"  # the target did not answer it: what was sent, and the steps
SEQUENCE = "tgo_sequence"  # the requests of a failed scenario, in order
LAST_ANSWER = "tgo_last_answer_at"  # time.time() at which its last answered request was sent

# A failed test carries its requests as a sequence when it sent at most this many (a scenario:
# register, then list); a property test's hundreds are not a sequence, its failing case is.
SEQUENCE_MAX = 25

CONFIG_TABLES: dict[str, Literal["keys", "senders", "recipients", "other_account"]] = {
    "key": "keys",
    "sender": "senders",
    "recipient": "recipients",
    "other_account": "other_account",
}

TARGET_FAULTS: tuple[type[BaseException], ...] = (
    AssertionError,  # ConformanceFailure included: a check of the target's behaviour failed
    BrokenAnswer,  # the target's answer broke off
    ResponseNotJSON,
)


class ConformanceWarning(UserWarning):
    """A SHOULD or MAY requirement failed: reported, without failing the test run."""


def declared_requirements(item: pytest.Item) -> tuple[str, ...]:
    """The requirement IDs a test's markers name, in order, once each."""
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(dict.fromkeys(ids))


def requirements_option(config: pytest.Config) -> frozenset[str] | None:
    """The requirements --tgo-requirements names (None when not given)."""
    value = config.getoption("--tgo-requirements", None)
    if not value:
        return None
    return frozenset(r.strip() for r in str(value).split(",") if r.strip())


def blames_target(error: BaseException) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(blames_target(inner) for inner in error.exceptions)
    return isinstance(error, TARGET_FAULTS)


def unanswered_in(error: BaseException) -> TargetUnreachable | None:
    """The no-answer error behind `error`, if any: itself, one of its group, or what it was
    raised while handling (an exception raised while handling an unreachable target is the
    target's doing, never the suite's)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, TargetUnreachable):
            return current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend((current.__cause__, current.__context__))
    return None


class ConformancePlugin:
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
        self.collector = RunCollector(run=self.run, catalogue=self.catalogue)
        config.pluginmanager.register(self.collector, "tgo-collector")
        every = self.run.progress_every
        progress = ProgressReporter(self.collector, default_interval() if every is None else every)
        config.pluginmanager.register(progress, "tgo-progress")
        if wants_pytest_html_hooks(config):
            config.pluginmanager.register(PytestHtmlHooks(), "tgo-pytest-html")

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist: each worker gets the run description as data."""
        node.workerinput["tgo_run"] = self.run.to_wire()

    def client(self) -> TargetClient:
        if self._client is None:
            limiter = RateLimiter(self.run.target.rate_limit, self.run.ratelimit_file)
            redactor = self.run.target.redactor()
            bodies = BodyStore(self.run.report_dir, redactor)
            name = part_name()
            har = HarRecorder(self.run.har_parts / f"{name}.jsonl", redactor, name)
            self._client = TargetClient(
                self.run.target, rate_limiter=limiter, bodies=bodies, har=har
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
            item.stash[NOT_RUN_KEY] = "deadline"
            pytest.skip(deadline_reason(self.run.max_duration))
        if item.get_closest_marker("writes") and not self.run.target.allow_writes:
            item.stash[NOT_RUN_KEY] = "writes"
            pytest.skip(WRITES_REASON)

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
        # Only now, with the envelope of every error it saw checked, is it known whether
        # waivers cover every failure of the test.
        if stopped is not None:
            self._xfail_if_waived(item, verifier)
            raise stopped
        failures = verifier.failures()
        if failures:
            if self._must(failures):
                self._xfail_if_waived(item, verifier)
                raise ConformanceFailure(summarize_failures(failures))
            warnings.warn(ConformanceWarning(summarize_failures(failures)), stacklevel=1)
        return result

    def _must(self, failures: list[CheckRecord]) -> list[CheckRecord]:
        return [f for f in failures if self.catalogue.by_id(f.requirement).level == "MUST"]

    def _xfail_if_waived(self, item: pytest.Item, verifier: Verifier) -> None:
        """A test whose every failed MUST check a waiver covers is waived (an expected failure
        for pytest: skipped with the reason in junit.xml), not failed."""
        must = self._must(verifier.failures())
        waivers = [self.waivers.covering(f.requirement, item.nodeid) for f in must]
        if must and all(waivers):
            notes = dict.fromkeys(
                f"{f.requirement}: {w.note()}" for f, w in zip(must, waivers, strict=True) if w
            )
            pytest.xfail("waived: " + "; ".join(notes))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        not_run = item.stash.get(NOT_RUN_KEY, None)
        if not_run is not None:
            setattr(report, NOT_RUN, not_run)
        client = self.client()
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
                self._mark_inconclusive(item, report, cut_off, steps)
            elif not blames_target(call.excinfo.value):
                # A failure that is not about the target (a bug in the suite) must not count
                # against the target's requirements.
                setattr(report, SUITE_ERROR, True)
            elif call.when == "call" and 1 < len(steps) <= SEQUENCE_MAX:
                setattr(report, SEQUENCE, [step_evidence(e.evidence()) for e in steps])
        if call.when == "teardown" and steps:
            self._last_test = item.nodeid
        return report

    def _mark_inconclusive(
        self,
        item: pytest.Item,
        report: pytest.TestReport,
        cut_off: TargetUnreachable,
        steps: list[Any],
    ) -> None:
        """A test the target stopped answering observed nothing more: it is an error (it
        could not be carried out), not a failure of the target's behaviour."""
        attempt = cut_off.unanswered
        last = self.client().recent(1)
        last_answered = None
        if last:
            in_this_test = any(step is last[0] for step in steps)
            last_answered = {
                "test": item.nodeid if in_this_test else self._last_test,
                "at": last[0].sent_at,
                **step_evidence(last[0].evidence()),
            }
        shown = [step_evidence(e.evidence()) for e in steps[-SEQUENCE_MAX:]]
        if attempt is not None:
            shown.append(step_evidence(attempt.evidence()))
        setattr(
            report,
            UNANSWERED,
            {
                "error": str(cut_off),
                "sent": True if attempt is None else attempt.sent,
                "at": time.time() if attempt is None else attempt.sent_at,
                "request": None if attempt is None else attempt.evidence(),
                "steps": shown,
                "steps_total": len(steps) + (attempt is not None),
                "last_answered": last_answered,
            },
        )
        # junit.xml, pytest-html and pytest's own summary call a failure an error only outside
        # the call phase: relabelled, the three agree with compliance.html that the test could
        # not be carried out.
        report.when = "setup"
        report.longrepr = (
            f"inconclusive, the target did not answer: {cut_off} (the test observed nothing "
            "after this; see compliance.html, which shows the request and the steps before it)"
        )

    def verifier(self, item: pytest.Item) -> Verifier:
        if VERIFIER_KEY not in item.stash:
            declared = frozenset(declared_requirements(item))
            item.stash[VERIFIER_KEY] = Verifier(declared, AMBIENT_REQUIREMENTS)
        return item.stash[VERIFIER_KEY]

    # --- fixtures ---

    @pytest.fixture(scope="session")
    def tgo_config(self) -> TargetConfig:
        """The target config of this run."""
        return self.run.target

    @pytest.fixture(scope="session")
    def tgo_rules(self) -> Rules:
        """The rules of the API this run holds the target to."""
        return self.rules

    @pytest.fixture(scope="session")
    def tgo_catalogue(self) -> Catalogue:
        return self.catalogue

    @pytest.fixture(scope="session")
    def tgo_profile(self) -> str:
        return self.run.profile

    @pytest.fixture(scope="session")
    def settle_s(self) -> float:
        """How long a log, a usage count or a delivery may lag behind a send (READ-046)."""
        return self.run.profile_settings.settle_s

    @pytest.fixture(scope="session")
    def target(self) -> Iterator[TargetClient]:
        """An HTTP client for the target: keys by name, rate limit, timeout, redacted
        recording."""
        yield self.client()

    @pytest.fixture
    def verify(self, request: pytest.FixtureRequest) -> Verifier:
        """Records checks against the requirements the test's marker names."""
        return self.verifier(request.node)

    @pytest.fixture
    def need(self) -> Callable[..., Any]:
        """need("key", "messages_send") returns that entry, or skips naming the missing entry;
        need("other_account") the second account."""
        config = self.run.target

        def _need(kind: str, name: str = "") -> Any:
            value: Any
            if kind == "other_account":
                value = config.other_account
            elif kind == "key":
                value = config.key(name)
            elif kind == "sender":
                value = config.sender(name)
            else:
                value = config.recipient(name)
            if value is None:
                pytest.skip(config.missing_reason(CONFIG_TABLES[kind], name))
            return value

        return _need
