"""Stopping a run from outside: SIGINT, SIGTERM and --max-duration, as RunInterrupted.

The interrupt is raised in the main thread wherever pytest is (a blocking read included), so
pytest stops at once and still finishes its session: the collector writes the partial report.
"""

from __future__ import annotations

import _thread
import io
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
# After --max-duration no test starts; one still running is interrupted this much later.
WATCHDOG_GRACE_S = 2.0


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped from outside (SIGINT, SIGTERM) or by --max-duration; str() says why.

    A KeyboardInterrupt, so that pytest stops at once, wherever it is (a blocking read
    included), and still finishes the session: the collector writes the partial report."""

    def __init__(self, reason: str, exit_status: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exit_status = exit_status  # None: the verdict decides (--max-duration)


class RunState(Protocol):
    """What the handlers need to know of the run; pytest_front.RunControl keeps it from pytest's
    hooks. A protocol, so that this module does not import the pytest side (no import loop)."""

    @property
    def stopped_by(self) -> RunInterrupted | None:
        """The interrupt pytest has seen, if any."""

    @property
    def testing(self) -> bool:
        """A test is running (it started before the deadline)."""


class HeldStderr(io.TextIOBase):
    """sys.stderr while pytest parses the arguments: held back, so that a usage error becomes
    one line of ours instead of pytest's usage text; passed through once released."""

    def __init__(self) -> None:
        super().__init__()
        self._real: Any = None
        self._held: list[str] | None = []

    def __enter__(self) -> HeldStderr:
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


class Interrupts:
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

    def __init__(self, control: RunState) -> None:
        self.control = control
        self.active = False
        self.raised: RunInterrupted | None = None
        self._main = threading.main_thread().ident
        self._installed = threading.current_thread() is threading.main_thread()
        self._previous: dict[int, Any] = {}
        self._previous_unraisable = sys.unraisablehook

    def __enter__(self) -> Interrupts:
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
            handler = self._handler(reason, None, only_while_testing=True)
            self._previous[self.WATCHDOG_SIGNAL] = signal.signal(self.WATCHDOG_SIGNAL, handler)

    def watchdog_fired(self) -> None:
        if self.WATCHDOG_SIGNAL in self._previous and self._main is not None:
            signal.pthread_kill(self._main, self.WATCHDOG_SIGNAL)
        else:
            _thread.interrupt_main()

    def _handler(
        self, reason: str, status: int | None, *, only_while_testing: bool = False
    ) -> Callable[[int, FrameType | None], None]:
        def handle(signum: int, frame: FrameType | None) -> None:
            if only_while_testing and not self.control.testing:
                # No test running (the run still starting, between tests, or ending): the
                # deadline check keeps every further test from starting, and there is nothing
                # to stop. Raised before pytest's session or after it, the interrupt would
                # escape it: no verdict, "interrupted", exit 130.
                return
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


class Watchdog:
    """Interrupts the run when --max-duration expires inside a long test (the per-test deadline
    check only stops tests from starting). Firing while no test runs it does nothing: the
    deadline check skips the rest, and the verdict on what ran decides the exit status."""

    def __init__(self, seconds: float, interrupts: Interrupts) -> None:
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

    def __enter__(self) -> Watchdog:
        self.interrupts.arm_watchdog(self.reason)
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
