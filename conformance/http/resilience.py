"""Staying within bounds against a busy or dead target: 429 Retry-After and the circuit breaker."""

from __future__ import annotations

import email.utils
import math
import threading
import time
from datetime import UTC
from typing import Final

# A 429 is sent again at most this many times, each after the wait its Retry-After asks (a
# missing or unreadable one: RETRY_AFTER_DEFAULT_S). A wait longer than RETRY_AFTER_MAX_WAIT_S
# is not waited: the 429 is returned as it is, and the test sees it.
RATE_LIMIT_RETRIES: Final = 3
RETRY_AFTER_MAX_WAIT_S: Final = 10.0
RETRY_AFTER_DEFAULT_S: Final = 1.0

# After this many requests in a row got no answer (timed out, or the connection was refused)
# requests fail at once, except one probe every max(BREAKER_PROBE_MIN_S, 2 x timeout) seconds.
BREAKER_THRESHOLD: Final = 5
BREAKER_PROBE_MIN_S: Final = 5.0


def retry_after_s(value: str | None, now: float) -> float:
    """Seconds a 429's Retry-After asks to wait: delay-seconds or an HTTP-date (RFC 9110)."""
    if value is None:
        return RETRY_AFTER_DEFAULT_S
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else RETRY_AFTER_DEFAULT_S
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return RETRY_AFTER_DEFAULT_S
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class CircuitBreaker:
    """Stops sending to a target that has stopped answering.

    After `threshold` requests in a row got no answer (timed out, or the connection was
    refused) the breaker opens: requests fail at once with TargetNotAnswering, except one probe
    every `probe_interval` seconds. Anything else closes it again: any answer, whatever its
    status, and also a reset or a malformed answer: something is there, answering badly, and
    each such answer is evidence against the request that got it.
    """

    def __init__(self, threshold: int, probe_interval: float) -> None:
        self.threshold = threshold
        self.probe_interval = probe_interval
        self._lock = threading.Lock()
        self._failures = 0
        self._since = 0.0  # time.time() of the first request of the run of failures
        self._last = ""
        self._next_probe = 0.0  # time.monotonic()

    def refusal(self) -> str | None:
        """None when this request may be sent; otherwise why not."""
        with self._lock:
            if self.threshold <= 0 or self._failures < self.threshold:
                return None
            now = time.monotonic()
            if now >= self._next_probe:
                self._next_probe = now + self.probe_interval  # this one probes; others wait
                return None
            since = time.strftime("%H:%M:%S", time.localtime(self._since))
            return (
                f"the target has not answered since {since} ({self._failures} requests in a "
                f"row got no answer; the last: {cut(self._last, 200)}); next try in "
                f"{math.ceil(self._next_probe - now)}s"
            )

    def no_answer(self, message: str) -> None:
        with self._lock:
            if self._failures == 0:
                self._since = time.time()
            self._failures += 1
            self._last = message
            if self._failures >= self.threshold:
                self._next_probe = time.monotonic() + self.probe_interval

    def answered(self) -> None:
        with self._lock:
            self._failures = 0


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters not shown]"
