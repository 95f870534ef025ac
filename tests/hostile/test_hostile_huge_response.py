"""A huge response: the body read stops at the cap, memory stays bounded, and the requirement
under test fails with the cut body as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_runs import assert_kept_its_head, run_suite
from servers import gzip_bomb, hostile_target, huge, on

from conformance.config import load_config
from conformance.http.client import TargetClient
from conformance.http.history import HISTORY_MAX_BYTES

HUGE = 300 * 1024 * 1024
PEAK_RSS_LIMIT_MB = 400


@pytest.mark.slow  # runs the suite end to end against the target
@pytest.mark.parametrize("encoding", ["identity", "gzip"], ids=["plain", "gzip-bomb"])
def test_300_mb_response_is_cut_and_memory_stays_bounded(encoding: str, tmp_path: Path) -> None:
    # gzip: ~300 KiB on the wire that would inflate to 300 MB.
    action = (lambda: huge(HUGE)) if encoding == "identity" else (lambda: gzip_bomb(HUGE))
    # A timeout that a loaded machine cannot reach while inflating: this test is about size.
    with hostile_target(tmp_path, on("/api/v1/messages", action), timeout=10.0) as target:
        run = run_suite(target, tmp_path / "r", "-k", "test_log_entries_have_documented_fields")
    (served,) = target.front.seen("/api/v1/messages")  # the front is stopped: all counted
    sent = served.bytes_sent
    print(f"{encoding}: peak RSS of the run {run.peak_rss_mb:.0f} MB; {sent >> 10} KiB sent")
    assert run.peak_rss_mb < PEAK_RSS_LIMIT_MB, run.peak_rss_mb
    # The client read 5 MiB and hung up; loopback buffers take a few MiB more.
    assert sent < 64 * 1024 * 1024, sent
    assert run.returncode == 1, run.output
    assert_kept_its_head(run, target)
    assert run.failed() == {"LOG-001"}, run.output
    assert "[truncated]" in run.failure_texts("LOG-001")


def test_history_of_huge_responses_stays_bounded(tmp_path: Path) -> None:
    # The client keeps its last exchanges for the plugin's checks: 20 bodies cut at 5 MiB
    # would be 100 MiB; the history holds at most HISTORY_MAX_BYTES of them.
    with hostile_target(tmp_path, lambda request: huge(HUGE)) as target:
        config = load_config(target.config_path, env={})
        with TargetClient(config) as client:
            for _ in range(20):
                assert client.request("GET", "/big").truncated
            held = sum(exchange.response_bytes for exchange in client.recent())
            assert client.exchanges_recorded == 20
    assert held <= HISTORY_MAX_BYTES, held
