"""One conformance run: target, pytest over the shipped suite, verdict and exit status.

What the run does when the target or the person running it misbehaves is listed in
docs/hostile-targets.md: bad input stops it before anything is sent (one line, exit 2);
--max-duration and SIGINT / SIGTERM stop it with the partial report written.
"""

from __future__ import annotations

import _thread
import io
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from conformance.config import ConfigError, TargetConfig, load_config
from conformance.http.client import TargetClient, TargetUnreachable
from conformance.mock.embedded import embedded_mock
from conformance.mock.faults import Faults

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
SUITE_DIR = Path(__file__).resolve().parents[1] / "suite"
# After --max-duration no test starts; one still running is interrupted this much later.
WATCHDOG_GRACE_S = 2.0


class RunError(Exception):
    """A run that cannot start: bad config, unreachable target. One line, exit status 2."""


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped from outside (SIGINT, SIGTERM) or by --max-duration; str() says why.

    A KeyboardInterrupt, so that pytest stops at once, wherever it is (a blocking read
    included), and still finishes the session: the collector writes the partial report."""

    def __init__(self, reason: str, exit_status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exit_status = exit_status  # None: the verdict decides (--max-duration)


@dataclass
class RunOptions:
    config: Path | None = None
    report_dir: Path | None = None
    profile: str = "full"
    max_duration: float | None = None
    baseline: Path | None = None
    pytest_args: Sequence[str] = ()
    mock_faults: Sequence[str] = field(default_factory=tuple)


@dataclass
class RunOutcome:
    exit_status: int
    report_dir: Path
    summary: dict[str, object] | None


def default_report_dir() -> Path:
    return Path("reports") / time.strftime("%Y%m%d-%H%M%S")


def _write_private(directory: Path, text: str) -> Path:
    path = directory / "tgo-conformance.toml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _preflight(config: TargetConfig) -> None:
    """One read, so an unreachable target gives one clear line instead of 300 failed tests."""
    with TargetClient(config) as client:
        try:
            client.request("GET", "/api/v1/sender-numbers")
        except TargetUnreachable as error:
            raise RunError(f"cannot reach the target: {error}") from None


def execute(options: RunOptions) -> RunOutcome:
    """Run the suite; raises RunError when it cannot start."""
    if options.baseline is not None and not (options.baseline / "summary.json").is_file():
        raise RunError(f"--baseline {options.baseline}: no summary.json there")
    report_dir = options.report_dir or default_report_dir()
    _check_report_dir(report_dir)
    with ExitStack() as stack:
        target_args: list[str]
        label: str | None = None
        if options.config is not None:
            target_args = ["--tgo-config", str(options.config)]
            config = _load(options.config)
        elif os.environ.get("TGO_BASE_URL"):
            target_args = ["--tgo-from-env"]
            config = _load(None)
        else:
            faults = _faults(options.mock_faults)
            mock = stack.enter_context(embedded_mock(faults))
            private = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tgo-")))
            path = _write_private(private, mock.config_toml)
            target_args = ["--tgo-config", str(path)]
            config = _load(path)
            label = f"embedded mock ({mock.base_url})"
        args = [
            "-c",
            str(SUITE_DIR / "pytest.ini"),
            "--rootdir",
            str(SUITE_DIR),
            str(SUITE_DIR),
            *target_args,
            "--tgo-report-dir",
            str(report_dir),
            "--tgo-profile",
            options.profile,
            "--junitxml",
            str(report_dir / "junit.xml"),
            "-o",
            "junit_family=xunit2",
            "--html",
            str(report_dir / "pytest-report.html"),
            "--self-contained-html",
            "-q",
            "--no-header",
            "-rN",
            # Failures are told per requirement (summary.json, and one line each from the
            # CLI), not as pytest tracebacks; `-- --tb=long` brings those back.
            "--tb=no",
            # pytest's note that it cannot rewrite asserts in plugins imported before it
            # (hypothesis, anyio) says nothing about the target.
            "-W",
            "ignore::pytest.PytestAssertRewriteWarning",
        ]
        if label:
            args += ["--tgo-target-label", label]
        if options.baseline is not None:
            args += ["--tgo-baseline", str(options.baseline)]
        if options.max_duration is not None:
            args += ["--tgo-deadline", str(time.time() + options.max_duration)]
        args += list(options.pytest_args)
        stderr = stack.enter_context(_HeldStderr())
        control = _RunControl(config, stderr)
        interrupts = stack.enter_context(_Interrupts(control))
        watchdog: _Watchdog | None = None
        if options.max_duration is not None:
            watchdog = stack.enter_context(_Watchdog(options.max_duration, interrupts))
        code = pytest.main(args, plugins=[control])
    if control.error is not None:
        raise RunError(control.error)
    if not control.parsed and code == pytest.ExitCode.USAGE_ERROR:
        raise RunError(f"pytest arguments: {_usage_line(stderr.held_text())}")
    summary = _read_summary(report_dir)
    if summary is None and code == pytest.ExitCode.OK:
        return RunOutcome(EXIT_PASS, report_dir, None)  # e.g. `-- --help`: pytest's own answer
    if code == pytest.ExitCode.USAGE_ERROR or summary is None:
        raise RunError(
            f"pytest stopped before the suite ran (exit status {int(code)}); see the lines above"
        )
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR) and (
        control.stopped_by is not None or interrupts.raised is not None
    ):
        code = pytest.ExitCode.INTERRUPTED
    if code == pytest.ExitCode.INTERRUPTED:
        stopped = control.stopped_by or interrupts.raised
        if stopped is not None and stopped.exit_status is not None:
            return RunOutcome(stopped.exit_status, report_dir, summary)
        if stopped is None and not (watchdog is not None and watchdog.fired):
            return RunOutcome(EXIT_INTERRUPTED, report_dir, summary)
    # Complete, or stopped at --max-duration: the verdict on what ran decides.
    return RunOutcome(EXIT_FAIL if summary["verdict"] == "fail" else EXIT_PASS, report_dir, summary)


def _check_report_dir(report_dir: Path) -> None:
    """A report directory that cannot be written is a usage error, found before anything is
    sent (and without creating it: a run that cannot start leaves nothing behind)."""
    existing = report_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RunError(f"--report-dir {report_dir}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunError(f"--report-dir {report_dir}: {existing} is not writable")


def _faults(names: Sequence[str]) -> Faults | None:
    try:
        return Faults.from_names(list(names)) if names else None
    except ValueError as error:
        raise RunError(f"--mock-faults: {error}") from None


def _load(path: Path | None) -> TargetConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        raise RunError(str(error)) from None


class _RunControl:
    """The runner's own pytest plugin (on the controller only).

    It runs the preflight read only once pytest has accepted the arguments after `--`, so that
    bad input sends nothing; and it names the reason when the run was stopped from outside.
    """

    def __init__(self, config: TargetConfig, stderr: _HeldStderr) -> None:
        self.target = config
        self.stderr = stderr
        self.parsed = False  # pytest accepted the arguments
        self.error: str | None = None  # why the run could not start (exit 2)
        self.stopped_by: RunInterrupted | None = None
        self.pytest_config: pytest.Config | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> int | None:
        self.parsed = True
        self.pytest_config = config
        self.stderr.release()
        if config.option.help or config.option.version:
            return None
        self.error = _expression_error(config)
        if self.error is None:
            try:
                _preflight(self.target)
            except RunError as error:
                self.error = str(error)
        return int(pytest.ExitCode.USAGE_ERROR) if self.error else None

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        # pytest's own unraisable hook turns what a finalizer swallowed into a warning whose
        # text holds a traceback; a swallowed interrupt is not worth one (it is sent again).
        sys.unraisablehook = quiet_about_interrupts(sys.unraisablehook)

    @pytest.hookimpl(trylast=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if not isinstance(excinfo.value, RunInterrupted):
            return
        self.stopped_by = excinfo.value
        collector = self.pytest_config and self.pytest_config.pluginmanager.get_plugin(
            "tgo-collector"
        )
        if collector is not None:
            # The collector's own text says "Ctrl-C or a signal"; this one says which.
            collector.interrupted = excinfo.value.reason


def _expression_error(config: pytest.Config) -> str | None:
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


def _usage_line(text: str) -> str:
    """pytest's usage error (several lines, starting with the usage) as one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if ": error: " in line:
            return line.split(": error: ", 1)[1]
    meaningful = [line.removeprefix("ERROR: ") for line in lines if "usage:" not in line]
    return meaningful[0] if meaningful else "refused by pytest"


