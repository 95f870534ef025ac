"""The pytest side of a run: the arguments it is started with, and the runner's own plugin."""

from __future__ import annotations

import os
import sys
from collections.abc import Generator

import pytest

from conformance.config import TargetConfig
from conformance.config.connection import client_certificate_refused, proxy_in_effect, tls_failure
from conformance.description import RunDescription
from conformance.http.client import BrokenAnswer, TargetClient, TargetUnreachable
from conformance.http.har import HarRecorder
from conformance.http.tls_probe import asks_for_client_certificate
from conformance.node_ids import SUITE_DIR, resolve_named_tests
from conformance.plugin.session import ConformancePlugin
from conformance.run.interrupts import HeldStderr, RunInterrupted, quiet_about_interrupts

# The list every conforming target answers; one read of it tells whether the target is there.
PREFLIGHT_OPERATION = "listSenderNumbers"


class RunError(Exception):
    """A run that cannot start: bad config, unreachable target. One line, exit status 2."""


def pytest_args(run: RunDescription, user_args: list[str]) -> list[str]:
    """How the runner starts pytest over the shipped suite (only the tests named after `--`
    when some are: `test_auth.py::test_x[a b]`, read relative to the suite)."""
    user_args, named = resolve_named_tests(user_args)
    return [
        "-c",
        str(SUITE_DIR / "pytest.ini"),
        "--rootdir",
        str(SUITE_DIR),
        *([] if named else [str(SUITE_DIR)]),
        "--junitxml",
        str(run.report_dir / "junit.xml"),
        "-o",
        "junit_family=xunit2",
        "--html",
        str(run.report_dir / "pytest-report.html"),
        "--self-contained-html",
        "-q",
        "--no-header",
        "-rN",
        # Failures are told per requirement (summary.json, and one line each from the CLI),
        # not as pytest tracebacks; `-- --tb=long` brings those back.
        "--tb=no",
        # Checks are recorded per requirement, never read from assert introspection; rewriting
        # every plugin module (schemathesis alone is a hundred) costs a second per run.
        "--assert=plain",
        # pytest's note that it cannot rewrite asserts in plugins imported before it
        # (hypothesis, anyio) says nothing about the target.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        *user_args,
    ]


def preflight(run: RunDescription) -> None:
    """One read, so an unreachable target gives one clear line instead of 300 failed tests."""
    operation = run.rules.operations[PREFLIGHT_OPERATION]
    har = HarRecorder(run.har_parts / "preflight.jsonl", run.target.redactor(), "preflight")
    har.context = ("preflight: is the target there?", ())
    with TargetClient(run.target, har=har) as client:
        try:
            client.request(operation.method, operation.path)
        except TargetUnreachable as error:
            meaning = tls_failure(str(error), run.target.tls) or _silent_refusal(run.target)
            said = f"{meaning} ({error})" if meaning else str(error)
            raise RunError(f"cannot reach the target: {said}") from None
        except BrokenAnswer:
            pass  # it answered, badly: reachable, and the tests will say what is wrong


def _silent_refusal(target: TargetConfig) -> str | None:
    """When a TLS target hung up without a word: was it for want of a client certificate?
    (Asked directly only: through a proxy the handshake is the proxy's to make.)"""
    if proxy_in_effect(target.proxy, target.base_url, os.environ) != "none":
        return None
    if not asks_for_client_certificate(target.base_url, target.timeout):
        return None
    return client_certificate_refused(target.tls)


class RunControl:
    """The runner's own pytest plugin (on the controller only).

    It runs the preflight read only once pytest has accepted the arguments after `--`, so that
    bad input sends nothing; and it names the reason when the run was stopped from outside.
    """

    def __init__(self, plugin: ConformancePlugin, stderr: HeldStderr) -> None:
        self.plugin = plugin
        self.stderr = stderr
        self.parsed = False  # pytest accepted the arguments
        self.error: str | None = None  # why the run could not start (exit 2)
        self.stopped_by: RunInterrupted | None = None
        # A test has started (past the deadline check): only then does the watchdog interrupt.
        self.testing = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> int | None:
        self.parsed = True
        self.stderr.release()
        if config.option.help or config.option.version:
            return None
        self.error = expression_error(config)
        if self.error is None:
            try:
                preflight(self.plugin.run)
            except RunError as error:
                self.error = str(error)
        return int(pytest.ExitCode.USAGE_ERROR) if self.error else None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        # Under xdist the tests run in the workers, unseen here: the whole loop counts as testing.
        self.testing = session.config.pluginmanager.has_plugin("dsession")
        try:
            return (yield)
        finally:
            self.testing = False

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # Called after the plugin's deadline check (tryfirst), which skips a test by raising:
        # reaching here means this test really starts.
        self.testing = True

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self.testing = False

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        # pytest's own unraisable hook turns what a finalizer swallowed into a warning whose
        # text holds a traceback; a swallowed interrupt is not worth one (it is sent again).
        sys.unraisablehook = quiet_about_interrupts(sys.unraisablehook)

    # tryfirst, like the collector's: pytest's terminal reporter can crash while it formats the
    # interrupt, and pluggy then calls no later implementation.
    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if not isinstance(excinfo.value, RunInterrupted):
            return
        self.stopped_by = excinfo.value
        if self.plugin.collector is not None:
            # The collector's own text says "Ctrl-C or a signal"; this one says which.
            self.plugin.collector.interrupted = excinfo.value.reason


def expression_error(config: pytest.Config) -> str | None:
    """A -k / -m expression pytest would refuse only after the session started."""
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pragma: no cover - a pytest without it checks them itself, later
        return None
    for flag, value in (("-k", config.option.keyword), ("-m", config.option.markexpr)):
        if value and value.strip():
            try:
                Expression.compile(value.lstrip())
            except Exception as error:
                return f"pytest arguments: {flag} {value!r}: {' '.join(str(error).split())}"
    return None


def usage_line(text: str) -> str:
    """pytest's usage error (several lines, starting with the usage) as one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if ": error: " in line:
            return line.split(": error: ", 1)[1]
    meaningful = [line.removeprefix("ERROR: ") for line in lines if "usage:" not in line]
    return meaningful[0] if meaningful else "refused by pytest"
