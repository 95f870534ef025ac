"""A run that stops early still writes its report, marked incomplete with the reason."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import html5lib
from report_runs import run_suite
from runs import clean_env

COMMAND = (sys.executable, "-m", "conformance", "run", "--profile", "quick")
START_TIMEOUT_S = 60
SIGINT_TRIES = 3
SIGINT_PATIENCE_S = 5


def _banner(page: str) -> str:
    match = re.search(
        r'<div class="banner incomplete" id="incomplete"[^>]*>(.*?)</div>', page, re.S
    )
    assert match is not None, "no incomplete-run banner"
    return match.group(1)


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
    )
    try:
        # The run's work folder appears once pytest has started the suite.
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (report_dir / ".work").is_dir():
            assert process.poll() is None, process.communicate()[0][-3000:]
            assert time.monotonic() < deadline, "the suite did not start"
            time.sleep(0.05)
        time.sleep(1.5)
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