class _HeldStderr(io.TextIOBase):
    """sys.stderr while pytest parses the arguments: held back, so that a usage error becomes
    one line of ours instead of pytest's usage text; passed through once released."""

    def __init__(self) -> None:
        super().__init__()
        self._real: Any = None
        self._held: list[str] | None = []

    def __enter__(self) -> _HeldStderr:
        self._real = sys.stderr
        sys.stderr = self
        return self

    def __exit__(self, *exc: object) -> None:
        if sys.stderr is self:
            sys.stderr = self._real

    def release(self) -> None:
        held, self._held = self._held, None
        if held:
            self._real.write("".join(held))

    def held_text(self) -> str:
        return "".join(self._held or [])

    def write(self, text: str) -> int:
        if self._held is not None:
            self._held.append(text)
        else:
            self._real.write(text)
        return len(text)

    def flush(self) -> None:
        self._real.flush()

    def fileno(self) -> int:
        return int(self._real.fileno())

    def isatty(self) -> bool:
        return bool(self._real.isatty())

    @property
    def encoding(self) -> str:  # type: ignore[override]  # the real stream's, read-only
        return str(getattr(self._real, "encoding", "utf-8"))

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._real, "errors", None)


class _Interrupts:
    """SIGINT, SIGTERM and the --max-duration watchdog, as RunInterrupted in the main thread.

    Only from the main thread, and only for a signal the process has not chosen to ignore (a
    run started in the background with SIGINT ignored stays so). The watchdog signals with
    SIGUSR1 rather than _thread.interrupt_main(): a real signal also breaks a blocking read, so
    a request waiting on a silent target does not hold the run until its timeout.

    Python runs a signal handler wherever the main thread is, a finalizer (__del__, a weakref
    callback) included, and an exception raised there is swallowed. So the handler also checks
    back a second later and signals again while pytest has not seen the interrupt; and the
    swallowed one is kept out of the output (sys.unraisablehook, here and in pytest's).
    """

    WATCHDOG_SIGNAL = signal.SIGUSR1
    RECHECK_S = 1.0

    def __init__(self, control: _RunControl) -> None:
        self.control = control
        self.active = False
        self.raised: RunInterrupted | None = None
        self._main = threading.main_thread().ident
        self._installed = threading.current_thread() is threading.main_thread()
        self._previous: dict[int, Any] = {}
        self._previous_unraisable = sys.unraisablehook

    def __enter__(self) -> _Interrupts:
        self.active = True
        if not self._installed:
            return self
        for signum, reason, status in (
            (signal.SIGINT, "interrupted by SIGINT (Ctrl-C)", EXIT_INTERRUPTED),
            (signal.SIGTERM, "terminated by SIGTERM", EXIT_TERMINATED),
        ):
            if signal.getsignal(signum) in (signal.default_int_handler, signal.SIG_DFL):
                handler = self._handler(f"{reason} before every test ran", status)
                self._previous[signum] = signal.signal(signum, handler)
        sys.unraisablehook = quiet_about_interrupts(sys.unraisablehook)
        return self

    def __exit__(self, *exc: object) -> None:
        self.active = False
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        if self._installed:
            sys.unraisablehook = self._previous_unraisable

    def arm_watchdog(self, reason: str) -> None:
        """Let `watchdog_fired` interrupt the run with `reason` (and the verdict's status)."""
        if self._installed:
            handler = self._handler(reason, None)
            self._previous[self.WATCHDOG_SIGNAL] = signal.signal(self.WATCHDOG_SIGNAL, handler)

    def watchdog_fired(self) -> None:
        if self.WATCHDOG_SIGNAL in self._previous and self._main is not None:
            signal.pthread_kill(self._main, self.WATCHDOG_SIGNAL)
        else:
            _thread.interrupt_main()

    def _handler(self, reason: str, status: int | None) -> Callable[[int, FrameType | None], None]:
        def handle(signum: int, frame: FrameType | None) -> None:
            recheck = threading.Timer(self.RECHECK_S, self._recheck, args=(signum,))
            recheck.daemon = True
            recheck.start()
            # Kept here too: pytest's own reporting of an interrupt can itself crash (a frame
            # whose tb_lineno is None), and then no hook of ours hears of it.
            self.raised = RunInterrupted(reason, status)
            raise self.raised

        return handle

    def _recheck(self, signum: int) -> None:
        if self.active and self.control.stopped_by is None and self._main is not None:
            signal.pthread_kill(self._main, signum)  # the first one was swallowed


def quiet_about_interrupts(
    hook: Callable[[Any], object],
) -> Callable[[Any], object]:
    """`hook`, except for a RunInterrupted swallowed in a finalizer (it is signalled again)."""

    def unraisable(args: Any) -> object:
        if isinstance(args.exc_value, RunInterrupted):
            return None
        return hook(args)

    return unraisable


class _Watchdog:
    """Interrupts the run when --max-duration expires inside a long test (the per-test deadline
    check only stops tests from starting)."""

    def __init__(self, seconds: float, interrupts: _Interrupts) -> None:
        self.fired = False
        self.reason = (
            f"stopped at --max-duration ({seconds:g} s): the test still running was interrupted"
        )
        self.interrupts = interrupts
        self.timer = threading.Timer(seconds + WATCHDOG_GRACE_S, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        self.interrupts.watchdog_fired()

    def __enter__(self) -> _Watchdog:
        self.interrupts.arm_watchdog(self.reason)
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _read_summary(report_dir: Path) -> dict[str, object] | None:
    try:
        data = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
