"""A pytest plugin for the kit's own tests (`-- -p stall_until_watchdog`): it holds a run at one
point of its start or end until the --max-duration watchdog has fired, so that a test puts the
expiry where it wants it (no test running) instead of hoping the machine is slow enough.

STALL_UNTIL_WATCHDOG_AT names the point; STALL_UNTIL_WATCHDOG_MARK is a file written when the
watchdog's signal arrives, naming the phase the run was in, so the test knows it did fire.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from types import FrameType

import pytest

from conformance.run.interrupts import Interrupts

POINT = os.environ.get("STALL_UNTIL_WATCHDOG_AT", "")
MARK = Path(os.environ.get("STALL_UNTIL_WATCHDOG_MARK", os.devnull))
# Only a bound on a broken run: the watchdog fires about two seconds after the run starts.
PATIENCE_S = 60.0

phase = ["starting"]  # where the run is, as far as this plugin has seen
fired: list[str] = []  # the phase the watchdog's signal arrived in


def _observe_the_watchdog() -> None:
    """Note the watchdog's signal, then let the run's own handler decide what it does. Installed
    on import: the run armed the watchdog before pytest started, and it fires seconds later."""
    handler = signal.getsignal(Interrupts.WATCHDOG_SIGNAL)

    def seen(signum: int, frame: FrameType | None) -> None:
        fired.append(phase[0])
        MARK.write_text(phase[0])
        if callable(handler):
            handler(signum, frame)

    signal.signal(Interrupts.WATCHDOG_SIGNAL, seen)


def _at(point: str) -> None:
    phase[0] = point
    if point == POINT:
        give_up = time.monotonic() + PATIENCE_S
        while not fired and time.monotonic() < give_up:
            time.sleep(0.02)


_observe_the_watchdog()


def pytest_cmdline_main(config: pytest.Config) -> None:
    # After the runner's preflight read (its hook is tryfirst), before pytest's session starts.
    _at("preflight")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _at("collection")


def pytest_runtestloop(session: pytest.Session) -> None:
    phase[0] = "test loop"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # trylast: after the runner's collector has built the report, while the session still ends.
    _at("sessionfinish")
