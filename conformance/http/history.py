"""The exchanges a client recorded: the last ones, bounded in number and in body bytes.

A test's evidence is the exchanges recorded since it began (`since`); the count of all ever
recorded says where a test began even after older ones were dropped.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Final

from conformance.http.evidence import Exchange

HISTORY_SIZE: Final = 200
# The history also holds at most this many body bytes: 200 responses cut at 5 MiB would be 1 GiB.
HISTORY_MAX_BYTES: Final = 64 * 1024 * 1024


class ExchangeHistory:
    """The last exchanges, oldest first, safe to share between threads."""

    def __init__(self, size: int = HISTORY_SIZE, max_bytes: int = HISTORY_MAX_BYTES) -> None:
        self.items: deque[Exchange] = deque(maxlen=size)
        self.recorded = 0  # every exchange ever added, dropped ones included
        self.max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            if len(self.items) == self.items.maxlen and self.items:
                self._bytes -= self.items[0].response_bytes  # append drops it
            self.items.append(exchange)
            self._bytes += exchange.response_bytes
            while self._bytes > self.max_bytes and len(self.items) > 1:
                self._bytes -= self.items.popleft().response_bytes
            self.recorded += 1

    def since(self, recorded: int) -> list[Exchange]:
        """The exchanges added after `recorded` read ``recorded`` (as many as it still holds)."""
        with self._lock:
            count = self.recorded - recorded
            items = list(self.items)
        return items[-count:] if count > 0 else []

    def recent(self, n: int | None = None) -> list[Exchange]:
        """A snapshot of the last `n` exchanges (all it holds when None), oldest first."""
        with self._lock:
            items = list(self.items)
        return items if n is None else items[-n:] if n > 0 else []
