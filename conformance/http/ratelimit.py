"""A request-rate limit that holds across threads and across processes (pytest-xdist workers).

Minimal-interval scheduling: each `acquire` reserves the next free slot,
max(now, last slot + 1/rate), under a lock, then sleeps outside the lock until
its slot. Processes share the last slot through a small state file locked with
fcntl.flock, so N workers together stay under the target's rate limit.
"""

from __future__ import annotations

import fcntl
import math
import os
import threading
import time
from pathlib import Path

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most `rate` request starts per second (0 = unlimited).

    Processes that share a `state_file` share the limit (the run description gives every
    xdist worker the same one); without one, the limit holds within this process only.
    """

    def __init__(self, rate: float, state_file: Path | None = None) -> None:
        if not math.isfinite(rate) or rate < 0:
            raise ValueError(f"rate must be a finite number >= 0, not {rate!r}")
        self.rate = rate
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.state_file = state_file
        # flock excludes threads too when each call opens the file anew, but where
        # flock is emulated with per-process fcntl locks (Linux on NFS) it does not.
        self._lock = threading.Lock()
        self._last_slot = -math.inf

    def acquire(self) -> float:
        """Wait for this caller's slot; return the slot time (time.time() seconds)."""
        if self.interval == 0.0:
            return time.time()
        with self._lock:
            slot = self._reserve_shared() if self.state_file else self._reserve_local()
        delay = slot - time.time()
        if delay > 0:
            time.sleep(delay)
        return slot

    def _reserve_local(self) -> float:
        slot = max(time.time(), self._last_slot + self.interval)
        self._last_slot = slot
        return slot

    def _reserve_shared(self) -> float:
        assert self.state_file is not None
        # A fresh open per call, never a descriptor kept from before a fork: a
        # forked child would share the open file description, and flock between
        # the two would then exclude nothing.
        fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Wall-clock time, because every process must read the same clock; a
            # stale file from an earlier run only holds a slot in the past.
            now = time.time()
            slot = max(now, _parse_slot(os.pread(fd, 64, 0)) + self.interval)
            data = repr(slot).encode()
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
            return slot
        finally:
            os.close(fd)  # releases the flock


def _parse_slot(raw: bytes) -> float:
    try:
        value = float(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return -math.inf  # empty (new file) or damaged: no earlier slot
    return value if math.isfinite(value) else -math.inf
