"""pytest plugin of tgo-conformance (registered through the pytest11 entry point).

It is inert unless a target is named (``--tgo-config FILE`` or ``--tgo-from-env``), so it never
touches other test suites. Active, it gives the shipped suite its fixtures, attributes every
check to a requirement, and on the controller (never on an xdist worker) turns the outcomes into
the run's report.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from conformance.checks.errors import ENVELOPE_REQUIREMENTS, check_error_envelope
from conformance.config import ConfigError, TargetConfig, load_config
from conformance.http.client import TargetClient, TargetUnreachable
from conformance.http.evidence import ResponseNotJSON
from conformance.http.ratelimit import STATE_FILE_ENV
from conformance.http.redact import Redactor
from conformance.profiles import PROFILES, load_profile
from conformance.report.collector import RunCollector, checks_file
from conformance.report.pytest_html_hooks import PytestHtmlHooks, wants_pytest_html_hooks
from conformance.rules.catalogue import Catalogue, load_catalogue
from conformance.verify import ConformanceFailure, Verifier, summarize_failures

VERIFIER_KEY = pytest.StashKey[Verifier]()
EXCHANGES_AT_START_KEY = pytest.StashKey[int]()


class ConformanceWarning(UserWarning):
    """A SHOULD or MAY requirement failed: reported, without failing the test run."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tgo-conformance", "TGO Business API conformance")
    group.addoption("--tgo-config", metavar="FILE", help="target config (TOML) to test against")
    group.addoption(
        "--tgo-from-env",
        action="store_true",
        help="take the whole target config from TGO_* environment variables",
    )
    group.addoption("--tgo-report-dir", metavar="DIR", help="where the run writes its reports")
    group.addoption("--tgo-profile", choices=sorted(PROFILES), default="full")
    group.addoption("--tgo-baseline", metavar="DIR", help="an earlier run's report directory")
    group.addoption(
        "--tgo-deadline",
        type=float,
        default=None,
        help="epoch seconds after which no further test starts (set by --max-duration)",
    )
    group.addoption(
        "--tgo-target-label", default=None, help="the target's name in reports (default: base_url)"
    )


def _active(config: pytest.Config) -> bool:
    return bool(config.getoption("--tgo-config") or config.getoption("--tgo-from-env"))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalogue requirement IDs this test verifies"
    )
    config.addinivalue_line(
        "markers", "writes: the test creates data on the target (needs allow_writes = true)"
    )
    if not _active(config):
        return
    path = config.getoption("--tgo-config")
    try:
        target = load_config(Path(path) if path else None)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    catalogue = load_catalogue()
    profile = config.getoption("--tgo-profile")
    load_profile(profile)
    report_dir = Path(config.getoption("--tgo-report-dir") or _default_report_dir())
    state = TgoState(target, catalogue, report_dir, profile)
    config.stash[STATE_KEY] = state
    if not _is_worker(config):
        report_dir.mkdir(parents=True, exist_ok=True)
        # One limiter state for the controller and every xdist worker it starts.
        work = report_dir / ".work"
        work.mkdir(exist_ok=True)
        os.environ.setdefault(STATE_FILE_ENV, str(work / "ratelimit"))
        collector = RunCollector(
            catalogue=catalogue,
            target=config.getoption("--tgo-target-label") or target.base_url,
            report_dir=report_dir,
            profile=profile,
            redactor=Redactor(target.secrets()),
            baseline=config.getoption("--tgo-baseline"),
        )
        config.stash[COLLECTOR_KEY] = collector
        config.pluginmanager.register(collector, "tgo-collector")
        _register_pytest_html_hooks(config)


def _register_pytest_html_hooks(config: pytest.Config) -> None:
    """pytest-html: a Requirements column and a link to compliance.html (controller only)."""
    if wants_pytest_html_hooks(config):
        config.pluginmanager.register(PytestHtmlHooks(), "tgo-pytest-html")


def _default_report_dir() -> Path:
    return Path("reports") / time.strftime("%Y%m%d-%H%M%S")


class TgoState:
    """What the plugin holds for one pytest process (controller or worker)."""

    def __init__(
        self, target: TargetConfig, catalogue: Catalogue, report_dir: Path, profile: str
    ) -> None:
        self.target = target
        self.catalogue = catalogue
        self.report_dir = report_dir
        self.profile = profile
        self.client: TargetClient | None = None

    def get_client(self) -> TargetClient:
        if self.client is None:
            self.client = TargetClient(self.target)
        return self.client


STATE_KEY = pytest.StashKey[TgoState]()
COLLECTOR_KEY = pytest.StashKey[RunCollector]()


