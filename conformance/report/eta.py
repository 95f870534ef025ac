"""How long a run has left, from requests: the time goes where the requests are.

A run's tests differ by two orders of magnitude in what they send (a property test sends a
hundred requests, a scope test one), so counting tests misleads. The estimate takes, for every
test not yet finished, the requests the plan's dry run saw it send (the shipped table
`conformance/data/requests-per-test.json`, made by `nox -s request_counts`) less those it has
sent already, and divides by the rate the run has measured lately. Everything here takes the
time as an argument, so tests drive it with a fake clock.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

TABLE_FILE: Final = "requests-per-test.json"
# The rate is measured over the last this many seconds: long enough to smooth a test's pauses,
# short enough to follow a target that slows down.
RATE_WINDOW_S: Final = 60.0
# After the last test the report is written (HAR merged, HTML rendered): about this long.
REPORT_S: Final = 2.0
# Before this many requests are seen, the configured rate_limit (if any) stands in for the rate.
MIN_MEASURED: Final = 20


@cache
def request_table() -> dict[str, Any]:
    """The shipped table: {profile: {"writes_allowed" | "read_only": {test id: requests}}};
    empty when there is none (every test then counts alike)."""
    try:
        text = resources.files("conformance.data").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    table: dict[str, Any] = json.loads(text)
    return table


def expected_requests(profile: str, allow_writes: bool) -> dict[str, int]:
    """Requests per test id in a dry run of `profile` (with the writes allowed or not)."""
    by_profile = request_table().get(profile, {})
    counts: dict[str, int] = by_profile.get("writes_allowed" if allow_writes else "read_only", {})
    return counts


class RequestEstimate:
    """Requests left and the measured rate, hence time left. Times are time.time() seconds
    (the requests' own send times come from the HAR parts, written by every process)."""

    def __init__(self, expected: Mapping[str, int], rate_limit: float = 0.0) -> None:
        self.expected = dict(expected)
        # A test the table does not know (added since it was made) counts as an average one.
        self.default = sum(expected.values()) / len(expected) if expected else 1.0
        self.rate_limit = rate_limit
        self.tests: set[str] = set()
        self.finished: set[str] = set()
        self.sent: Counter[str] = Counter()  # requests seen so far, per test id
        self.first_sent: float | None = None
        self._recent: deque[float] = deque()  # send times within the rate window

    def collected(self, test_ids: Iterable[str]) -> None:
        self.tests.update(test_ids)

    def finish(self, test_id: str) -> None:
        self.finished.add(test_id)

    def saw(self, requests: Iterable[tuple[str, float]]) -> None:
        """Requests sent since the last call: the test that sent each, and when."""
        for test_id, sent_at in requests:
            self.sent[test_id] += 1
            self._recent.append(sent_at)
            if self.first_sent is None or sent_at < self.first_sent:
                self.first_sent = sent_at

    def requests_left(self) -> float:
        left = 0.0
        for test_id in self.tests - self.finished:
            expected = self.expected.get(test_id, self.default)
            left += max(0.0, expected - self.sent[test_id])
        return left

    def rate(self, now: float) -> float | None:
        """Requests per second over the last RATE_WINDOW_S (from the first request, early in
        the run); the configured rate limit until enough requests were seen."""
        while self._recent and self._recent[0] < now - RATE_WINDOW_S:
            self._recent.popleft()
        if self.first_sent is not None and len(self._recent) >= MIN_MEASURED:
            span = now - max(now - RATE_WINDOW_S, self.first_sent)
            if span > 0:
                measured = len(self._recent) / span
                return min(measured, self.rate_limit) if self.rate_limit > 0 else measured
        return self.rate_limit if self.rate_limit > 0 else None

    def seconds_left(self, now: float) -> float | None:
        rate = self.rate(now)
        if rate is None or rate <= 0 or not self.tests:
            return None
        return self.requests_left() / rate + REPORT_S
