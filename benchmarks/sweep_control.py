"""Pausing and stopping a seed sweep (benchmarks/seed_sweep.py): the hold file that keeps new
runs from starting, and the registry of the kit's runs in flight that a stopped sweep ends."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any


class LiveRuns:
    """The kit's processes running now: a stopped sweep ends them (a terminal's Ctrl-C reaches
    them anyway; `kill -INT` of the sweep alone, or an error in the sweep, does not)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def start(self, command: list[str], **popen: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if self.stopped:
                raise RuntimeError("the sweep was stopped")
            process = subprocess.Popen(command, **popen)
            self._processes.add(process)
            return process

    def ended(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.discard(process)

    def stop(self) -> None:
        """No run starts from now on, and the kit's runs in flight are told to end (SIGTERM:
        each writes its partial report and exits)."""
        with self._lock:
            self.stopped = True
            for process in self._processes:
                if process.returncode is None:
                    process.terminate()


class Hold:
    """The sweep's pause: a run about to start waits while the hold file exists. Stopping the
    sweep's processes instead (SIGSTOP) freezes the runs in flight, and a request that a
    frozen run had sent times out once it is let go: an inconclusive run that the seed did not
    cause."""

    POLL_S = 1.0

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._said = False
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Let every waiting run go, not to start: the sweep is over."""
        self._stopped.set()

    def wait(self) -> bool:
        """Whether the run may start, once the hold file is gone (False: the sweep stopped)."""
        while self.path is not None and self.path.exists() and not self._stopped.is_set():
            with self._lock:
                if not self._said:
                    print(
                        f"held: {self.path} exists; the runs in flight finish, no run starts"
                        " until it is removed",
                        flush=True,
                    )
                    self._said = True
            self._stopped.wait(self.POLL_S)
        with self._lock:
            if self._said and not self._stopped.is_set():
                print(f"going on: {self.path} is gone", flush=True)
                self._said = False
        return not self._stopped.is_set()