def _state(config: pytest.Config) -> TgoState:
    try:
        return config.stash[STATE_KEY]
    except KeyError:
        pytest.skip("no target: run through tgo-conformance, or pass --tgo-config FILE")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _active(config):
        return
    known = set(_state(config).catalogue.ids())
    for item in items:
        for req_id in _declared(item):
            if req_id not in known:
                raise pytest.UsageError(f"{item.nodeid} names {req_id}, not in the catalogue")
            item.user_properties.append(("requirement", req_id))


def _declared(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(dict.fromkeys(ids))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if STATE_KEY not in item.config.stash:
        return
    deadline = item.config.getoption("--tgo-deadline")
    if deadline is not None and time.time() > deadline:
        pytest.skip("not run: the run reached its --max-duration")
    state = item.config.stash[STATE_KEY]
    if item.get_closest_marker("writes") and not state.target.allow_writes:
        pytest.skip("writes not allowed on this target (allow_writes = false)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    if STATE_KEY not in item.config.stash:
        return (yield)
    state = item.config.stash[STATE_KEY]
    client = state.get_client()
    start, sent = client.exchanges_recorded, client.requests_sent
    verifier = _verifier(item)
    try:
        result = yield
    finally:
        for exchange in client.exchanges_since(start):
            check_error_envelope(verifier, exchange)
        _save_records(item, state, verifier, client.requests_sent - sent)
    failures = verifier.failures()
    if failures:
        levels = {req.id: req.level for req in state.catalogue.requirements}
        must = [f for f in failures if levels.get(f.requirement) == "MUST"]
        if must:
            raise ConformanceFailure(summarize_failures(failures))
        warnings.warn(ConformanceWarning(summarize_failures(failures)), stacklevel=1)
    return result


TARGET_FAULTS: tuple[type[BaseException], ...] = (
    AssertionError,  # ConformanceFailure included: a check of the target's behaviour failed
    TargetUnreachable,  # the target hung, reset or refused while being tested
    ResponseNotJSON,
)


def _blames_target(error: BaseException) -> bool:
    if isinstance(error, BaseExceptionGroup):
        return all(_blames_target(inner) for inner in error.exceptions)
    return isinstance(error, TARGET_FAULTS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # A failure that is not about the target (a bug in the suite) must not count against the
    # target's requirements.
    if (
        STATE_KEY in item.config.stash
        and report.failed
        and call.excinfo is not None
        and not _blames_target(call.excinfo.value)
    ):
        report.user_properties.append(("tgo_failure", "suite"))
    return report


def _save_records(item: pytest.Item, state: TgoState, verifier: Verifier, requests: int) -> None:
    """Append the test's checks to this process's checks file, read by the controller."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    line = {
        "nodeid": item.nodeid,
        "records": [record.to_json() for record in verifier.records],
        "requests": requests,
    }
    redactor = Redactor(state.target.secrets())
    path = checks_file(state.report_dir, worker)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(redactor.text(json.dumps(line)) + "\n")


CONFIG_TABLES: dict[str, Literal["keys", "senders", "recipients"]] = {
    "key": "keys",
    "sender": "senders",
    "recipient": "recipients",
}

# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tgo_config(request: pytest.FixtureRequest) -> TargetConfig:
    """The target config of this run."""
    return _state(request.config).target


@pytest.fixture(scope="session")
def tgo_catalogue(request: pytest.FixtureRequest) -> Catalogue:
    return _state(request.config).catalogue


@pytest.fixture(scope="session")
def tgo_profile(request: pytest.FixtureRequest) -> str:
    return _state(request.config).profile


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[TargetClient]:
    """An HTTP client for the target: keys by name, rate limit, timeout, redacted recording."""
    state = _state(request.config)
    client = state.get_client()
    yield client
    client.close()


@pytest.fixture
def verify(request: pytest.FixtureRequest) -> Verifier:
    """Records checks against the requirements the test's marker names."""
    return _verifier(request.node)


def _verifier(item: pytest.Item) -> Verifier:
    if VERIFIER_KEY not in item.stash:
        item.stash[VERIFIER_KEY] = Verifier(frozenset(_declared(item)), ENVELOPE_REQUIREMENTS)
    return item.stash[VERIFIER_KEY]


@pytest.fixture
def need(tgo_config: TargetConfig) -> Callable[..., Any]:
    """need("key", "messages_send") returns that entry, or skips naming the missing entry."""

    def _need(kind: str, name: str) -> Any:
        value: Any
        plural = CONFIG_TABLES[kind]
        if kind == "key":
            value = tgo_config.key(name)
        elif kind == "sender":
            value = tgo_config.sender(name)
        else:
            value = tgo_config.recipient(name)
        if value is None:
            pytest.skip(tgo_config.missing_reason(plural, name))
        return value

    return _need
