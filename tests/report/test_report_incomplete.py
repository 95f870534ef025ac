"""A run that stops early still writes its report, marked incomplete with the reason."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import html5lib
import pytest
from report_runs import run_suite
from runs import clean_env, default_sigint

COMMAND = (sys.executable, "-m", "conformance", "run", "--profile", "quick")
START_TIMEOUT_S = 60
SIGINT_TRIES = 3
# A second Ctrl-C only for a first one lost: generous, since on a busy machine the first may
# take seconds to finish the report, and a second one then stops the run without it.
SIGINT_PATIENCE_S = 30
STALL_PLUGIN = ("--", "-p", "stall_until_watchdog")  # stall_until_watchdog.py, beside this file


def _tests_that_sent(report_dir: Path) -> set[str]:
    """The tests whose requests the run's exchanges.har parts hold so far (not the preflight)."""
    tests = set()
    for part in (report_dir / ".work" / "har").glob("*.jsonl"):
        for line in part.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                test = json.loads(line).get("_test", "")
            except json.JSONDecodeError:
                continue  # the line being written
            if "::" in test:
                tests.add(test)
    return tests


def _banner(page: str) -> str:
    match = re.search(
        r'<div class="banner incomplete" id="incomplete"[^>]*>(.*?)</div>', page, re.S
    )
    assert match is not None, "no incomplete-run banner"
    return match.group(1)


@pytest.mark.slow
def test_a_run_stopped_by_max_duration_is_marked_incomplete(tmp_path: Path) -> None:
    run = run_suite(tmp_path / "report", "--max-duration", "1", cwd=tmp_path)
    assert run.returncode in (0, 1), run.output[-3000:]
    summary = run.summary()
    assert summary["complete"] is False, run.output[-4000:]
    assert "--max-duration" in summary["incomplete_reason"]
    assert summary["counts"]["not_tested"] > 0
    assert "INCOMPLETE" in run.output
    page = run.html()
    html5lib.HTMLParser(strict=True).parse(page)
    assert summary["incomplete_reason"] in _banner(page)
    # Requirements whose tests never started say so.
    reasons = [r.get("reason", "") for r in summary["requirements"] if r["status"] == "not_tested"]
    assert any("--max-duration" in reason for reason in reasons)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["preflight", "collection", "sessionfinish"])
def test_max_duration_expiring_while_no_test_runs_still_gives_the_verdict(
    point: str, tmp_path: Path
) -> None:
    """The watchdog fires while no test runs (the run starting, or ending): the deadline check
    skips every test, and the verdict on what ran (nothing) decides the status; not
    "interrupted" (exit 130) with no verdict, nor "the test still running was interrupted"."""
    mark = tmp_path / "fired"
    env = {
        **clean_env(),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
        ),
        "STALL_UNTIL_WATCHDOG_AT": point,
        "STALL_UNTIL_WATCHDOG_MARK": str(mark),
    }
    report_dir = tmp_path / "report"
    run = subprocess.run(
        [*COMMAND, "--report-dir", str(report_dir), "--max-duration", "0.001", *STALL_PLUGIN],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    # The watchdog fired, at that point or (on a busy machine) earlier: never in a test.
    assert mark.is_file(), output[-3000:]
    assert run.returncode == 0, output[-3000:]  # nothing failed: the verdict is pass
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["complete"] is False, output[-3000:]
    assert summary["incomplete_reason"] == (
        "stopped at --max-duration (0.001 s) before every test ran"
    )
    assert summary["tests"]["total"] > 0
    assert summary["counts"]["passed"] == summary["counts"]["failed"] == 0
    assert "interrupted" not in output


@pytest.mark.slow
def test_a_run_interrupted_by_sigint_writes_an_incomplete_report(tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    # The full profile: long enough (about 15 s) that the signal lands while tests run.
    process = subprocess.Popen(
        [*COMMAND, "--profile", "full", "--report-dir", str(report_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        # A background job's SIGINT is ignored, and the run rightly keeps it so; a person's
        # Ctrl-C is what this test sends.
        preexec_fn=default_sigint,
    )
    try:
        # Until a second test has sent a request: then the first one has finished, and its
        # outcome is there to be reported (however busy the machine).
        give_up = time.monotonic() + START_TIMEOUT_S
        while len(_tests_that_sent(report_dir)) < 2:
            assert process.poll() is None, process.communicate()[0][-3000:]
            assert time.monotonic() < give_up, "no two tests sent a request"
            time.sleep(0.05)
        # As a person would: Ctrl-C, and again if the first one got lost (a signal handler's
        # exception raised inside a gc callback is swallowed by Python).
        for _ in range(SIGINT_TRIES):
            process.send_signal(signal.SIGINT)
            try:
                output, _ = process.communicate(timeout=SIGINT_PATIENCE_S)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["complete"] is False, output[-4000:]
    assert "interrupted" in summary["incomplete_reason"]
    assert summary["tests"]["total"] > 0  # what ran before the signal is reported
    page = (report_dir / "compliance.html").read_text()
    html5lib.HTMLParser(strict=True).parse(page)
    assert summary["incomplete_reason"] in _banner(page)
    assert not [p.name for p in report_dir.iterdir() if p.name.startswith(".") and p.is_file()]
    assert process.returncode == 130, output[-3000:]
