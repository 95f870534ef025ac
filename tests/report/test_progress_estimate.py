"""The progress estimate counts requests, not tests: driven here with a fake clock."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.http.har_tail import HarTail
from conformance.report.eta import RATE_WINDOW_S, REPORT_S, RequestEstimate, expected_requests


def _run_at(rate: float, plan: dict[str, int]) -> list[tuple[float, float]]:
    """A run that sends every test's planned requests, one test after the other, at `rate`;
    (true time left, estimate) after each test."""
    estimate = RequestEstimate(plan, rate_limit=rate)
    estimate.collected(plan)
    total = sum(plan.values()) / rate + REPORT_S
    now, seen = 1000.0, []
    for test_id, n in plan.items():
        for _ in range(n):
            now += 1 / rate
            estimate.saw([(test_id, now)])
        estimate.finish(test_id)
        left = estimate.seconds_left(now)
        assert left is not None
        seen.append((total - (now - 1000.0), left))
    return seen


def test_cheap_tests_first_do_not_make_the_rest_look_short() -> None:
    # 200 one-request tests, then 14 tests of a hundred: what misled the test-count estimate.
    plan = {f"t{i}": 1 for i in range(200)} | {f"p{i}": 100 for i in range(14)}
    for truth, estimate in _run_at(10.0, plan):
        if truth > 1:
            assert truth / 1.5 <= estimate <= truth * 1.5


def test_a_test_in_progress_counts_only_what_it_has_still_to_send() -> None:
    estimate = RequestEstimate({"a": 100, "b": 10}, rate_limit=10.0)
    estimate.collected(["a", "b"])
    estimate.saw([("a", 100.0 + i / 10) for i in range(60)])
    assert estimate.requests_left() == 40 + 10
    assert estimate.seconds_left(106.0) == 5.0 + REPORT_S


def test_the_rate_is_measured_and_the_rate_limit_stands_in_before() -> None:
    estimate = RequestEstimate({"a": 1000}, rate_limit=10.0)
    estimate.collected(["a"])
    assert estimate.rate(0.0) == 10.0  # nothing measured yet
    estimate.saw([("a", 100.0 + i / 4) for i in range(100)])  # a slow target: 4/s
    assert estimate.rate(125.0) == 4.0
    # Old requests leave the window: the rate follows a target that slows down.
    estimate.saw([("a", 125.0 + i) for i in range(int(RATE_WINDOW_S))])
    assert abs((estimate.rate(125.0 + RATE_WINDOW_S) or 0) - 1.0) < 0.05


def test_without_a_rate_limit_the_rate_is_measured_only() -> None:
    estimate = RequestEstimate({"a": 50}, rate_limit=0.0)
    estimate.collected(["a"])
    assert estimate.seconds_left(0.0) is None
    estimate.saw([("a", 10.0 + i / 100) for i in range(25)])
    assert estimate.rate(10.25) == 100.0


def test_a_test_the_table_does_not_know_counts_as_an_average_one() -> None:
    estimate = RequestEstimate({"a": 10, "b": 30}, rate_limit=1.0)
    estimate.collected(["a", "b", "new"])
    assert estimate.requests_left() == 10 + 30 + 20


def test_the_shipped_table_knows_the_suites_tests_in_both_profiles() -> None:
    for profile in ("quick", "full"):
        writes = expected_requests(profile, allow_writes=True)
        read_only = expected_requests(profile, allow_writes=False)
        assert len(writes) > 200 and set(writes) == set(read_only)
        assert sum(read_only.values()) < sum(writes.values())
    assert sum(expected_requests("full", True).values()) > 5 * sum(
        expected_requests("quick", True).values()
    )


def test_the_har_tail_reads_whole_lines_of_every_part(tmp_path: Path) -> None:
    def line(test: str, when: str) -> str:
        return json.dumps({"startedDateTime": when, "_test": test}) + "\n"

    tail = HarTail(tmp_path)
    (tmp_path / "gw0.jsonl").write_text(line("a", "2026-12-03T10:00:00.000000Z"))
    with (tmp_path / "gw1.jsonl").open("w") as part:
        part.write(line("b", "2026-12-03T10:00:01.500000Z") + '{"startedDate')
    assert [t for t, _ in tail.new_entries()] == ["a", "b"]
    assert tail.new_entries() == []
    with (tmp_path / "gw1.jsonl").open("a") as part:
        part.write('Time": "2026-12-03T10:00:02.000000Z", "_test": "c"}\n')
    [(test, when)] = tail.new_entries()
    assert test == "c" and when % 60 == 2.0
