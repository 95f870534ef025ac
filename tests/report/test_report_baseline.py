"""--baseline DIR: each requirement's change since an earlier run, in summary.json and the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_runs import VoiceRuns

from conformance.report.baseline import change_of, compare_with_baseline
from conformance.report.traceability import requirement_results
from conformance.rules.catalogue import load_catalogue


@pytest.mark.parametrize(
    ("before", "now", "change"),
    [
        ("passed", "failed", "regressed"),
        ("failed", "passed", "fixed"),
        ("passed", "passed", "unchanged"),
        ("failed", "failed", "unchanged"),
        ("not_tested", "failed", "now_tested"),
        ("not_tested", "passed", "now_tested"),
        ("passed", "not_tested", "no_longer_tested"),
        ("failed", "not_tested", "no_longer_tested"),
        (None, "passed", "new"),
    ],
)
def test_change_of_each_pair_of_statuses(before: str | None, now: str, change: str) -> None:
    assert change_of(before, now) == change


def test_an_unreadable_baseline_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text("{not json")
    results = requirement_results(load_catalogue(), [])
    comparison = compare_with_baseline(results, tmp_path)
    assert comparison.error is not None and "summary.json" in comparison.error
    assert all(result.change is None for result in results)
    assert comparison.to_json()["error"] == comparison.error


@pytest.mark.slow
def test_a_requirement_that_starts_failing_is_regressed(voice_runs: VoiceRuns) -> None:
    summary = voice_runs.broken.summary()
    voice = voice_runs.broken.requirement("VOICE-002")
    assert voice["status"] == "failed"
    assert voice["change"] == "regressed"
    assert voice["previous_status"] == "passed"
    baseline = summary["baseline"]
    assert baseline["path"] == str(voice_runs.faithful.report_dir)
    assert baseline["verdict"] == "pass"
    assert "VOICE-002" in baseline["regressed"]
    assert baseline["fixed"] == []
    assert baseline["counts"]["regressed"] == len(baseline["regressed"])
    # Everything else kept its status: the fault breaks one rule (and the envelope rule that
    # the same check covers).
    assert set(baseline["regressed"]) <= {"VOICE-002", "ERR-006"}
    unchanged = [r for r in summary["requirements"] if r["change"] == "unchanged"]
    assert len(unchanged) == len(summary["requirements"]) - len(baseline["regressed"])


@pytest.mark.slow
def test_a_requirement_that_passes_again_is_fixed(voice_runs: VoiceRuns) -> None:
    voice = voice_runs.repaired.requirement("VOICE-002")
    assert (voice["status"], voice["change"], voice["previous_status"]) == (
        "passed",
        "fixed",
        "failed",
    )
    baseline = voice_runs.repaired.summary()["baseline"]
    assert "VOICE-002" in baseline["fixed"] and baseline["regressed"] == []


@pytest.mark.slow
def test_the_page_shows_the_changes(voice_runs: VoiceRuns) -> None:
    broken = voice_runs.broken.html()
    banner = re.search(r'<div class="banner baseline[^"]*" id="baseline">(.*?)</div>', broken, re.S)
    assert banner is not None
    assert "regression" in banner.group(1) and 'href="#VOICE-002"' in banner.group(1)
    row = re.search(r'<tbody class="req failed" id="VOICE-002"[^>]*>(.*?)</tbody>', broken, re.S)
    assert row is not None and 'class="change regressed"' in row.group(1)
    assert 'data-change="regressed"' in broken

    repaired = voice_runs.repaired.html()
    row = re.search(r'<tbody class="req passed" id="VOICE-002"[^>]*>(.*?)</tbody>', repaired, re.S)
    assert row is not None and 'class="change fixed"' in row.group(1)
    # No baseline, no banner and no change marks.
    faithful = voice_runs.faithful.html()
    assert 'id="baseline"' not in faithful and 'class="change ' not in faithful
    assert voice_runs.faithful.summary()["baseline"] is None
    assert voice_runs.faithful.summary()["complete"] is True
