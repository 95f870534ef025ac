"""429 Too Many Requests: Retry-After is honoured up to a bound, and the suite's own rate_limit is
never exceeded, retries included, with parallel workers too. Measured at the server."""

from __future__ import annotations

import email.utils
import itertools
import time
from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import Action, Request, hostile_target, on, too_many_requests

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow

RATE = 10.0
EVERY = 6  # every 6th request after the preflight read is answered 429


def busiest_second(arrivals: list[float]) -> int:
    times = sorted(arrivals)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_429_is_retried_after_retry_after_within_the_rate_limit_across_workers(
    tmp_path: Path,
) -> None:
    refused: list[Request] = []

    def sometimes_429(request: Request) -> Action | None:
        if request.number == 1 or request.number % EVERY:
            return None
        refused.append(request)
        # Both forms RFC 9110 allows: delay-seconds, and an HTTP-date (2 s ahead, whole
        # seconds, so a wait between 1 and 2 s).
        if len(refused) % 2:
            return too_many_requests("1")
        return too_many_requests(email.utils.formatdate(time.time() + 2, usegmt=True))

    with hostile_target(tmp_path, sometimes_429, rate_limit=RATE) as target:
        run = run_suite(target, tmp_path / "r", "-n", "2", "-k", "scopes", timeout=120)
        seen = target.front.seen()
    assert run.returncode == 0, run.output  # every 429 was retried, and the retry answered
    assert_kept_its_head(run, target)
    assert len(refused) >= 3, len(refused)

    def same(a: Request, b: Request) -> bool:
        return (a.method, a.target, a.headers.get("x-api-key")) == (
            b.method,
            b.target,
            b.headers.get("x-api-key"),
        )

    gaps = []
    for first in refused:
        retry = next(r for r in seen if r.number > first.number and same(r, first))
        gaps.append(retry.arrived - first.arrived)
    assert min(gaps) >= 0.9, gaps  # Retry-After honoured, both forms (less the clock's jitter)
    busiest = busiest_second([r.arrived for r in seen])
    print(f"{len(seen)} requests, {len(refused)} answered 429; busiest second: {busiest}")
    assert busiest <= RATE + 1, busiest  # +1: a window that straddles two slots


@pytest.mark.parametrize(
    ("retry_after", "tries"), [("1", 4), ("3600", 1)], ids=["retried-3-times", "too-long"]
)
def test_429_beyond_the_bound_is_reported_as_it_is(
    retry_after: str, tries: int, tmp_path: Path
) -> None:
    # Retry-After: 1 is honoured 3 times, then the 429 stands; an hour is not waited at all.
    rule = on("/api/v1/messages", lambda: too_many_requests(retry_after))
    with hostile_target(tmp_path, rule) as target:
        run = run_suite(target, tmp_path / "r", "-k", "test_log_entries_have_documented_fields")
        refused = target.front.seen("/api/v1/messages")
    assert len(refused) == tries, [r.arrived for r in refused]
    gaps = [b.arrived - a.arrived for a, b in itertools.pairwise(refused)]
    assert all(gap >= 0.95 for gap in gaps), gaps
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    assert run.failed() == {"LOG-001"}, run.output
    evidence = run.failure_texts("LOG-001")
    assert "answered 429 with no list" in evidence and "HTTP 429" in evidence
    if tries > 1:
        assert f"sent {tries} times" in evidence
